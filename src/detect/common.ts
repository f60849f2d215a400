/**
 * Building blocks shared by the behavioural detectors: bounded key tables, exact sliding
 * windows (event counts, distinct values, rates) and address keys. Memory is bounded by
 * construction: every table has a cap and drops its oldest entry beyond it; every window is a
 * fixed array sized by its threshold.
 */
import { formatIPv4, formatIPv4Word, formatIPv6 } from '../net/address.js';
import { Encap } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';

/**
 * A Map with a size cap: beyond it the oldest inserted key leaves (FIFO). Keys are numbers for
 * IPv4 (no allocation) and strings for IPv6. An attacker who churns keys can push tracked keys
 * out; the cap only bounds memory.
 */
export class BoundedMap<K, V> {
  readonly map = new Map<K, V>();
  /** Entries dropped because the table was full. */
  evicted = 0;
  constructor(readonly cap: number) {}
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  set(k: K, v: V): void {
    if (!this.map.has(k) && this.map.size >= this.cap) {
      const first = this.map.keys().next();
      if (!first.done) {
        this.map.delete(first.value);
        this.evicted++;
      }
    }
    this.map.set(k, v);
  }
  /** Adds a key known to be absent (the caller's `get` just missed): one hash lookup fewer. */
  add(k: K, v: V): void {
    if (this.map.size >= this.cap) {
      const first = this.map.keys().next();
      if (!first.done) {
        this.map.delete(first.value);
        this.evicted++;
      }
    }
    this.map.set(k, v);
  }
  delete(k: K): boolean {
    return this.map.delete(k);
  }
  get size(): number {
    return this.map.size;
  }
  /** Removes entries for which `stale` says true (periodic expiry from `tick`). */
  sweep(stale: (v: V, k: K) => boolean): void {
    // forEach, not for-of: no [key, value] array per entry (a scan leaves thousands of keys),
    // and deleting the current entry during it is allowed
    const m = this.map;
    m.forEach((v, k) => {
      if (stale(v, k)) m.delete(k);
    });
  }
  clear(): void {
    this.map.clear();
  }
}

/**
 * The last `n` event times: {@link hit} says whether `n` events fell within one window ending
 * now — an exact sliding-window threshold in O(1) and `n` float64s.
 */
export class EventRing {
  private readonly t: Float64Array;
  private head = 0;
  private count = 0;
  last = 0;
  /** No alert about this ring before this time (µs): set by the detector after an alert. */
  quietUntil = 0;
  constructor(readonly n: number) {
    this.t = new Float64Array(Math.max(1, n));
  }
  /** Records an event at `nowUs`; true when the last `n` events all lie within `windowUs`. */
  hit(nowUs: number, windowUs: number): boolean {
    const t = this.t;
    t[this.head] = nowUs;
    // no modulo: an integer division per event was a tenth of the port scan detector's time
    this.head = this.head + 1 === t.length ? 0 : this.head + 1;
    if (this.count < t.length) this.count++;
    this.last = nowUs;
    // the oldest of the last n sits where the next write goes once the ring is full
    return this.count === t.length && nowUs - t[this.head] <= windowUs;
  }
  /** Events within `windowUs` of `nowUs` (up to n). */
  within(nowUs: number, windowUs: number): number {
    let c = 0;
    const t = this.t;
    for (let i = 0; i < this.count; i++) if (nowUs - t[i] <= windowUs) c++;
    return c;
  }
  reset(): void {
    this.count = 0;
    this.head = 0;
  }
}

/** The empty value list every window starts with (never written: the first add replaces it). */
const NONE: number[] = [];

/**
 * Distinct values seen within a sliding window, counted exactly up to `cap` (the threshold):
 * a value seen again refreshes its time; expired values free their place.
 */
export class DistinctWindow {
  // plain arrays made at the first value and grown on demand up to cap: most keys (a port
  // probed once) never hold more than one value, and a scan makes one window per probed port,
  // so a window costs two one-element arrays rather than two typed arrays
  private vals: number[] = NONE;
  private times: number[] = NONE;
  // what the last full scan found, for the fast path: the slot written last, the live values,
  // the oldest live time and the newest expired time (-Infinity: none)
  private lastIdx = 0;
  private liveCount = 0;
  private minLiveT = 0;
  private maxExpT = Number.NEGATIVE_INFINITY;
  // for a full window (a vertical scan past its threshold keeps adding new ports): the oldest
  // time held, live or not, and a 64-bit Bloom filter of the values held (bit v & 63)
  private minT = 0;
  private bloomLo = 0;
  private bloomHi = 0;
  last = 0;
  /** No alert about this window before this time (µs). */
  quietUntil = 0;
  constructor(readonly cap: number) {}
  /** Adds `v` at `nowUs`; returns how many distinct values lie within `windowUs` (at most cap). */
  add(v: number, nowUs: number, windowUs: number): number {
    this.last = nowUs;
    const { vals, times } = this;
    const used = vals.length;
    // the value written last again (a flood, a scan repeating one port) while no live value
    // expired and no expired one came back: the answer of the last scan, without a scan
    const li = this.lastIdx;
    if (
      vals[li] === v &&
      nowUs - this.minLiveT <= windowUs &&
      nowUs - this.maxExpT > windowUs &&
      nowUs - times[li] <= windowUs
    ) {
      times[li] = nowUs;
      return this.liveCount;
    }
    // full, nothing held has expired, and a new value (the filter says so): the full scan
    // would find every value live and no place free, and change nothing
    if (used >= this.cap && nowUs - this.minT <= windowUs) {
      const b = v & 63;
      if (((b < 32 ? this.bloomLo >>> b : this.bloomHi >>> (b - 32)) & 1) === 0) {
        this.maxExpT = Number.POSITIVE_INFINITY;
        return used;
      }
    }
    if (used === 0) {
      if (this.cap < 1) return 0;
      this.vals = [v];
      this.times = [nowUs];
      this.lastIdx = 0;
      this.liveCount = 1;
      this.minLiveT = nowUs;
      this.maxExpT = Number.NEGATIVE_INFINITY;
      this.minT = nowUs;
      this.bloomLo = 0;
      this.bloomHi = 0;
      this.addBloom(v);
      return 1;
    }
    let live = 0;
    let found = -1;
    let free = -1;
    for (let i = 0; i < used; i++) {
      if (nowUs - times[i] > windowUs) {
        if (free < 0) free = i;
        continue;
      }
      if (vals[i] === v) found = i;
      live++;
    }
    let r: number;
    if (found >= 0) {
      times[found] = nowUs;
      this.lastIdx = found;
      r = live;
    } else if (free < 0) {
      if (used >= this.cap) {
        // full of live values: at cap already (nothing written: the fast path stays off
        // until the next scan)
        this.maxExpT = Number.POSITIVE_INFINITY;
        return live;
      }
      vals.push(v);
      times.push(nowUs);
      this.lastIdx = used;
      r = live + 1;
    } else {
      vals[free] = v;
      times[free] = nowUs;
      this.lastIdx = free;
      r = live + 1;
    }
    this.summarize(nowUs, windowUs);
    return r;
  }

  /** Live count, oldest live and newest expired time at `nowUs` (for the fast path). */
  private summarize(nowUs: number, windowUs: number): void {
    const { times, vals } = this;
    let live = 0;
    let minLive = nowUs;
    let maxExp = Number.NEGATIVE_INFINITY;
    let minT = Number.POSITIVE_INFINITY;
    this.bloomLo = 0;
    this.bloomHi = 0;
    for (let i = 0; i < times.length; i++) {
      const ti = times[i];
      if (ti < minT) minT = ti;
      this.addBloom(vals[i]);
      if (nowUs - ti > windowUs) {
        if (ti > maxExp) maxExp = ti;
      } else {
        live++;
        if (ti < minLive) minLive = ti;
      }
    }
    this.liveCount = live;
    this.minLiveT = minLive;
    this.maxExpT = maxExp;
    this.minT = minT;
  }

  private addBloom(v: number): void {
    const b = v & 63;
    if (b < 32) this.bloomLo |= 1 << b;
    else this.bloomHi |= 1 << (b - 32);
  }
}

/**
 * Events per sliding window in `buckets` sub-buckets (window quantized to window/buckets):
 * for high-rate counts (floods) where one time per event would be too much memory.
 */
export class RateWindow {
  // a plain array: cheaper to allocate than a typed array (a scan makes one target per port)
  private readonly counts: number[];
  private readonly bucketUs: number;
  private cur = -1;
  private total = 0;
  last = 0;
  constructor(
    readonly windowUs: number,
    buckets = 10,
  ) {
    this.counts = [];
    for (let i = 0; i < buckets; i++) this.counts.push(0);
    this.bucketUs = windowUs / buckets;
  }
  // slot of the current bucket (cur % buckets), kept up to date: bucket numbers are large
  // doubles, whose modulo costs more than the rest of an update
  private slot = 0;
  /** Start of the bucket after the current one (µs): below it no division is needed. */
  private nextUs = Number.NEGATIVE_INFINITY;
  private advance(nowUs: number): void {
    if (nowUs < this.nextUs) return;
    const b = Math.floor(nowUs / this.bucketUs);
    const counts = this.counts;
    const n = counts.length;
    if (this.cur < 0 || b - this.cur >= n) {
      counts.fill(0);
      this.total = 0;
      this.cur = b;
      this.slot = b % n;
      this.nextUs = (b + 1) * this.bucketUs;
      return;
    }
    if (b <= this.cur) return;
    let j = this.slot;
    for (let i = this.cur + 1; i <= b; i++) {
      j = j + 1 === n ? 0 : j + 1;
      this.total -= counts[j];
      counts[j] = 0;
    }
    this.cur = b;
    this.slot = j;
    this.nextUs = (b + 1) * this.bucketUs;
  }
  /** Adds `k` events at `nowUs`; returns the count within the window. */
  add(nowUs: number, k = 1): number {
    this.advance(nowUs);
    this.last = nowUs;
    this.counts[this.slot] += k;
    this.total += k;
    return this.total;
  }
  /** Takes one event back (a handshake completed) if the window holds any. */
  remove(nowUs: number): void {
    this.advance(nowUs);
    const j = this.slot;
    if (this.counts[j] > 0) {
      this.counts[j]--;
      this.total--;
    } else if (this.total > 0) {
      for (let i = 0; i < this.counts.length; i++) {
        if (this.counts[i] > 0) {
          this.counts[i]--;
          this.total--;
          break;
        }
      }
    }
  }
  count(nowUs: number): number {
    this.advance(nowUs);
    return this.total;
  }
}

/** The IP packet a detector looks at: the innermost one of a tunnel (ICMP quotes not followed). */
export function ipOf(pkt: Packet): Packet {
  return pkt.inner === null ? pkt : pkt.innermost();
}

/** A table key for the source (or destination) address: uint32 for IPv4, text for IPv6. */
export function addrKey(p: Packet, src: boolean): number | string {
  if (p.ipVersion === 4) return (src ? p.src4 : p.dst4) >>> 0;
  return src ? formatIPv6(p.buf, p.srcOffset) : formatIPv6(p.buf, p.dstOffset);
}

/** Key of an address and a port: IPv4 address * 65536 + port (< 2^48), else text. */
export function addrPortKey(p: Packet, src: boolean, port: number): number | string {
  if (p.ipVersion === 4) return ((src ? p.src4 : p.dst4) >>> 0) * 65536 + port;
  return `${src ? formatIPv6(p.buf, p.srcOffset) : formatIPv6(p.buf, p.dstOffset)}#${port}`;
}

/** Text of the source or destination address. */
export function addrText(p: Packet, src: boolean): string {
  const off = src ? p.srcOffset : p.dstOffset;
  return p.ipVersion === 4 ? formatIPv4(p.buf, off) : formatIPv6(p.buf, off);
}

/** The address is multicast or broadcast (IPv4 224/4, 255.255.255.255, x.x.x.255 of a /24; IPv6 ff00::/8). */
export function isGroupDest(p: Packet): boolean {
  if (p.ipVersion === 4) {
    const d = p.dst4 >>> 0;
    return d >>> 28 === 14 || d === 0xffffffff || (d & 0xff) === 0xff;
  }
  return p.buf[p.dstOffset] === 0xff;
}

/** Quoted packet of an ICMP error (destination unreachable...), or null. */
export function icmpQuote(p: Packet): Packet | null {
  return p.inner !== null && p.innerKind === Encap.ICMP_QUOTE ? p.inner : null;
}

/** Seconds to microseconds, validated by the config reader. */
export const US = 1e6;

/** Text of an address key made by {@link addrKey}. */
export function keyText(k: number | string): string {
  if (typeof k === 'string') return k;
  return formatIPv4Word(k);
}
