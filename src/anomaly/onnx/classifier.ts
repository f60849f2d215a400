/**
 * A supervised flow classifier exported to ONNX (scikit-learn, PyTorch, XGBoost...) as an IDS
 * engine observer: every flow that ends is turned into the model's inputs from its CIC
 * columns (matched by name, standardised by the scaler when one is given), classified in
 * batches by onnxruntime, and an alert is raised when a malicious class gets at least
 * `minProbability`.
 *
 * Inputs: either one 2-D float input [N, k] whose k column names come from `columns`, the
 * scaler file or the model's metadata `feature_names`; or one input per column named after it
 * ([N, 1] or [N]). Output: the first float tensor output (or `probabilityOutput`): [N, C]
 * class probabilities, or [N] / [N, 1] the probability of the malicious class. Export
 * scikit-learn classifiers with `zipmap=False` so probabilities are a tensor.
 *
 * onnxruntime runs asynchronously: flows wait in a batch; {@link OnnxClassifierObserver.flush}
 * classifies what waits and resolves when every alert has been emitted (call it at the end).
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../errors.js';
import { cicValues } from '../../flow/cic.js';
import { F_ID, F_LAST } from '../../flow/layout.js';
import { type EndedFlow, FlowTable } from '../../flow/table.js';
import type { ObserverContext, PacketObserver, SeverityWord } from '../../ids/observer.js';
import { cicColumnIndex, loadScaler, parseScaler, type ScalerSpec } from './columns.js';
import { metadataList, readOnnxMetadata } from './onnx-metadata.js';

/** Signature id of classifier alerts (gid 1; docs/anomaly.md). */
export const CLASSIFIER_SID = 9300101;

export interface OnnxClassifierOptions {
  /** The .onnx model file. */
  model: string;
  /** Scaler JSON file or object ({columns, mean, scale}): (x - mean) / scale per column. */
  scaler?: string | ScalerSpec;
  /** CIC column names of a single 2-D input, in order (else the scaler's, else the model metadata's `feature_names`). */
  columns?: string[];
  /** Class names in the order of the probability output (else metadata `classes`, else benign/malicious for 2). */
  classes?: string[];
  /** Classes that alert (default: every class not named benign/normal, or every class but the first). */
  maliciousClasses?: string[];
  /** Lowest probability of a malicious class that alerts (default 0.5). */
  minProbability?: number;
  /** Flows classified per onnxruntime call (default 64). */
  batchSize?: number;
  /** Default 'high'. */
  severity?: SeverityWord;
  /** Output holding the probabilities (default: the first float tensor output). */
  probabilityOutput?: string;
}

export interface OnnxClassifierObserver extends PacketObserver {
  /** The CIC columns the model reads, in input order. */
  readonly columns: readonly string[];
  readonly classes: readonly string[];
  /** Flows classified so far. */
  readonly classified: number;
  /** Classifies the flows that wait; resolves when their alerts are out. */
  flush(): Promise<void>;
  /** Releases onnxruntime's session. */
  close(): Promise<void>;
}

interface PendingFlow {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  timeUs: number;
  flowId: number;
}

type Ort = typeof import('onnxruntime-node');

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    throw new SentraError(
      ErrorCodes.DEPENDENCY_MISSING,
      `onnxruntime-node cannot be loaded (${(e as Error).message}): run npm ci in the Sentra directory`,
    );
  }
}

function invalid(msg: string): SentraError {
  return new SentraError(ErrorCodes.ONNX_MODEL_INVALID, msg);
}

/** Loads the model and returns the observer (async: onnxruntime loads models asynchronously). */
export async function createOnnxClassifierObserver(
  opts: OnnxClassifierOptions,
): Promise<OnnxClassifierObserver> {
  const ort = await loadOrt();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(opts.model);
  } catch (e) {
    throw new SentraError(
      ErrorCodes.NOT_FOUND,
      `cannot read the ONNX model ${opts.model}: ${(e as Error).message}`,
    );
  }
  const meta = readOnnxMetadata(bytes);
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    throw invalid(`onnxruntime cannot load ${opts.model}: ${(e as Error).message}`);
  }
  const scaler =
    opts.scaler === undefined
      ? undefined
      : typeof opts.scaler === 'string'
        ? loadScaler(opts.scaler)
        : parseScaler(opts.scaler);

  // inputs → columns
  const inputs = session.inputMetadata;
  let single = false;
  let columns: string[];
  if (inputs.length === 1) {
    const m = inputs[0];
    const shape = m.isTensor ? m.shape : [];
    const width = shape.length === 2 ? shape[1] : undefined;
    const named = opts.columns ?? scaler?.columns ?? metadataList(meta.feature_names);
    if (named !== undefined && (width === undefined || typeof width !== 'number' || width === named.length)) {
      single = true;
      columns = named;
    } else if (width === 1 || shape.length <= 1) {
      columns = [m.name];
    } else {
      throw invalid(
        `the model's input "${m.name}" has ${String(width)} features but no column names: give them with --columns, a scaler file or the model metadata "feature_names"`,
      );
    }
  } else {
    columns = inputs.map((m) => m.name);
  }
  const colIndex = Int32Array.from(columns.map(cicColumnIndex));
  const k = columns.length;
  const mean = new Float64Array(k);
  const scale = new Float64Array(k).fill(1);
  if (scaler) {
    columns.forEach((c, i) => {
      const j = scaler.columns.findIndex((s) => s === c || cicColumnIndex(s) === colIndex[i]);
      if (j < 0) throw invalid(`the scaler has no entry for column "${c}"`);
      mean[i] = scaler.mean[j];
      scale[i] = scaler.scale[j];
    });
  }

  // output → classes
  const outMeta = opts.probabilityOutput
    ? session.outputMetadata.find((m) => m.name === opts.probabilityOutput)
    : session.outputMetadata.find((m) => m.isTensor && m.type === 'float32');
  if (!outMeta)
    throw invalid(
      `the model has no float probability output${opts.probabilityOutput ? ` "${opts.probabilityOutput}"` : ''}`,
    );
  const oshape = outMeta.isTensor ? outMeta.shape : [];
  const nClassesDeclared = oshape.length === 2 && typeof oshape[1] === 'number' ? oshape[1] : undefined;
  const binaryProb = oshape.length <= 1 || nClassesDeclared === 1;
  const classes =
    opts.classes ??
    metadataList(meta.classes) ??
    (binaryProb || nClassesDeclared === 2
      ? ['benign', 'malicious']
      : Array.from({ length: nClassesDeclared ?? 2 }, (_, i) => `class${i}`));
  const benignName = /^(benign|normal|clean|legit(imate)?)$/i;
  const malicious = new Set(
    opts.maliciousClasses ??
      (classes.some((c) => benignName.test(c))
        ? classes.filter((c) => !benignName.test(c))
        : classes.slice(1)),
  );
  for (const c of malicious)
    if (!classes.includes(c)) throw invalid(`malicious class "${c}" is not one of ${classes.join(', ')}`);
  const minP = opts.minProbability ?? 0.5;
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const severity = opts.severity ?? 'high';
  const modelName = opts.model.split('/').pop() ?? opts.model;

  let ctx: ObserverContext | null = null;
  let classified = 0;
  let batch = new Float32Array(batchSize * k);
  let pending: PendingFlow[] = [];
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  const feedsOf = (x: Float32Array, n: number): Record<string, import('onnxruntime-node').Tensor> => {
    if (single) return { [inputs[0].name]: new ort.Tensor('float32', x.subarray(0, n * k), [n, k]) };
    const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
    inputs.forEach((m, i) => {
      const col = new Float32Array(n);
      for (let r = 0; r < n; r++) col[r] = x[r * k + i];
      const shape = m.isTensor && m.shape.length === 1 ? [n] : [n, 1];
      feeds[m.name] = new ort.Tensor('float32', col, shape);
    });
    return feeds;
  };

  const classify = async (x: Float32Array, flows: PendingFlow[]): Promise<void> => {
    const n = flows.length;
    const res = await session.run(feedsOf(x, n));
    const out = res[outMeta.name];
    const p = out.data as Float32Array;
    const per = binaryProb ? 1 : p.length / n;
    for (let r = 0; r < n; r++) {
      let best = -1;
      let bestP = -1;
      if (binaryProb) {
        best = classes.length - 1;
        bestP = p[r];
      } else {
        for (let c = 0; c < per; c++) {
          if (malicious.has(classes[c]) && p[r * per + c] > bestP) {
            bestP = p[r * per + c];
            best = c;
          }
        }
      }
      classified++;
      if (best < 0 || bestP < minP) continue;
      const f = flows[r];
      const feats = columns.map((name, i) => {
        const raw = x[r * k + i] * scale[i] + mean[i];
        return { name, value: raw, scaled: x[r * k + i] };
      });
      feats.sort((a, b) => Math.abs(b.scaled) - Math.abs(a.scaled));
      ctx?.emit({
        signatureId: CLASSIFIER_SID,
        signature: `SENTRA ML flow classified as ${classes[best]} (${modelName})`,
        category: 'Misc Attack',
        severity,
        timeUs: f.timeUs,
        src: f.src,
        dst: f.dst,
        srcPort: f.srcPort,
        dstPort: f.dstPort,
        ipProto: f.proto,
        flowId: f.flowId,
        metadata: { ml_class: [classes[best]], ml_probability: [bestP.toFixed(4)] },
        extra: {
          anomaly: {
            score: bestP,
            threshold: minP,
            features: feats.slice(0, 5),
            class: classes[best],
            model: modelName,
          },
        },
      });
    }
  };

  const launch = (): void => {
    if (pending.length === 0) return;
    const x = batch;
    const flows = pending;
    batch = new Float32Array(batchSize * k);
    pending = [];
    chain = chain.then(() =>
      classify(x, flows).catch((e) => {
        failure ??= e;
      }),
    );
  };

  return {
    name: 'onnx',
    columns,
    classes,
    get classified() {
      return classified;
    },
    attach(c: ObserverContext) {
      ctx = c;
    },
    onFlowEnd(flow: EndedFlow) {
      const v = cicValues(flow.table, flow.slot);
      const row = pending.length * k;
      for (let i = 0; i < k; i++) {
        const raw = Number(v[colIndex[i]]);
        batch[row + i] = ((Number.isFinite(raw) ? raw : 0) - mean[i]) / scale[i];
      }
      const F = flow.table.floats(flow.slot);
      const b = FlowTable.base(flow.slot);
      pending.push({
        src: String(v[1]),
        dst: String(v[3]),
        srcPort: Number(v[2]),
        dstPort: Number(v[4]),
        proto: Number(v[5]),
        timeUs: F[b + F_LAST],
        flowId: F[b + F_ID],
      });
      if (pending.length >= batchSize) launch();
    },
    finish() {
      launch();
    },
    async flush() {
      launch();
      await chain;
      if (failure !== null) {
        const e = failure;
        failure = null;
        throw invalid(`onnxruntime failed to classify flows: ${(e as Error).message}`);
      }
    },
    async close() {
      await chain;
      await session.release();
    },
  };
}
