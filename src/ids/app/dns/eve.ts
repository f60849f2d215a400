/**
 * The EVE `dns` object of one DNS message, in Suricata's two formats:
 *
 * - version 3 (Suricata 8's default): one record per message, `type` "request" or
 *   "response", with `queries[]`, `answers[]` (detailed) and `grouped{}`;
 * - version 2 (Suricata 7): one `type: "query"` record per question of a request, and one
 *   `type: "answer"` record per response with the first question's `rrname`/`rrtype` at the top.
 *
 * Field names and value formats follow Suricata's rust/src/dns/log.rs: `flags` as lower-case
 * hex, the header bits as booleans only when set, `rcode` by name, IPv6 addresses written out
 * in full (eight groups of four hex digits).
 */
import type { DnsAnswer, DnsMessage } from '../../../packet/layers/dns.js';

/** Which format, as Suricata's `outputs.eve-log.types.dns.version`. */
export type DnsEveVersion = 2 | 3;

const RRTYPE_NAMES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  3: 'MD',
  4: 'MF',
  5: 'CNAME',
  6: 'SOA',
  7: 'MB',
  8: 'MG',
  9: 'MR',
  10: 'NULL',
  11: 'WKS',
  12: 'PTR',
  13: 'HINFO',
  14: 'MINFO',
  15: 'MX',
  16: 'TXT',
  17: 'RP',
  18: 'AFSDB',
  19: 'X25',
  20: 'ISDN',
  21: 'RT',
  22: 'NSAP',
  23: 'NSAPPTR',
  24: 'SIG',
  25: 'KEY',
  26: 'PX',
  27: 'GPOS',
  28: 'AAAA',
  29: 'LOC',
  30: 'NXT',
  33: 'SRV',
  34: 'ATMA',
  35: 'NAPTR',
  36: 'KX',
  37: 'CERT',
  38: 'A6',
  39: 'DNAME',
  41: 'OPT',
  42: 'APL',
  43: 'DS',
  44: 'SSHFP',
  45: 'IPSECKEY',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  49: 'DHCID',
  50: 'NSEC3',
  51: 'NSEC3PARAM',
  52: 'TLSA',
  55: 'HIP',
  59: 'CDS',
  60: 'CDNSKEY',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  249: 'TKEY',
  250: 'TSIG',
  253: 'MAILB',
  254: 'MAILA',
  255: 'ANY',
  256: 'URI',
};

const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** Suricata's name of a resource record type (its number when it has none). */
export function dnsRrtypeName(t: number): string {
  return RRTYPE_NAMES[t] ?? String(t);
}

/** Suricata's name of a response code. */
export function dnsRcodeName(flags: number): string {
  return RCODE_NAMES[flags & 0x0f] ?? String(flags & 0x0f);
}

/** A name as Suricata writes it: the root is empty. */
function rrname(n: string): string {
  return n === '<Root>' ? '' : n;
}

/** Expands a compressed IPv6 text address into Suricata's eight four-digit groups. */
function fullIpv6(s: string): string {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head === '' ? [] : head.split(':');
  const t = tail === null || tail === '' ? [] : tail.split(':');
  const groups = tail === null ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/** The `rdata` text of an answer, or undefined for types Suricata logs no rdata for. */
function rdata(a: DnsAnswer): string | undefined {
  switch (a.type) {
    case 1:
      return a.data;
    case 28:
      return fullIpv6(a.data);
    case 2:
    case 5:
    case 12:
    case 39:
      return rrname(a.data);
    case 15: {
      // "pref name": Suricata logs the exchange name
      const sp = a.data.indexOf(' ');
      return sp >= 0 ? a.data.slice(sp + 1) : a.data;
    }
    case 16:
      return a.data;
    default:
      return undefined;
  }
}

function headerBits(msg: DnsMessage, o: Record<string, unknown>): void {
  const f = msg.flags;
  o.flags = f.toString(16);
  if (f & 0x8000) o.qr = true;
  if (f & 0x0400) o.aa = true;
  if (f & 0x0200) o.tc = true;
  if (f & 0x0100) o.rd = true;
  if (f & 0x0080) o.ra = true;
  if (f & 0x0040) o.z = true;
}

function answersOf(msg: DnsMessage, o: Record<string, unknown>): void {
  if (msg.answers.length === 0) return;
  const detailed: Record<string, unknown>[] = [];
  const grouped: Record<string, string[]> = {};
  for (const a of msg.answers) {
    const type = dnsRrtypeName(a.type);
    const d = rdata(a);
    detailed.push({
      rrname: rrname(a.name),
      rrtype: type,
      ttl: a.ttl,
      ...(d !== undefined ? { rdata: d } : {}),
    });
    if (d !== undefined) {
      const g = grouped[type];
      if (g === undefined) grouped[type] = [d];
      else g.push(d);
    }
  }
  o.answers = detailed;
  if (Object.keys(grouped).length > 0) o.grouped = grouped;
}

/** The version-3 `dns` object of a message (event records and alerts). */
export function dnsEveV3(msg: DnsMessage, txId: number): Record<string, unknown> {
  const o: Record<string, unknown> = {
    version: 3,
    type: msg.response ? 'response' : 'request',
    tx_id: txId,
    id: msg.id,
  };
  headerBits(msg, o);
  o.opcode = msg.opcode;
  if (msg.response) o.rcode = dnsRcodeName(msg.flags);
  if (msg.questions.length > 0)
    o.queries = msg.questions.map((q) => ({ rrname: rrname(q.name), rrtype: dnsRrtypeName(q.type) }));
  answersOf(msg, o);
  return o;
}

/** The version-2 `dns` objects of a message: one per question of a request, one for a response. */
export function dnsEveV2(msg: DnsMessage, txId: number): Record<string, unknown>[] {
  if (!msg.response)
    return msg.questions.map((q) => ({
      type: 'query',
      id: msg.id,
      rrname: rrname(q.name),
      rrtype: dnsRrtypeName(q.type),
      tx_id: txId,
      opcode: msg.opcode,
    }));
  const o: Record<string, unknown> = { version: 2, type: 'answer', id: msg.id };
  headerBits(msg, o);
  o.opcode = msg.opcode;
  const q = msg.questions[0];
  if (q !== undefined) {
    o.rrname = rrname(q.name);
    o.rrtype = dnsRrtypeName(q.type);
  }
  o.rcode = dnsRcodeName(msg.flags);
  answersOf(msg, o);
  return [o];
}
