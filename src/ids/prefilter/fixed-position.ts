/**
 * Fast patterns that can only match at a few positions of the buffer: a content whose absolute
 * window is its length or a little more (`content:"|00 01|"; depth:2;`, `startswith`,
 * `offset:3; depth:4;`). Such patterns are mostly a few bytes long and occur anywhere in
 * binary payloads: in a multi-pattern scan they hit on nearly every packet and make their
 * rules candidates that full evaluation then rejects for the position. Suricata gives Hyperscan
 * their offset and depth for the same reason (util-mpm-hs.c). Here they are looked up at their
 * positions instead: the byte found at a position selects the few patterns to compare.
 *
 * The rules found are exactly those whose fast pattern occurs inside its window, which is
 * where full evaluation of the content looks: the matches are the same, with fewer candidates.
 */
import type { Candidates } from './prefilter.js';

interface Entry {
  bytes: Uint8Array;
  nocase: boolean;
  rules: Int32Array;
}

/** One pattern for {@link FixedPositionTable}: `bytes` must lie in `[offset, depth)`. */
export interface FixedPattern {
  rule: number;
  bytes: Uint8Array;
  nocase: boolean;
  offset: number;
  depth: number;
}

/** Most start positions a pattern may have to be looked up by position. */
export const MAX_POSITIONS = 8;
/**
 * Longest pattern looked up by position. Longer ones rarely occur by chance, so a scan finds
 * them at little cost; and many of them share a first byte (`startswith` URIs all begin with
 * `/`), which would make the lists compared at a position long.
 */
export const MAX_LENGTH = 4;

/** Whether a pattern with this window (depth 0: none) goes to {@link FixedPositionTable}. */
export function fewPositions(length: number, offset: number, depth: number): boolean {
  return (
    length <= MAX_LENGTH && depth > 0 && depth - offset >= length && depth - offset - length < MAX_POSITIONS
  );
}

const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
const upper = (c: number) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c);

export class FixedPositionTable {
  /** Distinct start positions, ascending. */
  private readonly offsets: Int32Array;
  /** Per position index k and first byte b: the entries at k * 256 + b (null: none). */
  private readonly slots: Array<Entry[] | null>;
  readonly patternCount: number;

  constructor(patterns: readonly FixedPattern[]) {
    // rules sharing a pattern, case and window share an entry
    const byKey = new Map<string, { p: FixedPattern; rules: number[] }>();
    for (const p of patterns) {
      const k = `${p.offset}:${p.depth}:${p.nocase ? 1 : 0}:${Buffer.from(p.nocase ? p.bytes.map(lower) : p.bytes).toString('latin1')}`;
      const e = byKey.get(k);
      if (e) e.rules.push(p.rule);
      else byKey.set(k, { p, rules: [p.rule] });
    }
    const starts = (p: FixedPattern) =>
      Array.from({ length: p.depth - p.offset - p.bytes.length + 1 }, (_, i) => p.offset + i);
    const offsets = [...new Set(patterns.flatMap(starts))].sort((a, b) => a - b);
    this.offsets = Int32Array.from(offsets);
    this.slots = new Array(offsets.length * 256).fill(null);
    for (const { p, rules } of byKey.values()) {
      const e: Entry = { bytes: p.bytes, nocase: p.nocase, rules: Int32Array.from(rules) };
      const c = p.bytes[0];
      const firsts = p.nocase ? new Set([lower(c), upper(c)]) : [c];
      for (const o of starts(p)) {
        const k = offsets.indexOf(o);
        for (const b of firsts) {
          const at = k * 256 + b;
          const list = this.slots[at] ?? [];
          list.push(e);
          this.slots[at] = list;
        }
      }
    }
    this.patternCount = byKey.size;
  }

  /**
   * Adds to `out` the rules of the patterns present at their position in `buf`, counting only
   * patterns that end after `from` (a resumed scan: earlier ones were found before).
   */
  scan(buf: Uint8Array, from: number, out: Candidates): void {
    const offs = this.offsets;
    const len = buf.length;
    for (let k = 0; k < offs.length; k++) {
      const o = offs[k];
      if (o >= len) return;
      const list = this.slots[k * 256 + buf[o]];
      if (list === null) continue;
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        const p = e.bytes;
        const end = o + p.length;
        if (end > len || end <= from) continue;
        let j = 1;
        if (e.nocase) {
          while (j < p.length && lower(buf[o + j]) === lower(p[j])) j++;
        } else {
          while (j < p.length && buf[o + j] === p[j]) j++;
        }
        if (j === p.length) out.addAll(e.rules);
      }
    }
  }
}
