/**
 * nftables scripts for Sentra's table, and the parser of `nft -j` output. Pure: text in, text
 * out, no I/O, so the memory backend prints exactly what the nftables backend would run.
 *
 * The layout (one `inet` table, so one rule serves IPv4 and IPv6):
 *   sets     ban4 ban6 (hosts, hash) · ban4net ban6net (blocks, interval) · allow* likewise
 *            ports (inet_proto . inet_service, interval) — all with per-element timeouts
 *   counters ban_drops port_drops policy_<chain> and r_<id> per custom rule (named, so they
 *            survive the chain being rewritten)
 *   chains   input forward output, priority filter-10, rewritten whole in one transaction
 * Hosts and blocks live in separate sets because an interval set refuses overlapping elements,
 * and a host inside a banned /24 is a normal thing to have.
 */
import type { PortRange } from '../../net/address.js';
import type {
  AddrElement,
  AddrSetKind,
  ChainLayout,
  CounterValue,
  KernelCounters,
  KernelRule,
  KernelSnapshot,
  PortElement,
} from '../backend.js';
import { ruleFamily, zeroCounters } from '../backend.js';
import { formatDuration } from '../duration.js';
import {
  type AddrTarget,
  CHAINS,
  type Chain,
  type Family,
  type Policies,
  type PortProtocol,
} from '../model.js';
import { parseTarget } from '../validate.js';

/** Base chain priority: before the usual `filter` (0) chains, so bans act first. */
export const NFT_PRIORITY = -10;

export function nftSetName(kind: AddrSetKind, family: Family, host: boolean): string {
  return `${kind}${family}${host ? '' : 'net'}`;
}

function setFor(kind: AddrSetKind, t: AddrTarget): string {
  return nftSetName(kind, t.family, t.prefix === (t.family === 4 ? 32 : 128));
}

export function ruleCounterName(id: string): string {
  return 'r_' + id.slice('fw-rule-'.length);
}

const ADDR_SETS: { kind: AddrSetKind; family: Family; host: boolean }[] = [];
for (const kind of ['ban', 'allow'] as const)
  for (const family of [4, 6] as const)
    for (const host of [true, false]) ADDR_SETS.push({ kind, family, host });

/** The sets and fixed counters a complete table has (chains are checked through their policies). */
const SKELETON: readonly string[] = [
  ...ADDR_SETS.map((s) => `set:${nftSetName(s.kind, s.family, s.host)}`),
  'set:ports',
  ...['ban_drops', 'port_drops', ...CHAINS.map((ch) => `policy_${ch}`)].map((c) => `counter:${c}`),
];

/** Idempotent creation of the table skeleton (`add` leaves existing objects and policies alone). */
export function nftInitScript(table: string): string {
  const t = `inet ${table}`;
  const lines = [`add table ${t}`];
  for (const c of ['ban_drops', 'port_drops', ...CHAINS.map((ch) => `policy_${ch}`)]) {
    lines.push(`add counter ${t} ${c}`);
  }
  for (const s of ADDR_SETS) {
    const type = s.family === 4 ? 'ipv4_addr' : 'ipv6_addr';
    const flags = s.host ? 'timeout' : 'interval,timeout';
    lines.push(`add set ${t} ${nftSetName(s.kind, s.family, s.host)} { type ${type}; flags ${flags}; }`);
  }
  lines.push(`add set ${t} ports { type inet_proto . inet_service; flags interval,timeout; }`);
  for (const ch of CHAINS) {
    lines.push(`add chain ${t} ${ch} { type filter hook ${ch} priority ${NFT_PRIORITY}; }`);
  }
  return lines.join('\n') + '\n';
}

function timeoutText(ms: number | null): string {
  return ms === null ? '' : ` timeout ${formatDuration(Math.max(1, ms))}`;
}

function groupBySet<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/**
 * Adds address elements. With `replace`, each element is added bare, deleted and added again
 * with its timeout: the only way in nft 1.0 to change the timeout of an element that may or may
 * not exist, inside one transaction.
 */
export function nftAddAddressesScript(
  table: string,
  kind: AddrSetKind,
  els: readonly AddrElement[],
  replace: boolean,
): string {
  const out: string[] = [];
  for (const [set, group] of groupBySet(els, (e) => setFor(kind, e.target))) {
    const prefix = `inet ${table} ${set}`;
    if (replace) {
      const bare = group.map((e) => e.target.text).join(', ');
      out.push(`add element ${prefix} { ${bare} }`, `delete element ${prefix} { ${bare} }`);
    }
    out.push(
      `add element ${prefix} { ${group.map((e) => e.target.text + timeoutText(e.timeoutMs)).join(', ')} }`,
    );
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

/** Removes address elements; adding them bare first makes the delete succeed if they expired. */
export function nftRemoveAddressesScript(
  table: string,
  kind: AddrSetKind,
  targets: readonly AddrTarget[],
): string {
  const out: string[] = [];
  for (const [set, group] of groupBySet(targets, (t) => setFor(kind, t))) {
    const bare = group.map((t) => t.text).join(', ');
    out.push(
      `add element inet ${table} ${set} { ${bare} }`,
      `delete element inet ${table} ${set} { ${bare} }`,
    );
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

function portText(p: { protocol: PortProtocol; from: number; to: number }): string {
  return `${p.protocol} . ${p.from === p.to ? p.from : `${p.from}-${p.to}`}`;
}

export function nftAddPortsScript(table: string, els: readonly PortElement[], replace: boolean): string {
  if (els.length === 0) return '';
  const prefix = `inet ${table} ports`;
  const out: string[] = [];
  if (replace) {
    const bare = els.map(portText).join(', ');
    out.push(`add element ${prefix} { ${bare} }`, `delete element ${prefix} { ${bare} }`);
  }
  out.push(`add element ${prefix} { ${els.map((e) => portText(e) + timeoutText(e.timeoutMs)).join(', ')} }`);
  return out.join('\n') + '\n';
}

export function nftRemovePortsScript(table: string, els: readonly PortElement[]): string {
  if (els.length === 0) return '';
  const bare = els.map(portText).join(', ');
  return `add element inet ${table} ports { ${bare} }\ndelete element inet ${table} ports { ${bare} }\n`;
}

function rangeText(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

/** The nft expression of one custom rule. */
export function nftRuleExpr(r: KernelRule): string {
  const fam = ruleFamily(r);
  const ipk = fam === 6 ? 'ip6' : 'ip';
  const p: string[] = [];
  if (r.src) p.push(`${ipk} saddr ${r.src.text}`);
  if (r.dst) p.push(`${ipk} daddr ${r.dst.text}`);
  if (r.protocol === 'icmp') p.push('meta l4proto icmp');
  else if (r.protocol === 'icmpv6') p.push('meta l4proto ipv6-icmp');
  else if (r.protocol === 'tcp' || r.protocol === 'udp') {
    if (r.srcPort || r.dstPort) {
      if (r.srcPort) p.push(`${r.protocol} sport ${rangeText(r.srcPort)}`);
      if (r.dstPort) p.push(`${r.protocol} dport ${rangeText(r.dstPort)}`);
    } else {
      p.push(`meta l4proto ${r.protocol}`);
    }
  }
  p.push(`counter name ${ruleCounterName(r.id)}`);
  p.push(r.action);
  p.push(`comment "${r.id}"`);
  return p.join(' ');
}

const ND_TYPES = 'nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert';

function chainBody(ch: Chain, layout: ChainLayout): string[] {
  const r: string[] = [];
  const drop = layout.policies[ch] === 'drop';
  if (ch === 'input') r.push('iif "lo" accept comment "sentra:lo"');
  if (ch === 'output') r.push('oif "lo" accept comment "sentra:lo"');
  if (ch !== 'output') {
    for (const fam of [4, 6] as const) {
      const k = fam === 4 ? 'ip' : 'ip6';
      for (const host of [true, false]) {
        r.push(`${k} saddr @${nftSetName('allow', fam, host)} accept comment "sentra:allow"`);
      }
    }
    for (const fam of [4, 6] as const) {
      const k = fam === 4 ? 'ip' : 'ip6';
      for (const host of [true, false]) {
        r.push(
          `${k} saddr @${nftSetName('ban', fam, host)} counter name ban_drops drop comment "sentra:ban"`,
        );
      }
    }
  }
  if (ch === 'input')
    r.push('meta l4proto . th dport @ports counter name port_drops drop comment "sentra:port"');
  for (const rule of layout.rules) if (rule.chain === ch) r.push(nftRuleExpr(rule));
  if (drop) {
    r.push('ct state established,related accept comment "sentra:established"');
    // without neighbour discovery IPv6 stops working altogether under a drop policy
    r.push(`icmpv6 type { ${ND_TYPES} } accept comment "sentra:nd"`);
  }
  r.push(`counter name policy_${ch} comment "sentra:policy"`);
  return r;
}

/**
 * Rewrites Sentra's three chains in one transaction: counters for new rules, the policies, the
 * rules themselves; then removes the counters of rules that are gone.
 */
export function nftChainsScript(
  table: string,
  layout: ChainLayout,
  staleCounters: readonly string[] = [],
): string {
  const t = `inet ${table}`;
  const lines: string[] = [];
  for (const rule of layout.rules) lines.push(`add counter ${t} ${ruleCounterName(rule.id)}`);
  for (const ch of CHAINS) {
    lines.push(
      `add chain ${t} ${ch} { type filter hook ${ch} priority ${NFT_PRIORITY}; policy ${layout.policies[ch]}; }`,
    );
    lines.push(`flush chain ${t} ${ch}`);
    for (const body of chainBody(ch, layout)) lines.push(`add rule ${t} ${ch} ${body}`);
  }
  for (const c of staleCounters) lines.push(`delete counter ${t} ${c}`);
  return lines.join('\n') + '\n';
}

/** Empties every set and rule, policies back to accept; the skeleton stays. */
export function nftFlushScript(table: string): string {
  const t = `inet ${table}`;
  const lines: string[] = [];
  for (const s of ADDR_SETS) lines.push(`flush set ${t} ${nftSetName(s.kind, s.family, s.host)}`);
  lines.push(`flush set ${t} ports`);
  return (
    lines.join('\n') +
    '\n' +
    nftChainsScript(table, { rules: [], policies: { input: 'accept', output: 'accept', forward: 'accept' } })
  );
}

// ---------------------------------------------------------------------------------------------
// parsing `nft -j list ...`

type Json = unknown;

function asObj(x: Json): Record<string, Json> | null {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, Json>) : null;
}

function items(doc: Json): Record<string, Json>[] {
  const arr = asObj(doc)?.nftables;
  return Array.isArray(arr) ? (arr.map(asObj).filter(Boolean) as Record<string, Json>[]) : [];
}

/** Splits an element into its value and remaining lifetime. */
function unwrapElem(e: Json): { val: Json; timeoutMs: number | null } {
  const o = asObj(e);
  const inner = o ? asObj(o.elem) : null;
  if (inner) {
    const expires = typeof inner.expires === 'number' ? inner.expires : null;
    const timeout = typeof inner.timeout === 'number' ? inner.timeout : null;
    const left = expires ?? timeout;
    return { val: inner.val, timeoutMs: left === null ? null : left * 1000 };
  }
  return { val: e, timeoutMs: null };
}

function addrFromVal(val: Json): AddrTarget | null {
  if (typeof val === 'string') return safeTarget(val);
  const o = asObj(val);
  const pfx = o ? asObj(o.prefix) : null;
  if (pfx && typeof pfx.addr === 'string' && typeof pfx.len === 'number') {
    return safeTarget(`${pfx.addr}/${pfx.len}`);
  }
  const range = o?.range;
  if (Array.isArray(range) && typeof range[0] === 'string' && range[0] === range[1])
    return safeTarget(range[0]);
  return null;
}

function safeTarget(s: string): AddrTarget | null {
  try {
    return parseTarget(s);
  } catch {
    return null;
  }
}

const PROTO_NUM: Record<number, PortProtocol> = { 6: 'tcp', 17: 'udp' };

function portFromVal(val: Json, timeoutMs: number | null): PortElement | null {
  const concat = asObj(val)?.concat;
  if (!Array.isArray(concat) || concat.length !== 2) return null;
  const [p, port] = concat;
  const protocol = typeof p === 'number' ? PROTO_NUM[p] : p === 'tcp' || p === 'udp' ? p : undefined;
  if (!protocol) return null;
  if (typeof port === 'number') return { protocol, from: port, to: port, timeoutMs };
  const range = asObj(port)?.range;
  if (Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number') {
    return { protocol, from: range[0], to: range[1], timeoutMs };
  }
  return null;
}

/** Reads the whole table (`nft -j list table inet T`) into a snapshot. */
export function parseNftTable(doc: Json): KernelSnapshot {
  const snap: KernelSnapshot = {
    present: false,
    bans: [],
    allows: [],
    ports: [],
    rules: { input: [], output: [], forward: [] },
    policies: null,
  };
  const pol: Partial<Policies> = {};
  const seen = new Set<string>();
  for (const it of items(doc)) {
    const counter = asObj(it.counter);
    if (counter && typeof counter.name === 'string') {
      seen.add(`counter:${counter.name}`);
      continue;
    }
    const set = asObj(it.set);
    if (set && typeof set.name === 'string') {
      seen.add(`set:${set.name}`);
      const elems = Array.isArray(set.elem) ? set.elem : [];
      if (set.name === 'ports') {
        for (const e of elems) {
          const { val, timeoutMs } = unwrapElem(e);
          const p = portFromVal(val, timeoutMs);
          if (p) snap.ports.push(p);
        }
        continue;
      }
      const kind = set.name.startsWith('ban') ? 'ban' : set.name.startsWith('allow') ? 'allow' : null;
      if (!kind) continue;
      const out = kind === 'ban' ? snap.bans : snap.allows;
      for (const e of elems) {
        const { val, timeoutMs } = unwrapElem(e);
        const target = addrFromVal(val);
        if (target) out.push({ target, timeoutMs });
      }
      continue;
    }
    const chain = asObj(it.chain);
    if (chain && typeof chain.name === 'string' && (CHAINS as readonly string[]).includes(chain.name)) {
      pol[chain.name as Chain] = chain.policy === 'drop' ? 'drop' : 'accept';
      continue;
    }
    const rule = asObj(it.rule);
    if (rule && typeof rule.chain === 'string' && typeof rule.comment === 'string') {
      if ((CHAINS as readonly string[]).includes(rule.chain) && rule.comment.startsWith('fw-rule-')) {
        snap.rules[rule.chain as Chain].push(rule.comment);
      }
    }
  }
  if (pol.input && pol.output && pol.forward) snap.policies = pol as Policies;
  snap.present = snap.policies !== null && SKELETON.every((k) => seen.has(k));
  return snap;
}

/** Reads `nft -j list counters table inet T`. */
export function parseNftCounters(doc: Json): KernelCounters {
  const c = zeroCounters();
  for (const it of items(doc)) {
    const o = asObj(it.counter);
    if (!o || typeof o.name !== 'string') continue;
    const v: CounterValue = {
      packets: typeof o.packets === 'number' ? o.packets : 0,
      bytes: typeof o.bytes === 'number' ? o.bytes : 0,
    };
    if (o.name === 'ban_drops') c.bans = v;
    else if (o.name === 'port_drops') c.ports = v;
    else if (o.name.startsWith('policy_')) {
      const ch = o.name.slice('policy_'.length);
      if ((CHAINS as readonly string[]).includes(ch)) c.policy[ch as Chain] = v;
    } else if (/^r_[0-9a-f]{12}$/.test(o.name)) c.rules['fw-rule-' + o.name.slice(2)] = v;
  }
  return c;
}

/** Names of per-rule counters present in the table. */
export function nftRuleCounterNames(doc: Json): string[] {
  const out: string[] = [];
  for (const it of items(doc)) {
    const o = asObj(it.counter);
    if (o && typeof o.name === 'string' && /^r_[0-9a-f]{12}$/.test(o.name)) out.push(o.name);
  }
  return out;
}
