/**
 * The suricata-verify conformance runner: for one test directory, read test.yaml, load the
 * rules with the test's vars and options, run the engine over the pcap in-process, and
 * evaluate the test's `checks` over the EVE records produced.
 *
 * A test is *not-supported* (skipped) when it cannot be run faithfully: a requirement we do
 * not meet (version, feature, script, custom command), a rule left out, or a check on an EVE
 * record type Sentra does not write. Everything else passes or fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import type { DnsEveVersion } from '../app/dns/eve.js';
import type { HttpConfig } from '../app/http/config.js';
import type { EveRecord } from '../eve.js';
import type { DropLogOptions } from '../output/drop-record.js';
import { MemorySink } from '../output/eve-file.js';
import { parseThresholdConfig } from '../rules/threshold-config.js';
import type { StreamConfig } from '../stream/config.js';
import { evaluateChecks } from '../verify/checks.js';
import { loadTestRules, readTestCase, rulesSupport, type VerifyTestCase } from '../verify/test-case.js';
import { runIdsOnCapture } from './run.js';
import type { IdsEngineConfig } from './types.js';

/** EVE record types the engine writes (checks on others make a test not-supported). */
export const PRODUCED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'alert',
  'flow',
  'ssh',
  'http',
  'fileinfo',
  'stats',
  'drop',
  'dns',
  'tls',
]);

export interface VerifyOutcome {
  name: string;
  dir: string;
  status: 'pass' | 'fail' | 'not-supported';
  /** Why it failed (the failing checks) or was skipped. */
  reason: string | null;
  failures: string[];
  /** Every rule of the test loaded (the denominator of the conformance target). */
  rulesLoad: boolean;
  alerts: number;
  ms: number;
}

export interface VerifyRunOptions {
  /** Suricata version claimed for `requires` (default 8.0.0). */
  version?: string;
}

/** Event types a test's checks expect to find (count > 0). */
function expectedTypes(tc: VerifyTestCase): string[] {
  const out = new Set<string>();
  for (const c of tc.checks) {
    const f = c.filter as { count?: unknown; match?: Record<string, unknown>; filename?: string } | undefined;
    if (!f) continue;
    const t = f.match?.event_type;
    if (typeof t === 'string' && Number(f.count) > 0) out.add(t);
  }
  return [...out];
}

/** Engine settings from the test's `--set` args and suricata.yaml. */
export function engineConfigFor(tc: VerifyTestCase): IdsEngineConfig {
  const stream: Partial<StreamConfig> = {};
  const http: Partial<HttpConfig> = {};
  const y = (tc.suricataYaml ?? {}) as Record<string, unknown>;
  const ys = y.stream as Record<string, unknown> | undefined;
  if (ys && (ys.midstream === true || ys.midstream === 'true' || ys.midstream === 'yes'))
    stream.midstream = true;
  let midstreamPolicy: IdsEngineConfig['midstreamPolicy'];
  // the master switch, then the stream section of the test's suricata.yaml
  const master = y['exception-policy'];
  if (typeof master === 'string' && master !== 'auto')
    midstreamPolicy = master as IdsEngineConfig['midstreamPolicy'];
  if (ys && typeof ys['midstream-policy'] === 'string' && ys['midstream-policy'] !== 'auto')
    midstreamPolicy = ys['midstream-policy'] as IdsEngineConfig['midstreamPolicy'];
  let streamInline = false;
  const truthy = (v: string) => v === 'true' || v === 'yes' || v === '1';
  for (const [k, v] of Object.entries(tc.sets)) {
    if (k === 'stream.midstream') stream.midstream = truthy(v);
    else if (k === 'stream.async-oneside') stream.asyncOneside = truthy(v);
    else if (k.endsWith('.request-body-limit')) http.requestBodyLimit = sizeValue(v);
    else if (k.endsWith('.response-body-limit')) http.responseBodyLimit = sizeValue(v);
    else if (k.endsWith('.response-body-decompress-layer-limit')) http.decompressLayerLimit = Number(v);
    else if (k === 'stream.reassembly.depth') stream.depth = sizeValue(v);
    else if (k === 'stream.inline') streamInline = truthy(v);
    else if (k === 'stream.midstream-policy') midstreamPolicy = v as IdsEngineConfig['midstreamPolicy'];
  }
  let thresholdConfig = null;
  const tf = tc.sets['threshold-file'];
  if (tf) thresholdConfig = parseThresholdConfig(readFileSync(tf, 'utf8'), tc.vars);
  return {
    stream,
    http,
    thresholdConfig,
    midstreamPolicy,
    streamInline,
    eve: {
      flow: true,
      http: true,
      fileinfo: true,
      stats: true,
      ssh: true,
      metadata: true,
      payload: true,
      drop: eveTypeOptions(tc.suricataYaml, 'drop', dropOptions, { alerts: true, flows: 'all' }),
      dns: eveTypeOptions(tc.suricataYaml, 'dns', (o) => ({ version: dnsVersion(tc, o) })),
      tls: eveTypeOptions(tc.suricataYaml, 'tls', () => true),
    },
  };
}

/**
 * The settings of one EVE record type in the test's suricata.yaml (the `eve-log` output
 * writing eve.json): false when the type is not listed. Without a suricata.yaml, Suricata's
 * default configuration applies (`whenDefault`).
 */
function eveTypeOptions<T>(
  yaml: unknown,
  type: string,
  parse: (o: Record<string, unknown> | null) => T,
  whenDefault: T | false = parse(null),
): T | false {
  const outputs = eveOutputs(yaml);
  if (outputs === null) return whenDefault;
  // the eve.json output decides; else the first other EVE output listing the type
  const main = outputs.find((o) => o.filename === 'eve.json');
  for (const o of main !== undefined ? [main] : outputs) {
    const t = o.types.get(type);
    if (t !== undefined) return parse(t);
  }
  return false;
}

interface EveOutput {
  filename: string;
  /** Listed record types and their settings (null: listed bare). */
  types: Map<string, Record<string, unknown> | null>;
}

/** The eve-log outputs of a suricata.yaml (null when it has no `outputs` list). */
function eveOutputs(yaml: unknown): EveOutput[] | null {
  const y = yaml as Record<string, unknown> | null | undefined;
  if (!y || !Array.isArray(y.outputs)) return null;
  const out: EveOutput[] = [];
  for (const o of y.outputs as Array<Record<string, unknown>>) {
    const eve = o?.['eve-log'] as Record<string, unknown> | undefined;
    if (!eve || typeof eve !== 'object') continue;
    const types = new Map<string, Record<string, unknown> | null>();
    for (const t of Array.isArray(eve.types) ? (eve.types as unknown[]) : []) {
      if (typeof t === 'string') types.set(t, null);
      else if (t !== null && typeof t === 'object')
        for (const [k, v] of Object.entries(t))
          types.set(k, v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null);
    }
    out.push({ filename: typeof eve.filename === 'string' ? eve.filename : 'eve.json', types });
  }
  return out;
}

/**
 * The records of each EVE output other than eve.json (a test's `filename` checks): the
 * engine's records of the types that output lists.
 */
function otherEveFiles(yaml: unknown, records: EveRecord[]): Record<string, EveRecord[]> {
  const files: Record<string, EveRecord[]> = {};
  for (const o of eveOutputs(yaml) ?? []) {
    if (o.filename === 'eve.json') continue;
    files[o.filename] = records.filter((r) => o.types.has(String(r.event_type)));
  }
  return files;
}

/** The DNS record format: the test's SURICATA_EVE_DNS_VERSION, its suricata.yaml, else 3 (Suricata 8). */
function dnsVersion(tc: VerifyTestCase, o: Record<string, unknown> | null): DnsEveVersion {
  const env = (tc.config.env as Record<string, unknown> | undefined)?.SURICATA_EVE_DNS_VERSION;
  const v = Number(env ?? o?.version ?? 3);
  return v === 2 ? 2 : 3;
}

function yes(v: unknown): boolean {
  return v === true || v === 'yes' || v === 'true' || v === 'on' || v === 1;
}

function dropOptions(o: Record<string, unknown> | null): DropLogOptions {
  // a bare `- drop`: output-json-drop.c's defaults
  if (o === null) return { alerts: false, flows: 'start' };
  return { alerts: yes(o.alerts), flows: o.flows === 'all' ? 'all' : 'start' };
}

/** "100kb", "1mb", "4096" -> bytes. */
function sizeValue(v: string): number {
  const m = /^\s*(\d+)\s*(kb|mb|gb|k|m|g)?\s*$/i.exec(v);
  if (!m) return 0;
  const n = Number(m[1]);
  const u = (m[2] ?? '').toLowerCase()[0];
  return u === 'k' ? n * 1024 : u === 'm' ? n * 1024 * 1024 : u === 'g' ? n * 1024 ** 3 : n;
}

/** Runs one suricata-verify test directory. Never throws for a bad test: it fails instead. */
export async function runVerifyTest(dir: string, opts: VerifyRunOptions = {}): Promise<VerifyOutcome> {
  const t0 = performance.now();
  const base = { dir, failures: [] as string[], alerts: 0 };
  let tc: VerifyTestCase;
  try {
    tc = readTestCase(dir, { version: opts.version });
  } catch (e) {
    const err = toSentraError(e);
    return {
      ...base,
      name: dir,
      status: 'fail',
      reason: `cannot read the test: ${err.message}`,
      rulesLoad: false,
      ms: 0,
    };
  }
  const done = (status: VerifyOutcome['status'], reason: string | null, rulesLoad: boolean, extra = {}) => ({
    ...base,
    name: tc.name,
    status,
    reason,
    rulesLoad,
    ms: Math.round(performance.now() - t0),
    ...extra,
  });
  if (tc.notSupported) return done('not-supported', tc.notSupported, false);
  const loaded = loadTestRules(tc);
  const support = rulesSupport(loaded);
  if (!support.allLoad) return done('not-supported', `rule left out: ${support.reason}`, false);
  if (tc.pcap === null) return done('not-supported', 'no pcap', true);
  if (!existsSync(tc.pcap))
    return done('not-supported', `the pcap ${tc.pcap} is missing from the corpus`, true);
  const missing = expectedTypes(tc).filter((t) => !PRODUCED_EVENT_TYPES.has(t));
  if (missing.length > 0)
    return done('not-supported', `checks ${missing.join(', ')} records, which Sentra does not write`, true);
  if (tc.checks.some((c) => 'shell' in c)) return done('not-supported', 'shell checks', true);
  const sink = new MemorySink();
  try {
    const r = await runIdsOnCapture(tc.pcap, {
      ruleSet: loaded.ruleSet,
      ips: tc.ips,
      sinks: [sink],
      config: engineConfigFor(tc),
    });
    if (r.failure !== undefined) {
      const err = toSentraError(r.failure);
      if (err.code !== ErrorCodes.PCAP_TRUNCATED) throw err;
    }
  } catch (e) {
    const err = e instanceof SentraError ? e : toSentraError(e);
    return done('fail', `engine error: ${err.message}`, true, { failures: [err.message] });
  }
  const records = sink.records as EveRecord[];
  const alerts = records.filter((r) => r.event_type === 'alert').length;
  const res = evaluateChecks(tc.checks, records, {
    version: opts.version,
    otherFiles: otherEveFiles(tc.suricataYaml, records),
  });
  if (res.status === 'pass') return done('pass', null, true, { alerts });
  if (res.status === 'fail')
    return done('fail', res.failures[0] ?? 'a check failed', true, { failures: res.failures, alerts });
  const why = res.outcomes.find((o) => o.kind === 'unsupported');
  return done('not-supported', why && 'reason' in why ? why.reason : 'a check is not supported', true, {
    alerts,
  });
}
