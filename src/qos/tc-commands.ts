/**
 * tc and ip command lines for Sentra's traffic shaping, and the parsers of their output. Pure:
 * each function returns argument arrays (run later without a shell) built from validated values.
 *
 * Layout on a shaped device: an HTB root qdisc with Sentra's handle `5e:` and `default 0`
 * (unclassified traffic is not shaped), one class `5e:<minor>` per limit, and one u32 filter
 * per limit at priority `<minor>` (so it can be deleted alone). Ingress traffic is redirected
 * to an ifb device (`sifb<ifindex>`) whose egress carries the same layout.
 */
import type { AddrTarget } from '../firewall/model.js';

export const QOS_MAJOR = '5e';
export const QOS_HANDLE = `${QOS_MAJOR}:`;

/** Root qdiscs a system sets up by itself; replacing them takes nothing from anyone. */
export const DEFAULT_QDISCS: ReadonlySet<string> = new Set([
  'noqueue',
  'pfifo_fast',
  'fq_codel',
  'mq',
  'pfifo',
  'fq',
]);

export function classId(minor: number): string {
  return `${QOS_MAJOR}:${minor.toString(16)}`;
}

export function ifbName(ifindex: number): string {
  return `sifb${ifindex}`;
}

export function rootQdiscArgs(dev: string): string[] {
  return ['tc', 'qdisc', 'replace', 'dev', dev, 'root', 'handle', QOS_HANDLE, 'htb', 'default', '0'];
}

export function delRootQdiscArgs(dev: string): string[] {
  return ['tc', 'qdisc', 'del', 'dev', dev, 'root'];
}

export function classArgs(
  dev: string,
  minor: number,
  rateKbit: number,
  ceilKbit: number,
  prio: number,
): string[] {
  return [
    'tc',
    'class',
    'add',
    'dev',
    dev,
    'parent',
    QOS_HANDLE,
    'classid',
    classId(minor),
    'htb',
    'rate',
    `${rateKbit}kbit`,
    'ceil',
    `${ceilKbit}kbit`,
    'prio',
    String(prio),
  ];
}

export function delClassArgs(dev: string, minor: number): string[] {
  return ['tc', 'class', 'del', 'dev', dev, 'classid', classId(minor)];
}

/** A u32 filter sending traffic to/from `target` into the class. */
export function filterArgs(dev: string, minor: number, target: AddrTarget, match: 'src' | 'dst'): string[] {
  const v6 = target.family === 6;
  const max = v6 ? 128 : 32;
  const cidr = target.prefix === max ? `${target.text}/${max}` : target.text;
  return [
    'tc',
    'filter',
    'add',
    'dev',
    dev,
    'parent',
    QOS_HANDLE,
    'protocol',
    v6 ? 'ipv6' : 'ip',
    'prio',
    String(minor),
    'u32',
    'match',
    v6 ? 'ip6' : 'ip',
    match,
    cidr,
    'flowid',
    classId(minor),
  ];
}

export function delFilterArgs(dev: string, minor: number): string[] {
  return ['tc', 'filter', 'del', 'dev', dev, 'parent', QOS_HANDLE, 'prio', String(minor)];
}

export function ingressQdiscArgs(dev: string): string[] {
  return ['tc', 'qdisc', 'add', 'dev', dev, 'handle', 'ffff:', 'ingress'];
}

export function delIngressQdiscArgs(dev: string): string[] {
  return ['tc', 'qdisc', 'del', 'dev', dev, 'ingress'];
}

/** Redirects everything arriving on `dev` to the ifb, where it is shaped like egress. */
export function redirectArgs(dev: string, ifb: string): string[] {
  return [
    'tc',
    'filter',
    'add',
    'dev',
    dev,
    'parent',
    'ffff:',
    'protocol',
    'all',
    'prio',
    '1',
    'u32',
    'match',
    'u32',
    '0',
    '0',
    'action',
    'mirred',
    'egress',
    'redirect',
    'dev',
    ifb,
  ];
}

export interface QdiscInfo {
  kind: string;
  handle: string;
  root: boolean;
  ingress: boolean;
}

/** Reads `tc -j qdisc show dev D`. */
export function parseQdiscs(json: string): QdiscInfo[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(doc)) return [];
  return doc
    .filter((q): q is Record<string, unknown> => q !== null && typeof q === 'object')
    .map((q) => ({
      kind: String(q.kind ?? ''),
      handle: String(q.handle ?? ''),
      root: q.root === true,
      ingress: q.kind === 'ingress' || q.parent === 'ffff:fff1',
    }));
}

export interface ClassStats {
  sentBytes: number;
  sentPackets: number;
  dropped: number;
}

/** Reads `tc -s class show dev D` (text: this tc prints no JSON for classes) into stats by class id. */
export function parseClassStats(text: string): Map<string, ClassStats> {
  const out = new Map<string, ClassStats>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const head = /^class\s+htb\s+(\S+)/.exec(line);
    if (head) {
      current = head[1];
      continue;
    }
    const sent = /Sent\s+(\d+)\s+bytes\s+(\d+)\s+pkt\s+\(dropped\s+(\d+)/.exec(line);
    if (sent && current) {
      out.set(current, {
        sentBytes: Number(sent[1]),
        sentPackets: Number(sent[2]),
        dropped: Number(sent[3]),
      });
      current = null;
    }
  }
  return out;
}
