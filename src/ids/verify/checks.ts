/**
 * suricata-verify's `checks` over EVE records: `filter` (count the records whose fields
 * match), `stats` (values of the last stats record), with the runner's conventions:
 *
 * - keys are dotted paths, `name[N]` indexes arrays (`alert.metadata.tag[0]`);
 * - `__len` as the last part gives the length of the value (-1 when it has none);
 * - `__contains`, `__find`, `__startswith`, `__endswith` as the last part compare the value
 *   with the expected one: membership in a list or substring of a string, substring,
 *   prefix, suffix;
 * - `has-key` / `not-has-key` take a path that must (not) exist;
 * - otherwise values compare with Python's `==` (1 == 1.0 == True; "1" != 1; deep for
 *   lists and mappings);
 * - a check with `requires: {min-version, lt-version, ...}` not met by the version we claim
 *   is skipped.
 */
import { versionSatisfies } from './version.js';

/** The value at a dotted path, or undefined when a part is missing. */
export function findValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (part === '__len') {
      if (typeof cur === 'string' || Array.isArray(cur)) return cur.length;
      if (cur !== null && typeof cur === 'object') return Object.keys(cur).length;
      return -1;
    }
    if (part === '__contains' || part === '__find' || part === '__startswith' || part === '__endswith')
      return cur;
    const m = /^(.*)\[(\d+)\]$/.exec(part);
    const name = m ? m[1] : part;
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (!Object.hasOwn(cur, name)) return undefined;
    cur = (cur as Record<string, unknown>)[name];
    if (m) {
      if (!Array.isArray(cur)) return undefined;
      const i = Number(m[2]);
      if (i >= cur.length) return undefined;
      cur = cur[i];
    }
  }
  return cur;
}

/** Python's `a == b` for JSON/YAML values. */
export function pyEquals(a: unknown, b: unknown): boolean {
  const num = (x: unknown) => (typeof x === 'boolean' ? (x ? 1 : 0) : x);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') return x === y;
  if (x === null || y === null || x === undefined || y === undefined) return (x ?? null) === (y ?? null);
  if (typeof x !== typeof y) return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    return x.every((v, i) => pyEquals(v, y[i]));
  }
  if (typeof x === 'object') {
    if (Array.isArray(y)) return false;
    const ka = Object.keys(x as object);
    const kb = Object.keys(y as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(y as object, k) && pyEquals((x as never)[k], (y as never)[k]));
  }
  return x === y;
}

/** True when `event` satisfies every entry of a filter's `match`. */
export function eventMatches(event: unknown, match: Record<string, unknown>): boolean {
  for (const [key, expected] of Object.entries(match)) {
    if (key === 'has-key') {
      if (findValue(event, String(expected)) === undefined) return false;
      continue;
    }
    if (key === 'not-has-key') {
      if (findValue(event, String(expected)) !== undefined) return false;
      continue;
    }
    const val = findValue(event, key);
    if (key.endsWith('.__contains') || key === '__contains') {
      if (Array.isArray(val)) {
        if (!val.some((v) => pyEquals(v, expected))) return false;
      } else if (typeof val === 'string') {
        if (!val.includes(String(expected))) return false;
      } else return false;
      continue;
    }
    if (key.endsWith('__find')) {
      if (typeof val !== 'string' || !val.includes(String(expected))) return false;
      continue;
    }
    if (key.endsWith('__startswith')) {
      if (typeof val !== 'string' || !val.startsWith(String(expected))) return false;
      continue;
    }
    if (key.endsWith('__endswith')) {
      if (typeof val !== 'string' || !val.endsWith(String(expected))) return false;
      continue;
    }
    if (val === undefined || !pyEquals(val, expected)) return false;
  }
  return true;
}

export interface FilterSpec {
  count: number;
  match: Record<string, unknown>;
  filename?: string;
  comment?: string;
  requires?: Record<string, unknown>;
}

export type CheckOutcome =
  | {
      kind: 'filter';
      status: 'pass' | 'fail';
      expected: number;
      actual: number;
      filter: FilterSpec;
      message: string;
    }
  | { kind: 'stats'; status: 'pass' | 'fail'; message: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'unsupported'; reason: string };

/** Counts the records matching a filter. */
export function countMatches(events: readonly unknown[], match: Record<string, unknown>): number {
  let n = 0;
  for (const e of events) if (eventMatches(e, match)) n++;
  return n;
}

export interface EvaluateOptions {
  /** Suricata version we claim for `requires` (default 8.0.0). */
  version?: string;
  /** Records of other output files named by a filter's `filename`, by file name. */
  otherFiles?: Record<string, readonly unknown[]>;
}

/** Evaluates one entry of a test's `checks` list. */
export function evaluateCheck(
  check: Record<string, unknown>,
  events: readonly unknown[],
  opts: EvaluateOptions = {},
): CheckOutcome {
  const version = opts.version ?? '8.0.0';
  if ('filter' in check) {
    const f = check.filter as FilterSpec;
    if (f.requires) {
      const why = versionSatisfies(f.requires, version);
      if (why !== null) return { kind: 'skipped', reason: why };
    }
    let source = events;
    if (f.filename && f.filename !== 'eve.json') {
      const other = opts.otherFiles?.[f.filename];
      if (!other) return { kind: 'unsupported', reason: `output file ${f.filename} is not produced` };
      source = other;
    }
    const actual = countMatches(source, f.match ?? {});
    const expected = Number(f.count);
    const ok = actual === expected;
    return {
      kind: 'filter',
      status: ok ? 'pass' : 'fail',
      expected,
      actual,
      filter: f,
      message: ok
        ? `${actual} matching records`
        : `${f.comment ? f.comment + ': ' : ''}expected ${expected} matching records, got ${actual} for ${JSON.stringify(f.match)}`,
    };
  }
  if ('stats' in check) {
    let stats: unknown;
    for (const e of events) {
      if (e && typeof e === 'object' && (e as Record<string, unknown>).event_type === 'stats')
        stats = (e as Record<string, unknown>).stats;
    }
    for (const [k, v] of Object.entries(check.stats as Record<string, unknown>)) {
      const got = findValue(stats, k);
      if (got === undefined || !pyEquals(got, v))
        return {
          kind: 'stats',
          status: 'fail',
          message: `stats.${k}: expected ${JSON.stringify(v)}; got ${JSON.stringify(got)}`,
        };
    }
    return { kind: 'stats', status: 'pass', message: 'stats match' };
  }
  if ('shell' in check) return { kind: 'unsupported', reason: 'shell checks run commands; not supported' };
  return { kind: 'unsupported', reason: `unknown check type ${Object.keys(check).join(',')}` };
}

export interface ChecksResult {
  status: 'pass' | 'fail' | 'not-supported';
  outcomes: CheckOutcome[];
  failures: string[];
}

/** Evaluates every check: fails when one fails, not-supported when one cannot be evaluated. */
export function evaluateChecks(
  checks: readonly Record<string, unknown>[],
  events: readonly unknown[],
  opts: EvaluateOptions = {},
): ChecksResult {
  const outcomes = checks.map((c) => evaluateCheck(c, events, opts));
  const failures: string[] = [];
  let unsupported = false;
  for (const o of outcomes) {
    if ((o.kind === 'filter' || o.kind === 'stats') && o.status === 'fail') failures.push(o.message);
    if (o.kind === 'unsupported') unsupported = true;
  }
  return { status: failures.length ? 'fail' : unsupported ? 'not-supported' : 'pass', outcomes, failures };
}
