/**
 * Single-pattern search over byte buffers: Boyer-Moore-Horspool with a precomputed shift table,
 * case-insensitive through a 256-entry fold table (no lowered copy of the buffer is made).
 * Patterns for case-insensitive search are stored lower-cased.
 */

/** ASCII lower-casing table: only A-Z change, as in Suricata (no locale). */
export const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i + 0x20 : i;

/** A pattern ready for repeated search. */
export interface SearchPattern {
  /** Pattern bytes; lower-cased when `nocase`. */
  readonly bytes: Uint8Array;
  readonly nocase: boolean;
  /** Horspool shift per byte value (already folded for nocase), capped at 255. */
  readonly shift: Uint8Array;
}

const tableCache = new Map<string, Uint8Array>();

/**
 * Prepares a pattern. Shift tables are shared between identical patterns (rule sets repeat
 * contents a lot) and capped at 255, which keeps them one byte per entry; a smaller shift is
 * always safe for Horspool.
 */
export function makeSearchPattern(bytes: Uint8Array, nocase: boolean): SearchPattern {
  const pat = nocase ? bytes.map((b) => LOWER[b]) : Uint8Array.from(bytes);
  const m = pat.length;
  const key = (nocase ? 'i' : 'c') + Buffer.from(pat.buffer, pat.byteOffset, m).toString('latin1');
  let shift = tableCache.get(key);
  if (!shift) {
    shift = new Uint8Array(256).fill(Math.min(255, Math.max(1, m)));
    for (let i = Math.max(0, m - 256); i < m - 1; i++) {
      const sh = Math.min(255, m - 1 - i);
      shift[pat[i]] = sh;
      if (nocase) {
        const c = pat[i];
        if (c >= 0x61 && c <= 0x7a) shift[c - 0x20] = sh;
      }
    }
    // bounded: a daemon reloading rule sets must not keep every table it ever built
    if (tableCache.size >= 200_000) tableCache.clear();
    tableCache.set(key, shift);
  }
  return { bytes: pat, nocase, shift };
}

/**
 * First index `i` in [start, end - m] where the pattern occurs in `buf`, or -1.
 * `end` is exclusive; the match must lie entirely before it.
 */
export function searchPattern(p: SearchPattern, buf: Uint8Array, start: number, end: number): number {
  const pat = p.bytes;
  const m = pat.length;
  if (m === 0) return start <= end ? start : -1;
  const last = end - m;
  if (start > last) return -1;
  const lastByte = pat[m - 1];
  if (m <= 3) {
    // short patterns: a straight scan beats the table
    if (p.nocase) {
      for (let i = start; i <= last; i++) {
        if (LOWER[buf[i + m - 1]] !== lastByte) continue;
        let j = 0;
        while (j < m - 1 && LOWER[buf[i + j]] === pat[j]) j++;
        if (j === m - 1) return i;
      }
    } else {
      const first = pat[0];
      for (let i = start; i <= last; i++) {
        if (buf[i] !== first) continue;
        let j = 1;
        while (j < m && buf[i + j] === pat[j]) j++;
        if (j === m) return i;
      }
    }
    return -1;
  }
  const shift = p.shift;
  let i = start;
  if (p.nocase) {
    while (i <= last) {
      const c = LOWER[buf[i + m - 1]];
      if (c === lastByte) {
        let j = m - 2;
        while (j >= 0 && LOWER[buf[i + j]] === pat[j]) j--;
        if (j < 0) return i;
      }
      i += shift[c];
    }
  } else {
    while (i <= last) {
      const c = buf[i + m - 1];
      if (c === lastByte) {
        let j = m - 2;
        while (j >= 0 && buf[i + j] === pat[j]) j--;
        if (j < 0) return i;
      }
      i += shift[c];
    }
  }
  return -1;
}

/** True when the pattern occurs exactly at `pos`. */
export function patternAt(p: SearchPattern, buf: Uint8Array, pos: number): boolean {
  const pat = p.bytes;
  const m = pat.length;
  if (pos < 0 || pos + m > buf.length) return false;
  if (p.nocase) {
    for (let j = 0; j < m; j++) if (LOWER[buf[pos + j]] !== pat[j]) return false;
  } else {
    for (let j = 0; j < m; j++) if (buf[pos + j] !== pat[j]) return false;
  }
  return true;
}
