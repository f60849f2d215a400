/** Relations and arithmetic over packet bytes: `proto[index:size]`, `len`, `+ - * / % & | ^ << >>`. */
import type { Arith, ProtoQual } from './ast.js';
import { type GenContext, IPPROTO } from './context.js';
import { ipfrag } from './hosts-ports.js';
import { type AluOp, alu, and, type Cond, cmp, constValue, imm, jmp, ld, ldx, not, type Val } from './ir.js';
import { ETHERTYPE } from './link.js';

const ALU_OPS: Readonly<Record<string, AluOp>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '&': 'and',
  '|': 'or',
  '^': 'xor',
  '<<': 'lsh',
  '>>': 'rsh',
};

/** Protocols whose `proto[x]` is relative to the network header. */
const NETWORK_LOAD = new Set<ProtoQual>([
  'ip',
  'arp',
  'rarp',
  'atalk',
  'decnet',
  'sca',
  'lat',
  'moprc',
  'mopdl',
  'ip6',
]);
/** Protocols whose `proto[x]` is relative to the transport header after an IPv4 header. */
const TRANSPORT_LOAD = new Set<ProtoQual>([
  'sctp',
  'tcp',
  'udp',
  'icmp',
  'igmp',
  'igrp',
  'pim',
  'vrrp',
  'carp',
]);
export interface ArithCode {
  val: Val;
  /** Protocol checks that must pass before the value is computed. */
  guard: Cond | null;
}

export function relation(g: GenContext, op: string, left: Arith, right: Arith): Cond {
  const l = arith(g, left);
  const r = arith(g, right);
  let b: Cond;
  switch (op) {
    case '>':
      b = jmp('gt', l.val, r.val);
      break;
    case '>=':
      b = jmp('ge', l.val, r.val);
      break;
    case '=':
      b = jmp('eq', l.val, r.val);
      break;
    case '<=':
      b = not(jmp('gt', l.val, r.val));
      break;
    case '<':
      b = not(jmp('ge', l.val, r.val));
      break;
    default:
      b = not(jmp('eq', l.val, r.val));
  }
  const guard = l.guard && r.guard ? and(l.guard, r.guard) : (l.guard ?? r.guard);
  return guard ? and(guard, b) : b;
}

export function arith(g: GenContext, a: Arith): ArithCode {
  switch (a.type) {
    case 'number':
      return { val: imm(a.value), guard: null };
    case 'len':
      return { val: { k: 'len' }, guard: null };
    case 'negate': {
      const x = arith(g, a.operand);
      return { val: { k: 'neg', a: x.val }, guard: x.guard };
    }
    case 'binary': {
      const op = ALU_OPS[a.op];
      const l = arith(g, a.left);
      const r = arith(g, a.right);
      const head = headImmediate(a.right);
      const rc = constValue(r.val);
      const lc = constValue(l.val);
      if (op === 'div' && (head === 0 || rc === 0)) g.err(a.right.pos, 'division by zero');
      if (op === 'mod' && (head === 0 || rc === 0)) g.err(a.right.pos, 'modulus by zero');
      if (
        (op === 'lsh' || op === 'rsh') &&
        ((head !== null && head > 31) || (lc === null && rc !== null && rc > 31))
      ) {
        g.err(a.right.pos, 'shift by more than 31 bits');
      }
      // libpcap 1.10's gen_arth keeps the left operand's protocol checks only
      return { val: alu(op, l.val, r.val), guard: l.guard };
    }
    case 'load':
      return load(g, a.proto, a.index, a.size, a.pos);
  }
}

/**
 * gen_load: `proto[index:size]`. With a constant index, libpcap's optimizer folds the index
 * into the load's offset (modulo 2^32), so `tcp[-20]` reads 6 bytes before the link-layer
 * payload (and is outside every packet) rather than at the IPv4 header; that is what tcpdump
 * does, so that is what this does.
 */
export function load(g: GenContext, proto: ProtoQual, index: Arith, size: number, pos: number): ArithCode {
  const idx = arith(g, index);
  if (size !== 1 && size !== 2 && size !== 4) g.err(pos, 'data size must be 1, 2, or 4');
  const sz = size as 1 | 2 | 4;
  const c = constValue(idx.val);
  const at = (base: Val | null, off: number): Val => {
    if (c !== null) {
      const k = (off + c) >>> 0;
      return base === null ? ld(sz, k) : ldx(sz, base, k);
    }
    return ldx(sz, base === null ? idx.val : alu('add', idx.val, base), off);
  };
  if (proto === 'link') return { val: at(null, 0), guard: idx.guard };
  if (NETWORK_LOAD.has(proto)) {
    const b = g.protoAbbrev(proto, pos);
    return { val: at(null, g.offLinkPl), guard: idx.guard ? and(idx.guard, b) : b };
  }
  if (TRANSPORT_LOAD.has(proto)) {
    let b = and(g.protoAbbrev(proto, pos), ipfrag(g));
    if (idx.guard) b = and(idx.guard, b);
    b = and(g.linktype(ETHERTYPE.IP), b);
    return { val: at({ k: 'msh', off: g.offLinkPl }, g.offLinkPl), guard: b };
  }
  if (proto === 'icmp6') {
    let b = g.linktype(ETHERTYPE.IPV6);
    if (idx.guard) b = and(idx.guard, b);
    b = and(b, cmp(1, g.offLinkPl + 6, IPPROTO.ICMPV6));
    return { val: at(null, g.offLinkPl + 40), guard: b };
  }
  return g.err(pos, 'unsupported index operation');
}

/**
 * The constant the right operand's code starts with, as libpcap's gen_arth sees it (it checks
 * the first instruction only, so `ip[1] / ip[0]` is a "division by zero" there too).
 */
function headImmediate(a: Arith): number | null {
  switch (a.type) {
    case 'number':
      return a.value;
    case 'load':
      return headImmediate(a.index);
    case 'binary':
      return headImmediate(a.left);
    case 'negate':
      return headImmediate(a.operand);
    case 'len':
      return null;
  }
}
