/**
 * A bounded table of damped-statistics streams: 4-way set-associative, keyed by up to
 * {@link KEY_WORDS} uint32 words. A key hashes to one set of four slots; a new key takes an
 * empty slot of its set or else replaces the slot seen least recently, so memory is fixed
 * at construction and nothing is allocated per packet. Eviction forgets a stream, which then
 * starts again from zero weight, the same thing Kitsune's own cleanup of faded streams does.
 */

/** Words of a key: two 128-bit addresses and two ports (IPv4 stored v4-mapped). */
export const KEY_WORDS = 10;
const WAYS = 4;

export class StreamTable {
  /** Float64 words of state per stream. */
  readonly width: number;
  /** Slots (a multiple of 4, a power of two). */
  readonly capacity: number;
  /** State of slot s: `data[s * width ... (s + 1) * width)`. */
  readonly data: Float64Array;
  private readonly keys: Uint32Array;
  private readonly hashes: Int32Array;
  private readonly seen: Float64Array;
  private readonly setMask: number;
  /** The last {@link find} created the stream (its state is zeroed; the caller initialises it). */
  created = false;
  /** Streams replaced by a new key since construction. */
  evictions = 0;
  /** Streams in use. */
  size = 0;

  constructor(maxEntries: number, width: number) {
    let cap = WAYS;
    while (cap < maxEntries) cap *= 2;
    this.capacity = cap;
    this.width = width;
    this.data = new Float64Array(cap * width);
    this.keys = new Uint32Array(cap * KEY_WORDS);
    this.hashes = new Int32Array(cap);
    this.seen = new Float64Array(cap);
    this.setMask = cap / WAYS - 1;
  }

  /** The slot of `key` (first {@link KEY_WORDS} words), created if missing; `now` orders eviction. */
  find(key: Uint32Array, now: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < KEY_WORDS; i++) {
      h = Math.imul(h ^ key[i], 0x01000193);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
    h ^= h >>> 16;
    // 0 marks an empty slot
    if (h === 0) h = 1;
    const base = ((h >>> 2) & this.setMask) * WAYS;
    let victim = -1;
    let oldest = Number.POSITIVE_INFINITY;
    for (let w = 0; w < WAYS; w++) {
      const s = base + w;
      const hs = this.hashes[s];
      if (hs === h && this.sameKey(s, key)) {
        this.seen[s] = now;
        this.created = false;
        return s;
      }
      if (hs === 0) {
        if (oldest !== Number.NEGATIVE_INFINITY) {
          victim = s;
          oldest = Number.NEGATIVE_INFINITY;
        }
      } else if (this.seen[s] < oldest) {
        victim = s;
        oldest = this.seen[s];
      }
    }
    if (this.hashes[victim] === 0) this.size++;
    else this.evictions++;
    this.hashes[victim] = h;
    // a loop, not keys.set(key.subarray(...)): a subarray is an allocation, and a flood
    // of new socket pairs creates a stream per packet
    const keys = this.keys;
    const ko = victim * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) keys[ko + i] = key[i];
    this.seen[victim] = now;
    this.data.fill(0, victim * this.width, (victim + 1) * this.width);
    this.created = true;
    return victim;
  }

  /** Forgets every stream. */
  clear(): void {
    this.hashes.fill(0);
    this.size = 0;
  }

  private sameKey(s: number, key: Uint32Array): boolean {
    const o = s * KEY_WORDS;
    const k = this.keys;
    for (let i = 0; i < KEY_WORDS; i++) if (k[o + i] !== key[i]) return false;
    return true;
  }
}
