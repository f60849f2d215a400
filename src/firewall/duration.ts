/**
 * Ban durations as people write them (`90`, `90s`, `10m`, `1h30m`, `2d`, `1w`) and as nftables
 * prints them. Durations are kept in milliseconds; `null` means permanent.
 */
import { ErrorCodes, SentraError } from '../errors.js';

/** Longest ban accepted: ten years. Longer is a typo more often than an intent. */
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

function bad(input: unknown, why: string): SentraError {
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 40)) : String(input);
  return new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid duration ${shown}: ${why}`, {
    details: { input: typeof input === 'string' ? input.slice(0, 100) : input },
  });
}

/**
 * Parses a duration. A number is seconds; a string is seconds or a sum of `<n><unit>` with
 * units ms, s, m, h, d, w. `0`, `permanent`, `never`, null and undefined mean permanent (null).
 */
export function parseDuration(input: unknown): number | null {
  if (input === null || input === undefined) return null;
  let ms: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw bad(input, 'expected a non-negative number of seconds');
    ms = Math.round(input * 1000);
  } else if (typeof input === 'string') {
    const s = input.trim().toLowerCase();
    if (s.length > 40) throw bad(input, 'too long');
    if (s === 'permanent' || s === 'never' || s === 'forever') return null;
    if (/^\d+(\.\d+)?$/.test(s)) {
      ms = Math.round(Number(s) * 1000);
    } else {
      if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(s)) {
        throw bad(input, 'write seconds, or amounts with units ms, s, m, h, d, w such as 90s, 10m, 1h30m');
      }
      ms = 0;
      for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
      ms = Math.round(ms);
    }
  } else {
    throw bad(input, 'expected seconds or a string such as 10m');
  }
  if (ms === 0) return null;
  if (ms > MAX_DURATION_MS)
    throw bad(input, 'longer than ten years; leave the duration out for a permanent ban');
  return ms;
}

/** `1d2h3m4s5ms` (nftables' notation); `0s` for zero. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += n + unit;
      rest -= n * size;
    }
  }
  return out;
}
