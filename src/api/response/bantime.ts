/**
 * Escalating ban times for repeat offenders, with fail2ban's `bantime.increment` semantics so
 * that operators' existing settings mean the same here:
 * - `count` is how many times the address was banned before (within `findTimeSec`, if set);
 *   the first ban (count 0) lasts `banTimeSec`, and the rules below apply from the second;
 * - with `multipliers`, ban n lasts `banTime × factor × multipliers[min(count, last)]`
 *   (factor defaults to 1);
 * - otherwise `max(banTime, banTime × e^((count+1)·factor) / e^factor)`, factor defaulting to
 *   2 / 2.885385 (≈ ln 2: the time doubles with each ban);
 * - the result is capped at `maxTimeSec`, then up to `rndTimeSec` of random time is added (so a
 *   botnet cannot compute when the ban ends).
 */

export interface BanTimeIncrement {
  enabled: boolean;
  /** fail2ban `bantime.factor`. */
  factor?: number;
  /** fail2ban `bantime.multipliers` (e.g. `[1, 2, 4, 8, 16, 32, 64]`). */
  multipliers?: readonly number[];
  /** fail2ban `bantime.maxtime`, seconds. */
  maxTimeSec?: number;
  /** fail2ban `bantime.rndtime`, seconds. */
  rndTimeSec?: number;
  /** Only bans newer than this count as previous offences (seconds; default: all remembered). */
  findTimeSec?: number;
}

/** fail2ban's default formula factor: 2 / 2.885385 ≈ ln 2. */
export const DEFAULT_FORMULA_FACTOR = 2.0 / 2.885385;

/** The ban time in seconds for an address banned `count` times before. */
export function escalatedBanTime(
  banTimeSec: number,
  count: number,
  inc: BanTimeIncrement | undefined,
  random: () => number = Math.random,
): number {
  // as in fail2ban, a first ban is the plain ban time: no cap, no random part
  if (!inc?.enabled || banTimeSec <= 0 || count <= 0) return banTimeSec;
  let t: number;
  const m = inc.multipliers;
  if (m && m.length > 0) {
    t = banTimeSec * (inc.factor ?? 1) * m[Math.min(count, m.length - 1)];
  } else {
    const f = inc.factor ?? DEFAULT_FORMULA_FACTOR;
    t = Math.max(banTimeSec, (banTimeSec * Math.exp((count + 1) * f)) / Math.exp(f));
  }
  if (inc.maxTimeSec !== undefined) t = Math.min(t, inc.maxTimeSec);
  if (inc.rndTimeSec !== undefined && inc.rndTimeSec > 0) t += random() * inc.rndTimeSec;
  return t;
}
