/**
 * The engine's settings from a YAML file laid out like Suricata's suricata.yaml (a real
 * suricata.yaml works): `vars` (address/port groups), `threshold-file`, `stream.midstream`,
 * `stream.inline`, `stream.midstream-policy`, `stream.reassembly.depth`, `flow-timeouts`,
 * `app-layer.protocols.http.libhtp.default-config.{request,response}-body-limit`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, SentraError } from '../../errors.js';
import { parseThresholdConfig } from '../rules/threshold-config.js';
import { parseSuricataYaml, type RuleVars, varsFromConfig } from '../rules/vars.js';
import type { IdsEngineConfig } from './types.js';

export interface IdsConfigFile {
  vars: RuleVars;
  engine: IdsEngineConfig;
}

const yes = (v: unknown) => v === true || v === 'yes' || v === 'true' || v === 1;

/** "100kb", "1mb", 4096 -> bytes (0 when not a size). */
export function parseSize(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+)\s*(kb|mb|gb|k|m|g|b)?\s*$/i.exec(String(v ?? ''));
  if (!m) return 0;
  const n = Number(m[1]);
  const u = (m[2] ?? '').toLowerCase()[0];
  return u === 'k' ? n * 1024 : u === 'm' ? n * 1024 * 1024 : u === 'g' ? n * 1024 ** 3 : n;
}

/** Reads a sentra.yaml / suricata.yaml. @throws SENTRA_ERR_INVALID_CONFIG */
export function loadIdsConfigFile(file: string): IdsConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  const doc = (parseSuricataYaml(text, file) ?? {}) as Record<string, unknown>;
  return { vars: varsFromConfig(doc), engine: engineConfigFromYaml(doc, path.dirname(file)) };
}

/** Engine settings of a parsed suricata.yaml-like document. */
export function engineConfigFromYaml(doc: Record<string, unknown>, baseDir: string): IdsEngineConfig {
  const cfg: IdsEngineConfig = { stream: {}, http: {} };
  const stream = (doc.stream ?? {}) as Record<string, unknown>;
  if (stream.midstream !== undefined) cfg.stream!.midstream = yes(stream.midstream);
  if (stream.inline !== undefined) cfg.streamInline = yes(stream.inline);
  const policy = stream['midstream-policy'];
  if (typeof policy === 'string') {
    const ok = ['ignore', 'pass-flow', 'bypass', 'drop-flow', 'reject', 'pass-packet', 'drop-packet'];
    if (!ok.includes(policy))
      throw new SentraError(
        ErrorCodes.INVALID_CONFIG,
        `stream.midstream-policy must be one of ${ok.join(', ')}, not "${policy}"`,
      );
    cfg.midstreamPolicy = policy as IdsEngineConfig['midstreamPolicy'];
  }
  const re = (stream.reassembly ?? {}) as Record<string, unknown>;
  if (re.depth !== undefined) cfg.stream!.depth = parseSize(re.depth);
  const ft = ((doc['flow-timeouts'] ?? {}) as Record<string, unknown>).default as
    | Record<string, unknown>
    | undefined;
  if (ft?.new !== undefined || ft?.established !== undefined) {
    const est = Number(ft.established ?? ft.new);
    if (Number.isFinite(est) && est > 0) cfg.flowIdleTimeout = est;
  }
  const htp = (
    (
      (
        (doc['app-layer'] as Record<string, unknown> | undefined)?.protocols as
          | Record<string, unknown>
          | undefined
      )?.http as Record<string, unknown> | undefined
    )?.libhtp as Record<string, unknown> | undefined
  )?.['default-config'] as Record<string, unknown> | undefined;
  if (htp?.['request-body-limit'] !== undefined)
    cfg.http!.requestBodyLimit = parseSize(htp['request-body-limit']);
  if (htp?.['response-body-limit'] !== undefined)
    cfg.http!.responseBodyLimit = parseSize(htp['response-body-limit']);
  const tf = doc['threshold-file'];
  if (typeof tf === 'string') {
    const f = path.resolve(baseDir, tf);
    cfg.thresholdConfig = parseThresholdConfig(readFileSync(f, 'utf8'), varsFromConfig(doc));
  }
  return cfg;
}
