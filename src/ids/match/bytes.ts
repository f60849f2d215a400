/**
 * Number extraction for byte_test, byte_jump and byte_extract: binary big/little endian up to
 * 8 bytes, and numeric strings (dec, hex, oct) parsed the way C's strtoull does, since that
 * is what Suricata calls: leading white space skipped, an optional sign, hex may start with
 * 0x, parsing stops at the first byte that is not a digit of the base.
 *
 * Results go into a reused object so that extraction allocates nothing. Values are JS numbers:
 * exact up to 2^53; 7- and 8-byte fields above that lose low bits (byte_test compares them
 * through BigInt, see inspect.ts).
 */

export interface Extracted {
  /** The value. */
  value: number;
  /** Bytes consumed (for string extraction: characters parsed, which may be fewer than asked). */
  consumed: number;
  /** The value as a BigInt when it does not fit 2^53 exactly, else null. */
  big: bigint | null;
}

const TWO32 = 2 ** 32;

/** Reads `n` (1-8) bytes at `pos` as an unsigned integer. Caller checks bounds. */
export function readBinary(buf: Uint8Array, pos: number, n: number, little: boolean, out: Extracted): void {
  out.big = null;
  out.consumed = n;
  if (n <= 4) {
    let v = 0;
    if (little) for (let i = n - 1; i >= 0; i--) v = v * 256 + buf[pos + i];
    else for (let i = 0; i < n; i++) v = v * 256 + buf[pos + i];
    out.value = v;
    return;
  }
  let v = 0;
  if (little) for (let i = n - 1; i >= 0; i--) v = v * 256 + buf[pos + i];
  else for (let i = 0; i < n; i++) v = v * 256 + buf[pos + i];
  out.value = v;
  if (v > Number.MAX_SAFE_INTEGER) {
    let b = 0n;
    if (little) for (let i = n - 1; i >= 0; i--) b = (b << 8n) | BigInt(buf[pos + i]);
    else for (let i = 0; i < n; i++) b = (b << 8n) | BigInt(buf[pos + i]);
    out.big = b;
  }
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 99;
}

const U64 = (1n << 64n) - 1n;

/**
 * Parses at most `n` bytes at `pos` as a number in `base` (8, 10 or 16), strtoull-style.
 * Returns false when no digit was found (Suricata then fails the keyword).
 */
export function readString(buf: Uint8Array, pos: number, n: number, base: number, out: Extracted): boolean {
  const end = Math.min(buf.length, pos + n);
  let i = pos;
  // isspace(): space, \t \n \v \f \r
  while (i < end && (buf[i] === 0x20 || (buf[i] >= 0x09 && buf[i] <= 0x0d))) i++;
  let neg = false;
  if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) {
    neg = buf[i] === 0x2d;
    i++;
  }
  if (
    base === 16 &&
    i + 1 < end &&
    buf[i] === 0x30 &&
    (buf[i + 1] | 0x20) === 0x78 &&
    digitValue(buf[i + 2]) < 16
  )
    i += 2;
  const digitsStart = i;
  let v = 0;
  let big: bigint | null = null;
  while (i < end) {
    const d = digitValue(buf[i]);
    if (d >= base) break;
    if (big !== null) big = big * BigInt(base) + BigInt(d);
    else {
      v = v * base + d;
      if (v > Number.MAX_SAFE_INTEGER) big = BigInt(Math.floor((v - d) / base)) * BigInt(base) + BigInt(d);
    }
    i++;
  }
  if (i === digitsStart) {
    out.value = 0;
    out.consumed = 0;
    out.big = null;
    return false;
  }
  if (big !== null && big > U64) big = U64; // strtoull saturates at ULLONG_MAX
  if (neg) {
    // strtoull negates in unsigned arithmetic
    const b = big ?? BigInt(v);
    big = b === 0n ? 0n : (1n << 64n) - b;
  }
  if (big !== null) {
    out.big = big <= BigInt(Number.MAX_SAFE_INTEGER) ? null : big;
    out.value = Number(big);
  } else {
    out.big = null;
    out.value = v;
  }
  out.consumed = i - pos;
  return true;
}

/** Splits a number below 2^64 given as number or BigInt into a BigInt. */
export function toBig(value: number, big: bigint | null): bigint {
  return big ?? BigInt(value);
}

export { TWO32 };
