/** IP, TCP and ICMP header keywords. */
import { FragBit, IpOpt } from '../../match/input.js';
import { type BitsCheck, PacketField } from '../../match/rule.js';
import { parseUintCompare, UintMode } from '../../match/uint.js';
import { type RuleBuilder, syntax } from '../builder.js';
import type { KeywordTable } from './types.js';

function need(kw: string, v: string | null): string {
  if (v === null || v.trim() === '') throw syntax(kw, `${kw} needs a value`);
  return v.trim();
}

function field(kw: string, f: number, max: number) {
  return (b: RuleBuilder, v: string | null) => {
    const cmp = parseUintCompare(need(kw, v), max);
    if (!cmp) throw syntax(kw, `bad ${kw} value "${v}"`);
    b.packetChecks.push({ field: f, cmp });
  };
}

const TCP_FLAG_BITS: Record<string, number> = {
  F: 0x01,
  S: 0x02,
  R: 0x04,
  P: 0x08,
  A: 0x10,
  U: 0x20,
  C: 0x80,
  E: 0x40,
  '1': 0x80,
  '2': 0x40,
};

/** Parses `[!+*]BITS[,IGNORED]` for flags / fragbits. */
function parseBits(kw: string, v: string, table: Record<string, number>, allowZero: boolean): BitsCheck {
  const [main, ignore] = v.split(',').map((s) => s.trim());
  let mode: BitsCheck['mode'] = 0;
  let s = main;
  const modeOf = (c: string): BitsCheck['mode'] | null =>
    c === '+' ? 1 : c === '*' ? 2 : c === '!' ? 3 : null;
  const m0 = modeOf(s[0]);
  if (m0 !== null) {
    mode = m0;
    s = s.slice(1);
  } else if (s.length > 0) {
    const ml = modeOf(s[s.length - 1]);
    if (ml !== null) {
      mode = ml;
      s = s.slice(0, -1);
    }
  }
  let bits = 0;
  if (allowZero && s === '0') bits = 0;
  else {
    if (s === '') throw syntax(kw, `${kw} needs flag letters`);
    for (const ch of s.toUpperCase()) {
      const bit = table[ch];
      if (bit === undefined) throw syntax(kw, `unknown ${kw} letter "${ch}"`);
      bits |= bit;
    }
  }
  let ign = 0;
  if (ignore) {
    for (const ch of ignore.toUpperCase()) {
      const bit = table[ch];
      if (bit === undefined) throw syntax(kw, `unknown ${kw} letter "${ch}" in the mask`);
      ign |= bit;
    }
  }
  return { mode, bits, ignore: ign };
}

const IPOPTS: Record<string, number> = {
  rr: IpOpt.RR,
  eol: IpOpt.EOL,
  nop: IpOpt.NOP,
  ts: IpOpt.TS,
  sec: IpOpt.SEC,
  esec: IpOpt.ESEC,
  lsrr: IpOpt.LSRR,
  ssrr: IpOpt.SSRR,
  satid: IpOpt.SATID,
  any: IpOpt.ANY,
};

const IP_PROTO_NAMES: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  pim: 103,
  sctp: 132,
};

export const headerKeywords: KeywordTable = {
  ttl: field('ttl', PacketField.TTL, 255),
  itype: field('itype', PacketField.ITYPE, 255),
  icode: field('icode', PacketField.ICODE, 255),
  icmp_id: field('icmp_id', PacketField.ICMP_ID, 65535),
  icmp_seq: field('icmp_seq', PacketField.ICMP_SEQ, 65535),
  id: field('id', PacketField.IP_ID, 65535),
  seq: field('seq', PacketField.TCP_SEQ, 0xffffffff),
  ack: field('ack', PacketField.TCP_ACK, 0xffffffff),
  window: field('window', PacketField.TCP_WINDOW, 65535),
  'tcp.mss': field('tcp.mss', PacketField.TCP_MSS, 65535),
  tos: field('tos', PacketField.TOS, 255),
  fragoffset: field('fragoffset', PacketField.FRAGOFFSET, 8191),
  ip_proto(b, v) {
    let t = need('ip_proto', v);
    let op = '';
    if (/^[<>!]/.test(t)) {
      op = t[0];
      t = t.slice(1).trim();
    }
    const n = /^\d+$/.test(t) ? Number(t) : IP_PROTO_NAMES[t.toLowerCase()];
    if (n === undefined || n > 255) throw syntax('ip_proto', `unknown protocol "${t}"`);
    const mode = op === '<' ? UintMode.LT : op === '>' ? UintMode.GT : op === '!' ? UintMode.NE : UintMode.EQ;
    b.packetChecks.push({ field: PacketField.IP_PROTO, cmp: { mode, a: n, b: 0 } });
  },
  flags(b, v) {
    if (b.tcpFlags) throw syntax('flags', 'flags given twice');
    b.tcpFlags = parseBits('flags', need('flags', v), TCP_FLAG_BITS, true);
  },
  fragbits(b, v) {
    if (b.fragbits) throw syntax('fragbits', 'fragbits given twice');
    b.fragbits = parseBits(
      'fragbits',
      need('fragbits', v),
      { M: FragBit.M, D: FragBit.D, R: FragBit.R },
      false,
    );
  },
  ipopts(b, v) {
    const t = need('ipopts', v).toLowerCase();
    const bit = IPOPTS[t];
    if (bit === undefined) throw syntax('ipopts', `unknown IP option "${t}"`);
    if (b.ipOpts) throw syntax('ipopts', 'only one ipopts per rule');
    b.ipOpts = bit;
  },
  sameip(b, v) {
    if (v !== null && v.trim() !== '') throw syntax('sameip', 'sameip takes no value');
    b.sameip = true;
  },
};
