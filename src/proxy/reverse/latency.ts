/**
 * Response-time histogram per backend: log-linear buckets over microseconds (8 per power of
 * two, so a quantile is within ~12% of the truth), a fixed typed array, nothing allocated per
 * sample. Cumulative since the backend was added.
 */

const SUB = 8;
const LINEAR = 16; // values below 16 us get one bucket each
const MAX_EXP = 31; // up to 2^31 us (~36 min); longer samples land in the last bucket
const BUCKETS = LINEAR + (MAX_EXP - 4 + 1) * SUB;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;

  /** Records one sample in milliseconds. */
  record(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 0) us = 0;
    if (us > 0x7fffffff) us = 0x7fffffff;
    this.counts[bucketOf(us)]++;
    this.count++;
  }

  /** The q-quantile (0..1) in milliseconds, or 0 without samples. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return bucketMid(i) / 1000;
    }
    return bucketMid(BUCKETS - 1) / 1000;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
  }
}

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  const e = 31 - Math.clz32(us); // floor(log2), >= 4 here
  const sub = (us >>> (e - 3)) & (SUB - 1);
  return LINEAR + (e - 4) * SUB + sub;
}

function bucketMid(i: number): number {
  if (i < LINEAR) return i;
  const e = Math.floor((i - LINEAR) / SUB) + 4;
  const sub = (i - LINEAR) % SUB;
  const width = 2 ** (e - 3);
  return 2 ** e + sub * width + width / 2;
}
