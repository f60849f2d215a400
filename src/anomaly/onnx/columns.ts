/**
 * Matching a model's feature names to our CIC flow columns, and the optional scaler file.
 * Names match when equal after lower-casing and dropping everything but letters and digits
 * ("flow_duration", "Flow Duration" and "FlowDuration" are one column).
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../errors.js';
import { CIC_COLUMNS } from '../../flow/cic.js';

/** Text columns a model cannot take as numbers. */
const TEXT = new Set(['Flow ID', 'Src IP', 'Dst IP', 'Timestamp', 'Label']);

function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_NORM = new Map<string, number>();
CIC_COLUMNS.forEach((c, i) => {
  if (!TEXT.has(c)) BY_NORM.set(norm(c), i);
});

/** Index in {@link CIC_COLUMNS} of the numeric column called `name`, or a clear error. */
export function cicColumnIndex(name: string): number {
  const i = BY_NORM.get(norm(name));
  if (i === undefined) {
    throw new SentraError(
      ErrorCodes.ONNX_MODEL_INVALID,
      `model feature "${name}" is not a numeric CIC flow column (see docs/flows.md for the names, e.g. "Flow Duration", "Tot Fwd Pkts")`,
    );
  }
  return i;
}

/** Standardisation applied before the model: (x - mean) / scale per column. */
export interface ScalerSpec {
  columns: string[];
  mean: number[];
  scale: number[];
}

function bad(msg: string): SentraError {
  return new SentraError(ErrorCodes.ONNX_MODEL_INVALID, `invalid scaler: ${msg}`);
}

/**
 * Reads a scaler: `{columns, mean, scale}` arrays (scikit-learn StandardScaler's mean_ and
 * scale_), or `{"<column>": {mean, scale}, ...}`.
 */
export function parseScaler(input: unknown): ScalerSpec {
  if (typeof input !== 'object' || input === null) throw bad('not a JSON object');
  const o = input as Record<string, unknown>;
  if (Array.isArray(o.columns)) {
    const { columns, mean, scale } = o as { columns: unknown[]; mean: unknown; scale: unknown };
    if (
      !Array.isArray(mean) ||
      !Array.isArray(scale) ||
      mean.length !== columns.length ||
      scale.length !== columns.length
    ) {
      throw bad('columns, mean and scale must be arrays of one length');
    }
    return {
      columns: columns.map(String),
      mean: mean.map(Number),
      scale: scale.map((v) => (Number(v) === 0 ? 1 : Number(v))),
    };
  }
  const out: ScalerSpec = { columns: [], mean: [], scale: [] };
  for (const [k, v] of Object.entries(o)) {
    const e = v as { mean?: unknown; scale?: unknown };
    if (typeof e !== 'object' || e === null) throw bad(`column ${k} has no {mean, scale}`);
    out.columns.push(k);
    out.mean.push(Number(e.mean ?? 0));
    out.scale.push(Number(e.scale ?? 1) || 1);
  }
  for (const v of [...out.mean, ...out.scale])
    if (!Number.isFinite(v)) throw bad('a mean or scale is not a number');
  return out;
}

export function loadScaler(path: string): ScalerSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SentraError(
      ErrorCodes.NOT_FOUND,
      `cannot read the scaler file ${path}: ${(e as Error).message}`,
    );
  }
  try {
    return parseScaler(JSON.parse(text));
  } catch (e) {
    if (e instanceof SentraError) throw e;
    throw bad(`${path} is not JSON (${(e as Error).message})`);
  }
}
