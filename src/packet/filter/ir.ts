/**
 * The intermediate form between libpcap's semantics and JavaScript: boolean tests over 32-bit
 * unsigned values loaded from the packet, the same operations a BPF program performs, kept as
 * a tree (libpcap's block graph before optimization is this tree with short-circuit jumps).
 *
 * One BPF rule shapes everything below: a load past the captured length does not make a test
 * false, it makes the whole filter reject the packet at once. Tests are therefore evaluated in
 * the order libpcap generates them, and folded only where libpcap's optimizer (which tcpdump
 * runs by default) folds them too.
 */

export type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';

/** A 32-bit unsigned value. */
export type Val =
  | { k: 'imm'; v: number }
  /** Big-endian load of 1, 2 or 4 bytes at `base + off` (`base` null: at `off`). */
  | { k: 'ld'; size: 1 | 2 | 4; base: Val | null; off: number }
  /** BPF's `ldxb 4*([off]&0xf)`: the IPv4 header length. */
  | { k: 'msh'; off: number }
  | { k: 'alu'; op: AluOp; a: Val; b: Val }
  | { k: 'neg'; a: Val }
  /** The packet's length on the wire. */
  | { k: 'len' };

export type JmpOp = 'eq' | 'gt' | 'ge' | 'set';

export type Cond =
  | { k: 'const'; v: boolean }
  | { k: 'and' | 'or'; a: Cond; b: Cond }
  | { k: 'not'; a: Cond }
  /** `a == b`, `a > b`, `a >= b`, or `(a & b) != 0` (jset). */
  | { k: 'jmp'; op: JmpOp; a: Val; b: Val };

export const TRUE: Cond = Object.freeze({ k: 'const', v: true });
export const FALSE: Cond = Object.freeze({ k: 'const', v: false });

export function imm(v: number): Val {
  return { k: 'imm', v: v >>> 0 };
}

/** Load at a constant offset. */
export function ld(size: 1 | 2 | 4, off: number): Val {
  return { k: 'ld', size, base: null, off };
}

/** Load at `base + off`. */
export function ldx(size: 1 | 2 | 4, base: Val, off: number): Val {
  return base.k === 'imm' ? { k: 'ld', size, base: null, off: base.v + off } : { k: 'ld', size, base, off };
}

export function jmp(op: JmpOp, a: Val, b: Val): Cond {
  if (a.k === 'imm' && b.k === 'imm') {
    const v =
      op === 'eq' ? a.v === b.v : op === 'gt' ? a.v > b.v : op === 'ge' ? a.v >= b.v : (a.v & b.v) !== 0;
    return v ? TRUE : FALSE;
  }
  return { k: 'jmp', op, a, b };
}

/** libpcap's gen_cmp / gen_mcmp: `([off] & mask) == v`, the mask left out when it is all ones. */
export function cmp(size: 1 | 2 | 4, off: number, v: number, mask = 0xffffffff): Cond {
  const load = ld(size, off);
  return jmp('eq', mask >>> 0 === 0xffffffff ? load : alu('and', load, imm(mask)), imm(v));
}

/**
 * Short-circuit `a && b`, folded when a side is constant. `x && false` becomes false and
 * `x || true` true without evaluating `x`, as libpcap's optimizer removes `x` there, even
 * though a load in `x` could otherwise have rejected the packet.
 */
export function and(a: Cond, b: Cond): Cond {
  if (a.k === 'const') return a.v ? b : FALSE;
  if (b.k === 'const') return b.v ? a : FALSE;
  return { k: 'and', a, b };
}

export function or(a: Cond, b: Cond): Cond {
  if (a.k === 'const') return a.v ? TRUE : b;
  if (b.k === 'const') return b.v ? TRUE : a;
  return { k: 'or', a, b };
}

export function not(a: Cond): Cond {
  if (a.k === 'const') return a.v ? FALSE : TRUE;
  if (a.k === 'not') return a.a;
  return { k: 'not', a };
}

/** The value of a constant expression, as BPF computes it, or null if it reads the packet. */
export function constValue(x: Val): number | null {
  switch (x.k) {
    case 'imm':
      return x.v;
    case 'neg': {
      const a = constValue(x.a);
      return a === null ? null : (0 - a) >>> 0;
    }
    case 'alu': {
      const a = constValue(x.a);
      const b = constValue(x.b);
      if (a === null || b === null) return null;
      return aluConst(x.op, a, b);
    }
    default:
      return null;
  }
}

/** One ALU operation on unsigned 32-bit values; null for a division by zero. */
export function aluConst(op: AluOp, a: number, b: number): number | null {
  switch (op) {
    case 'add':
      return (a + b) >>> 0;
    case 'sub':
      return (a - b) >>> 0;
    case 'mul':
      return Math.imul(a, b) >>> 0;
    case 'div':
      return b === 0 ? null : Math.floor(a / b) >>> 0;
    case 'mod':
      return b === 0 ? null : (a % b) >>> 0;
    case 'and':
      return (a & b) >>> 0;
    case 'or':
      return (a | b) >>> 0;
    case 'xor':
      return (a ^ b) >>> 0;
    case 'lsh':
      return b < 32 ? (a << b) >>> 0 : 0;
    case 'rsh':
      return b < 32 ? a >>> b : 0;
  }
}

/**
 * An ALU operation, folded the way libpcap's optimizer folds it (tcpdump optimizes by
 * default): constants are computed, and `x * 0`, `x & 0` become 0 without evaluating `x`, so
 * a load there can no longer reject a short packet.
 */
export function alu(op: AluOp, a: Val, b: Val): Val {
  if (b.k === 'imm') {
    if (b.v === 0 && (op === 'mul' || op === 'and')) return imm(0);
    if (a.k === 'imm') {
      const v = aluConst(op, a.v, b.v);
      if (v !== null) return imm(v);
    }
  }
  return { k: 'alu', op, a, b };
}
