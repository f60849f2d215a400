/**
 * A set of IPv4 and IPv6 addresses as sorted, disjoint, inclusive ranges: the compiled form of
 * a rule's address group (`[10.0.0.0/8,!10.1.0.0/16]`, `$HOME_NET`, `any`). Lookup is a binary
 * search over typed arrays.
 */

import { word0 } from '../prefilter/address-index.js';

/** 128-bit addresses are handled as BigInt only while building; lookups use 4 x 32-bit words. */
export class IpSet {
  /** True when the set holds every IPv4 and IPv6 address. */
  readonly any: boolean;
  /** IPv4 ranges: [start0, end0, start1, end1, ...] as unsigned 32-bit values. */
  readonly v4: Float64Array;
  /** IPv6 ranges: 8 words per range (start w0..w3, end w0..w3). */
  readonly v6: Uint32Array;

  constructor(v4: Array<[number, number]>, v6: Array<[bigint, bigint]>) {
    const m4 = mergeRanges(v4.map(([a, b]) => [BigInt(a), BigInt(b)] as [bigint, bigint]));
    const m6 = mergeRanges(v6);
    this.v4 = new Float64Array(m4.length * 2);
    m4.forEach(([a, b], i) => {
      this.v4[i * 2] = Number(a);
      this.v4[i * 2 + 1] = Number(b);
    });
    this.v6 = new Uint32Array(m6.length * 8);
    m6.forEach(([a, b], i) => {
      for (let w = 0; w < 4; w++) {
        this.v6[i * 8 + w] = Number((a >> BigInt(96 - 32 * w)) & 0xffffffffn);
        this.v6[i * 8 + 4 + w] = Number((b >> BigInt(96 - 32 * w)) & 0xffffffffn);
      }
    });
    this.any =
      m4.length === 1 &&
      m4[0][0] === 0n &&
      m4[0][1] === 0xffffffffn &&
      m6.length === 1 &&
      m6[0][0] === 0n &&
      m6[0][1] === V6_MAX;
  }

  /** True when the address (4 or 16 bytes in network order) is in the set. */
  has(addr: Uint8Array): boolean {
    if (this.any) return true;
    if (addr.length === 4) {
      const r = this.v4;
      const n = r.length >> 1;
      if (n === 0) return false;
      const v = word0(addr);
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (v < r[mid * 2]) hi = mid - 1;
        else if (v > r[mid * 2 + 1]) lo = mid + 1;
        else return true;
      }
      return false;
    }
    if (addr.length === 16) {
      const r = this.v6;
      const n = r.length >> 3;
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cmp6(addr, r, mid * 8) < 0) hi = mid - 1;
        else if (cmp6(addr, r, mid * 8 + 4) > 0) lo = mid + 1;
        else return true;
      }
    }
    return false;
  }

  /** Number of ranges (for statistics and the prefilter's address index). */
  get rangeCount(): number {
    return (this.v4.length >> 1) + (this.v6.length >> 3);
  }
}

const V6_MAX = (1n << 128n) - 1n;

function cmp6(addr: Uint8Array, r: Uint32Array, at: number): number {
  for (let w = 0; w < 4; w++) {
    const a =
      ((addr[w * 4] << 24) >>> 0) + (addr[w * 4 + 1] << 16) + (addr[w * 4 + 2] << 8) + addr[w * 4 + 3];
    const b = r[at + w];
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Sorts and merges overlapping or adjacent inclusive ranges. */
export function mergeRanges(ranges: Array<[bigint, bigint]>): Array<[bigint, bigint]> {
  const s = ranges.filter(([a, b]) => a <= b).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

/** Ranges of `all` minus the ranges of `remove` (both merged). */
export function subtractRanges(
  all: Array<[bigint, bigint]>,
  remove: Array<[bigint, bigint]>,
): Array<[bigint, bigint]> {
  let cur = mergeRanges(all);
  for (const [ra, rb] of mergeRanges(remove)) {
    const next: Array<[bigint, bigint]> = [];
    for (const [a, b] of cur) {
      if (rb < a || ra > b) {
        next.push([a, b]);
        continue;
      }
      if (ra > a) next.push([a, ra - 1n]);
      if (rb < b) next.push([rb + 1n, b]);
    }
    cur = next;
  }
  return cur;
}

export const FULL_V4: [bigint, bigint] = [0n, 0xffffffffn];
export const FULL_V6: [bigint, bigint] = [0n, V6_MAX];

/** Converts 4 or 16 bytes to a BigInt. */
export function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}
