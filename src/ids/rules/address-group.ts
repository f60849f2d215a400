/**
 * Address groups of a rule header: `any`, addresses, CIDRs, ranges (`10.0.0.1-10.0.0.9`),
 * `$VARS`, lists `[a,b]`, negation `!a` and nested lists, for IPv4 and IPv6. A list is the
 * union of its positive members minus the union of its negated ones (everything minus the
 * negated ones when it has no positive member), as Suricata defines it.
 */
import { parseCidr, parseIp } from '../../net/address.js';
import { bytesToBig, FULL_V4, FULL_V6, IpSet, mergeRanges, subtractRanges } from '../match/ip-set.js';
import { PortSet } from '../match/port-set.js';
import type { RuleVars } from './vars.js';

type Ranges = Array<[bigint, bigint]>;
interface AddrSet {
  v4: Ranges;
  v6: Ranges;
}

/** Thrown for a malformed group; the parser reports it as a syntax problem. */
export class GroupError extends Error {}

const MAX_DEPTH = 32;

/** Splits a list body on top-level commas. */
function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out.filter((x) => x !== '');
}

function full(): AddrSet {
  return { v4: [FULL_V4], v6: [FULL_V6] };
}

function resolveAddr(spec: string, vars: RuleVars, depth: number): AddrSet {
  if (depth > MAX_DEPTH)
    throw new GroupError('address variables nest too deep (a variable refers to itself?)');
  const s = spec.trim();
  if (s === '') throw new GroupError('empty address');
  if (s === 'any') return full();
  if (s.startsWith('!')) {
    const inner = resolveAddr(s.slice(1), vars, depth + 1);
    return { v4: subtractRanges([FULL_V4], inner.v4), v6: subtractRanges([FULL_V6], inner.v6) };
  }
  if (s.startsWith('$')) {
    const name = s.slice(1);
    const v = vars.address[name];
    if (v === undefined) throw new GroupError(`unknown address variable $${name}`);
    return resolveAddr(v, vars, depth + 1);
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new GroupError(`unbalanced brackets in "${s.slice(0, 60)}"`);
    const items = splitList(s.slice(1, -1));
    if (items.length === 0) throw new GroupError('empty address list');
    const pos: AddrSet = { v4: [], v6: [] };
    const neg: AddrSet = { v4: [], v6: [] };
    let anyPos = false;
    for (const it of items) {
      if (it.startsWith('!')) {
        const r = resolveAddr(it.slice(1), vars, depth + 1);
        neg.v4.push(...r.v4);
        neg.v6.push(...r.v6);
      } else {
        anyPos = true;
        const r = resolveAddr(it, vars, depth + 1);
        pos.v4.push(...r.v4);
        pos.v6.push(...r.v6);
      }
    }
    const base = anyPos ? pos : full();
    return { v4: subtractRanges(base.v4, neg.v4), v6: subtractRanges(base.v6, neg.v6) };
  }
  const dash = s.indexOf('-');
  if (dash > 0) {
    let a: Uint8Array;
    let b: Uint8Array;
    try {
      a = parseIp(s.slice(0, dash).trim()).bytes;
      b = parseIp(s.slice(dash + 1).trim()).bytes;
    } catch {
      throw new GroupError(`invalid address range "${s}"`);
    }
    if (a.length !== b.length) throw new GroupError(`address range "${s}" mixes IPv4 and IPv6`);
    const r: [bigint, bigint] = [bytesToBig(a), bytesToBig(b)];
    if (r[0] > r[1]) throw new GroupError(`address range "${s}" runs backwards`);
    return a.length === 4 ? { v4: [r], v6: [] } : { v4: [], v6: [r] };
  }
  let c: ReturnType<typeof parseCidr>;
  try {
    c = parseCidr(s);
  } catch {
    throw new GroupError(`invalid address "${s}"`);
  }
  const bits = c.family === 4 ? 32 : 128;
  const start = bytesToBig(c.bytes);
  const end = start + (1n << BigInt(bits - c.prefix)) - 1n;
  return c.family === 4 ? { v4: [[start, end]], v6: [] } : { v4: [], v6: [[start, end]] };
}

/** Resolves an address group to a lookup set. `cache` shares sets between rules. */
export function parseAddressGroup(spec: string, vars: RuleVars, cache?: Map<string, IpSet>): IpSet {
  const hit = cache?.get(spec);
  if (hit) return hit;
  const r = resolveAddr(spec, vars, 0);
  const v4 = mergeRanges(r.v4);
  const v6 = mergeRanges(r.v6);
  if (v4.length === 0 && v6.length === 0)
    throw new GroupError(`address group "${spec.slice(0, 60)}" matches nothing`);
  const set = new IpSet(
    v4.map(([a, b]) => [Number(a), Number(b)] as [number, number]),
    v6,
  );
  cache?.set(spec, set);
  return set;
}

type PRanges = Array<[number, number]>;

function subtractPorts(all: PRanges, remove: PRanges): PRanges {
  const r = subtractRanges(
    all.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]),
    remove.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]),
  );
  return r.map(([a, b]) => [Number(a), Number(b)] as [number, number]);
}

function parsePortNumber(s: string): number {
  if (!/^\d{1,5}$/.test(s)) throw new GroupError(`invalid port "${s}"`);
  const v = Number(s);
  if (v > 65535) throw new GroupError(`port ${v} is above 65535`);
  return v;
}

function resolvePorts(spec: string, vars: RuleVars, depth: number): PRanges {
  if (depth > MAX_DEPTH) throw new GroupError('port variables nest too deep (a variable refers to itself?)');
  const s = spec.trim();
  if (s === '') throw new GroupError('empty port');
  if (s === 'any') return [[0, 65535]];
  if (s.startsWith('!')) return subtractPorts([[0, 65535]], resolvePorts(s.slice(1), vars, depth + 1));
  if (s.startsWith('$')) {
    const name = s.slice(1);
    const v = vars.port[name];
    if (v === undefined) throw new GroupError(`unknown port variable $${name}`);
    return resolvePorts(v, vars, depth + 1);
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new GroupError(`unbalanced brackets in "${s.slice(0, 60)}"`);
    const items = splitList(s.slice(1, -1));
    if (items.length === 0) throw new GroupError('empty port list');
    const pos: PRanges = [];
    const neg: PRanges = [];
    let anyPos = false;
    for (const it of items) {
      if (it.startsWith('!')) neg.push(...resolvePorts(it.slice(1), vars, depth + 1));
      else {
        anyPos = true;
        pos.push(...resolvePorts(it, vars, depth + 1));
      }
    }
    return subtractPorts(anyPos ? pos : [[0, 65535]], neg);
  }
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const a = s.slice(0, colon).trim();
    const b = s.slice(colon + 1).trim();
    const from = a === '' ? 0 : parsePortNumber(a);
    const to = b === '' ? 65535 : parsePortNumber(b);
    if (from > to) throw new GroupError(`port range "${s}" runs backwards`);
    return [[from, to]];
  }
  const p = parsePortNumber(s);
  return [[p, p]];
}

/** Resolves a port group (`80`, `1024:`, `[80,443,!8080]`, `$HTTP_PORTS`, `any`). */
export function parsePortGroup(spec: string, vars: RuleVars, cache?: Map<string, PortSet>): PortSet {
  const hit = cache?.get(spec);
  if (hit) return hit;
  const r = resolvePorts(spec, vars, 0);
  const set = new PortSet(r);
  if (set.ranges.length === 0) throw new GroupError(`port group "${spec.slice(0, 60)}" matches nothing`);
  cache?.set(spec, set);
  return set;
}
