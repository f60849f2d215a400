/**
 * Client-address affinity with consistent hashing: each backend owns points on a 32-bit ring
 * (virtual nodes in proportion to its weight, keyed by its URL), a client goes to the first
 * point clockwise from the hash of its address. Adding a backend moves only the clients that
 * now land on the new backend's points (about 1/n of them); an unhealthy backend's clients
 * move to the next point, and come back when it recovers.
 */
import type { Backend } from '../backend.js';
import type { Balancer, PickContext } from './types.js';

/** Ring points per unit of weight. 64 keeps the load within a few percent for small pools. */
export const POINTS_PER_WEIGHT = 64;

/** FNV-1a over the string's UTF-16 code units, then murmur3's finalizer to spread the bits. */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class IpHashBalancer implements Balancer {
  readonly name = 'ip_hash';
  private points = new Uint32Array(0);
  private owners: Backend[] = [];

  update(all: readonly Backend[]): void {
    const entries: { p: number; b: Backend }[] = [];
    for (const b of all) {
      if (b.removed) continue;
      const n = b.weight * POINTS_PER_WEIGHT;
      for (let v = 0; v < n; v++) entries.push({ p: hash32(`${b.url}#${v}`), b });
    }
    entries.sort((x, y) => x.p - y.p || (x.b.url < y.b.url ? -1 : 1));
    this.points = Uint32Array.from(entries, (e) => e.p);
    this.owners = entries.map((e) => e.b);
  }

  pick(ctx: PickContext): Backend | null {
    const n = this.points.length;
    if (n === 0 || ctx.candidates.length === 0) return null;
    const h = hash32(ctx.clientIp);
    // first point >= h
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    for (let k = 0; k < n; k++) {
      const b = this.owners[(lo + k) % n];
      if (b.pickMark === ctx.mark) return b;
    }
    return null;
  }
}
