/**
 * Overlap checks the kernel would otherwise fail on (or, worse, accept): two network blocks in
 * one interval set may not overlap, nor may two port ranges. Sorting by start makes the check
 * O(n log n), so a bulk ban of 100,000 blocks is checked in milliseconds.
 */
import type { AddrTarget, PortProtocol } from './model.js';

function start(t: AddrTarget): bigint {
  let v = 0n;
  for (const b of t.bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function size(t: AddrTarget): bigint {
  return 1n << BigInt((t.family === 4 ? 32 : 128) - t.prefix);
}

/**
 * The first pair of distinct blocks (by text) that share an address, or null. Blocks with the
 * same text are one block (a re-ban), not an overlap.
 */
export function findBlockOverlap(blocks: readonly AddrTarget[]): [AddrTarget, AddrTarget] | null {
  for (const family of [4, 6] as const) {
    const list = blocks
      .filter((b) => b.family === family)
      .map((b) => ({ b, s: start(b), e: start(b) + size(b) - 1n }))
      .sort((x, y) => (x.s < y.s ? -1 : x.s > y.s ? 1 : x.e < y.e ? -1 : x.e > y.e ? 1 : 0));
    let prev: (typeof list)[number] | null = null;
    for (const cur of list) {
      if (prev && cur.s <= prev.e && cur.b.text !== prev.b.text) return [prev.b, cur.b];
      if (!prev || cur.e > prev.e) prev = cur;
    }
  }
  return null;
}

export interface PortBlock {
  protocol: PortProtocol;
  from: number;
  to: number;
}

/** The first pair of distinct port ranges of one protocol that share a port, or null. */
export function findPortOverlap(blocks: readonly PortBlock[]): [PortBlock, PortBlock] | null {
  const sorted = [...blocks].sort((a, b) =>
    a.protocol !== b.protocol ? (a.protocol < b.protocol ? -1 : 1) : a.from - b.from || a.to - b.to,
  );
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a.protocol === b.protocol && b.from <= a.to && !(a.from === b.from && a.to === b.to)) return [a, b];
  }
  return null;
}
