/**
 * Suricata's integer comparisons (dsize, bsize, urilen, ttl, itype, icode, icmp_id, icmp_seq,
 * tcp.mss, stream_size...): equality, inequality, <, <=, >, >=, exclusive ranges `a-b` and
 * `a<>b`, negated ranges, and bitmask tests `&mask=value` / `&mask!=value`.
 */

export const UintMode = {
  EQ: 0,
  NE: 1,
  LT: 2,
  LE: 3,
  GT: 4,
  GE: 5,
  /** a < v < b (exclusive, as Suricata documents). */
  RANGE: 6,
  /** v <= a or v >= b. */
  NOT_RANGE: 7,
  /** (v & a) == b */
  BITMASK_EQ: 8,
  /** (v & a) != b */
  BITMASK_NE: 9,
} as const;

export type UintModeValue = (typeof UintMode)[keyof typeof UintMode];

/** A parsed integer comparison; `a` is the value (or range start / mask), `b` the range end. */
export interface UintCompare {
  mode: UintModeValue;
  a: number;
  b: number;
}

/** True when `v` satisfies the comparison. */
export function uintMatch(c: UintCompare, v: number): boolean {
  switch (c.mode) {
    case UintMode.EQ:
      return v === c.a;
    case UintMode.NE:
      return v !== c.a;
    case UintMode.LT:
      return v < c.a;
    case UintMode.LE:
      return v <= c.a;
    case UintMode.GT:
      return v > c.a;
    case UintMode.GE:
      return v >= c.a;
    case UintMode.RANGE:
      return v > c.a && v < c.b;
    case UintMode.NOT_RANGE:
      return v <= c.a || v >= c.b;
    case UintMode.BITMASK_EQ:
      return and53(v, c.a) === c.b;
    case UintMode.BITMASK_NE:
      return and53(v, c.a) !== c.b;
  }
  return false;
}

const TWO32 = 2 ** 32;

/** Bitwise AND of two non-negative integers up to 2^53 (JS `&` only covers 32 bits). */
export function and53(x: number, y: number): number {
  if (x < TWO32 && y < TWO32) return (x & y) >>> 0;
  const hx = Math.floor(x / TWO32);
  const hy = Math.floor(y / TWO32);
  return ((hx & hy) >>> 0) * TWO32 + (((x >>> 0) & (y >>> 0)) >>> 0);
}

/** Bitwise XOR of two non-negative integers up to 2^53. */
export function xor53(x: number, y: number): number {
  if (x < TWO32 && y < TWO32) return (x ^ y) >>> 0;
  const hx = Math.floor(x / TWO32);
  const hy = Math.floor(y / TWO32);
  return ((hx ^ hy) >>> 0) * TWO32 + (((x >>> 0) ^ (y >>> 0)) >>> 0);
}

const NUM = /^(0x[0-9a-f]+|\d+)\s*(kb|kib|mb|mib|gb|gib)?$/i;
const UNITS: Record<string, number> = {
  kb: 1024,
  kib: 1024,
  mb: 1048576,
  mib: 1048576,
  gb: 2 ** 30,
  gib: 2 ** 30,
};

/** Parses an unsigned number as Suricata's integer keywords accept it (decimal, 0x hex, kb/mb/gb). */
export function parseUintValue(s: string, max: number): number | null {
  const m = NUM.exec(s.trim());
  if (!m) return null;
  let v = m[1].toLowerCase().startsWith('0x') ? Number.parseInt(m[1].slice(2), 16) : Number(m[1]);
  if (m[2]) v *= UNITS[m[2].toLowerCase()];
  if (!Number.isSafeInteger(v) || v > max) return null;
  return v;
}

/**
 * Parses an integer comparison (`5`, `!5`, `<5`, `>=5`, `1-5`, `1<>5`, `!1-5`, `&0xc0=0x80`).
 * Returns null when the text is not a valid comparison or a value exceeds `max`.
 */
export function parseUintCompare(input: string, max: number): UintCompare | null {
  const s = input.trim();
  if (s === '') return null;
  let m = /^&\s*([^=!\s]+)\s*(=|!=)\s*(\S+)$/.exec(s);
  if (m) {
    const a = parseUintValue(m[1], max);
    const b = parseUintValue(m[3], max);
    if (a === null || b === null) return null;
    return { mode: m[2] === '=' ? UintMode.BITMASK_EQ : UintMode.BITMASK_NE, a, b };
  }
  m = /^(!)?\s*([^<>!=\s-]+)\s*(?:-|<>)\s*([^<>!=\s-]+)$/.exec(s);
  if (m) {
    const a = parseUintValue(m[2], max);
    const b = parseUintValue(m[3], max);
    if (a === null || b === null || a >= b) return null;
    return { mode: m[1] ? UintMode.NOT_RANGE : UintMode.RANGE, a, b };
  }
  m = /^(<=|>=|!=|<|>|=|!)?\s*(\S+)$/.exec(s);
  if (!m) return null;
  const a = parseUintValue(m[2], max);
  if (a === null) return null;
  const op = m[1] ?? '=';
  const mode =
    op === '<'
      ? UintMode.LT
      : op === '<='
        ? UintMode.LE
        : op === '>'
          ? UintMode.GT
          : op === '>='
            ? UintMode.GE
            : op === '!' || op === '!='
              ? UintMode.NE
              : UintMode.EQ;
  return { mode, a, b: 0 };
}
