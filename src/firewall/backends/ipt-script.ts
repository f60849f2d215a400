/**
 * iptables + ipset scripts for machines without nftables, and the parsers of `iptables-save -c`
 * and `ipset save`. Pure: text in, text out.
 *
 * The layout, per family (iptables and ip6tables):
 *   ipsets  <p>-ban4 <p>-ban6 <p>-allow4 <p>-allow6 (hash:net, per-element timeout)
 *           <p>-ptcp <p>-pudp (bitmap:port, shared by both families)
 *   chains  <P>_INPUT <P>_FORWARD <P>_OUTPUT in the filter table, jumped to from the first
 *           rule of INPUT/FORWARD/OUTPUT (comment `<p>`); rewritten whole with
 *           `iptables-restore --noflush --counters`, which replaces only the chains it names and
 *           is atomic per table. Every rule carries a comment unique in its chain, which is how
 *           counters are carried over a rewrite and read back.
 * A chain's "policy" is its last rule (`-j DROP` or a bare counter), so the built-in chains'
 * own policies, which Sentra did not set, are never changed.
 */
import type { PortRange } from '../../net/address.js';
import type {
  AddrElement,
  AddrSetKind,
  ChainLayout,
  CounterValue,
  KernelCounters,
  KernelRule,
  PortElement,
} from '../backend.js';
import { ruleFamily, zeroCounters } from '../backend.js';
import { type AddrTarget, CHAINS, type Chain, type Family, type PortProtocol } from '../model.js';
import { parseTarget } from '../validate.js';

/** ipset's longest timeout, in seconds (it refuses more). */
export const IPSET_MAX_TIMEOUT_S = 2_147_483;

export function iptChainName(prefix: string, ch: Chain): string {
  return `${prefix.toUpperCase()}_${ch.toUpperCase()}`;
}

export function ipsetName(prefix: string, kind: AddrSetKind, family: Family): string {
  return `${prefix}-${kind}${family}`;
}

export function ipsetPortName(prefix: string, protocol: PortProtocol): string {
  return `${prefix}-p${protocol}`;
}

/** Every set this backend owns, with its `create` line. */
export function ipsetCreateLines(prefix: string): string[] {
  const lines: string[] = [];
  for (const kind of ['ban', 'allow'] as const) {
    for (const fam of [4, 6] as const) {
      lines.push(
        `create ${ipsetName(prefix, kind, fam)} hash:net family ${fam === 4 ? 'inet' : 'inet6'} hashsize 4096 maxelem 4194304 timeout 0`,
      );
    }
  }
  for (const p of ['tcp', 'udp'] as const) {
    lines.push(`create ${ipsetPortName(prefix, p)} bitmap:port range 0-65535 timeout 0`);
  }
  return lines;
}

export function ipsetAllNames(prefix: string): string[] {
  return ipsetCreateLines(prefix).map((l) => l.split(' ')[1]);
}

function ipsetTimeout(ms: number | null): string {
  if (ms === null) return ' timeout 0';
  return ` timeout ${Math.min(IPSET_MAX_TIMEOUT_S, Math.max(1, Math.ceil(ms / 1000)))}`;
}

/** `ipset restore -exist` input: adding an existing element updates its timeout. */
export function ipsetAddScript(prefix: string, kind: AddrSetKind, els: readonly AddrElement[]): string {
  let s = '';
  for (const e of els)
    s += `add ${ipsetName(prefix, kind, e.target.family)} ${e.target.text}${ipsetTimeout(e.timeoutMs)}\n`;
  return s;
}

export function ipsetDelScript(prefix: string, kind: AddrSetKind, targets: readonly AddrTarget[]): string {
  let s = '';
  for (const t of targets) s += `del ${ipsetName(prefix, kind, t.family)} ${t.text}\n`;
  return s;
}

function portArg(p: { from: number; to: number }): string {
  return p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
}

export function ipsetAddPortsScript(prefix: string, els: readonly PortElement[]): string {
  return els
    .map((e) => `add ${ipsetPortName(prefix, e.protocol)} ${portArg(e)}${ipsetTimeout(e.timeoutMs)}\n`)
    .join('');
}

export function ipsetDelPortsScript(prefix: string, els: readonly PortElement[]): string {
  return els.map((e) => `del ${ipsetPortName(prefix, e.protocol)} ${portArg(e)}\n`).join('');
}

function ruleRange(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}:${r.to}`;
}

const IPT_PROTO: Record<string, string> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'ipv6-icmp' };

/** The iptables arguments of one custom rule (without `-A CHAIN`). */
export function iptRuleArgs(r: KernelRule): string {
  const p: string[] = [];
  if (r.src) p.push(`-s ${r.src.text}`);
  if (r.dst) p.push(`-d ${r.dst.text}`);
  if (r.protocol !== 'any') p.push(`-p ${IPT_PROTO[r.protocol]}`);
  if ((r.protocol === 'tcp' || r.protocol === 'udp') && (r.srcPort || r.dstPort)) {
    p.push(`-m ${r.protocol}`);
    if (r.srcPort) p.push(`--sport ${ruleRange(r.srcPort)}`);
    if (r.dstPort) p.push(`--dport ${ruleRange(r.dstPort)}`);
  }
  p.push(`-m comment --comment ${r.id}`);
  p.push(`-j ${r.action.toUpperCase()}`);
  return p.join(' ');
}

const ND6 = [
  'neighbour-solicitation',
  'neighbour-advertisement',
  'router-solicitation',
  'router-advertisement',
];

/** One chain's rules, each as [comment, args]; comments are unique within the chain. */
function chainRules(prefix: string, family: Family, ch: Chain, layout: ChainLayout): [string, string][] {
  const out: [string, string][] = [];
  const drop = layout.policies[ch] === 'drop';
  if (ch === 'input') out.push(['sentra:lo', '-i lo']);
  if (ch === 'output') out.push(['sentra:lo', '-o lo']);
  if (ch !== 'output') {
    out.push(['sentra:allow', `-m set --match-set ${ipsetName(prefix, 'allow', family)} src`]);
    out.push(['sentra:ban', `-m set --match-set ${ipsetName(prefix, 'ban', family)} src`]);
  }
  if (ch === 'input') {
    for (const p of ['tcp', 'udp'] as const) {
      out.push([`sentra:port-${p}`, `-p ${p} -m set --match-set ${ipsetPortName(prefix, p)} dst`]);
    }
  }
  const res: [string, string][] = [];
  for (const [comment, match] of out) {
    const target = comment === 'sentra:allow' || comment === 'sentra:lo' ? 'ACCEPT' : 'DROP';
    res.push([comment, `${match} -m comment --comment ${comment} -j ${target}`]);
  }
  for (const r of layout.rules) {
    if (r.chain !== ch) continue;
    const fam = ruleFamily(r);
    if (fam !== null && fam !== family) continue;
    res.push([r.id, iptRuleArgs(r)]);
  }
  if (drop) {
    res.push([
      'sentra:established',
      '-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment sentra:established -j ACCEPT',
    ]);
    if (family === 6) {
      ND6.forEach((t, i) => {
        const c = `sentra:nd${i + 1}`;
        res.push([c, `-p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment ${c} -j ACCEPT`]);
      });
    }
  }
  res.push(['sentra:policy', `-m comment --comment sentra:policy${drop ? ' -j DROP' : ''}`]);
  return res;
}

/**
 * `iptables-restore --noflush --counters` input that replaces Sentra's three chains (declaring a
 * chain flushes it) and carries each rule's counters over by its comment.
 */
export function iptChainsScript(
  prefix: string,
  family: Family,
  layout: ChainLayout,
  counters: Map<string, CounterValue> = new Map(),
): string {
  const lines = ['*filter'];
  for (const ch of CHAINS) lines.push(`:${iptChainName(prefix, ch)} - [0:0]`);
  for (const ch of CHAINS) {
    const name = iptChainName(prefix, ch);
    for (const [comment, args] of chainRules(prefix, family, ch, layout)) {
      const c = counters.get(`${name} ${comment}`);
      lines.push(`[${c?.packets ?? 0}:${c?.bytes ?? 0}] -A ${name} ${args}`);
    }
  }
  lines.push('COMMIT');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// parsing

export interface IptSaved {
  /** Which of Sentra's chains exist. */
  chains: Set<Chain>;
  /** Which built-in chains jump to Sentra's chain. */
  jumps: Set<Chain>;
  /** `CHAIN comment` -> counters. */
  counters: Map<string, CounterValue>;
  /** Custom rule ids per chain, in order. */
  rules: Record<Chain, string[]>;
  /** True when the chain's last rule drops. */
  drops: Record<Chain, boolean>;
}

const COMMENT_RE = /--comment\s+(?:"([^"]*)"|(\S+))/;

/** Reads the filter table of `iptables-save -c`, keeping only Sentra's chains and jumps. */
export function parseIptSave(text: string, prefix: string): IptSaved {
  const byName = new Map<string, Chain>(CHAINS.map((ch) => [iptChainName(prefix, ch), ch]));
  const out: IptSaved = {
    chains: new Set(),
    jumps: new Set(),
    counters: new Map(),
    rules: { input: [], output: [], forward: [] },
    drops: { input: false, output: false, forward: false },
  };
  let inFilter = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      inFilter = line === '*filter';
      continue;
    }
    if (!inFilter) continue;
    if (line.startsWith(':')) {
      const ch = byName.get(line.slice(1).split(' ')[0]);
      if (ch) out.chains.add(ch);
      continue;
    }
    const m = /^(?:\[(\d+):(\d+)\]\s+)?-A\s+(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const chainName = m[3];
    const rest = m[4];
    const ch = byName.get(chainName);
    const cm = COMMENT_RE.exec(rest);
    const comment = cm ? (cm[1] ?? cm[2]) : '';
    if (!ch) {
      const builtin = chainName.toLowerCase() as Chain;
      const target = /-j\s+(\S+)/.exec(rest)?.[1];
      if (CHAINS.includes(builtin) && comment === prefix && target === iptChainName(prefix, builtin)) {
        out.jumps.add(builtin);
      }
      continue;
    }
    out.counters.set(`${chainName} ${comment}`, { packets: Number(m[1] ?? 0), bytes: Number(m[2] ?? 0) });
    if (comment.startsWith('fw-rule-')) out.rules[ch].push(comment);
    if (comment === 'sentra:policy') out.drops[ch] = /-j\s+DROP\b/.test(rest);
  }
  return out;
}

/** Sums the counters of both families into KernelCounters. */
export function iptCounters(prefix: string, saved: readonly IptSaved[]): KernelCounters {
  const c = zeroCounters();
  const add = (a: CounterValue, b: CounterValue) => {
    a.packets += b.packets;
    a.bytes += b.bytes;
  };
  for (const s of saved) {
    for (const [key, v] of s.counters) {
      const sp = key.indexOf(' ');
      const chainName = key.slice(0, sp);
      const comment = key.slice(sp + 1);
      const ch = CHAINS.find((x) => iptChainName(prefix, x) === chainName);
      if (!ch) continue;
      if (comment === 'sentra:ban') add(c.bans, v);
      else if (comment.startsWith('sentra:port-')) add(c.ports, v);
      else if (comment === 'sentra:policy') add(c.policy[ch], v);
      else if (comment.startsWith('fw-rule-')) {
        c.rules[comment] ??= { packets: 0, bytes: 0 };
        add(c.rules[comment], v);
      }
    }
  }
  return c;
}

/** Reads `ipset save NAME` lines into address elements (remaining timeout, null when permanent). */
export function parseIpsetAddrs(text: string): AddrElement[] {
  const out: AddrElement[] = [];
  for (const line of text.split('\n')) {
    const m = /^add\s+\S+\s+(\S+)(?:\s+timeout\s+(\d+))?/.exec(line);
    if (!m) continue;
    let target: AddrTarget;
    try {
      target = parseTarget(m[1]);
    } catch {
      continue;
    }
    const t = m[2] === undefined ? 0 : Number(m[2]);
    out.push({ target, timeoutMs: t === 0 ? null : t * 1000 });
  }
  return out;
}

/** Reads `ipset save` of a bitmap:port set: one element per port. */
export function parseIpsetPorts(text: string, protocol: PortProtocol): PortElement[] {
  const out: PortElement[] = [];
  for (const line of text.split('\n')) {
    const m = /^add\s+\S+\s+(\d+)(?:-(\d+))?(?:\s+timeout\s+(\d+))?/.exec(line);
    if (!m) continue;
    const t = m[3] === undefined ? 0 : Number(m[3]);
    const from = Number(m[1]);
    out.push({ protocol, from, to: m[2] ? Number(m[2]) : from, timeoutMs: t === 0 ? null : t * 1000 });
  }
  return out;
}
