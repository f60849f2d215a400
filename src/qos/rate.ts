/**
 * Bandwidth as tc users write it: `512kbit`, `10mbit`, `1gbit`, `125kbps` (bytes per second), or
 * a bare number of kbit/s. Kept in kbit/s (1 kbit = 1000 bit, as tc counts).
 */
import { ErrorCodes, SentraError } from '../errors.js';

/** Slowest and fastest rates accepted: below 8 kbit/s HTB cannot keep time; above 100 Gbit/s is a typo. */
export const MIN_RATE_KBIT = 8;
export const MAX_RATE_KBIT = 100_000_000;

const UNITS: Record<string, number> = {
  bit: 0.001,
  kbit: 1,
  mbit: 1000,
  gbit: 1_000_000,
  bps: 0.008,
  kbps: 8,
  mbps: 8000,
  gbps: 8_000_000,
};

export function parseRate(input: unknown): number {
  const bad = (why: string) =>
    new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `invalid rate ${JSON.stringify(String(input).slice(0, 40))}: ${why}`,
      { details: { input: String(input).slice(0, 100) } },
    );
  let kbit: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw bad('not a number');
    kbit = input;
  } else if (typeof input === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)?$/i.exec(input.trim());
    if (!m || input.length > 40) throw bad('write a number with a unit such as 512kbit, 10mbit or 1gbit');
    kbit = Number(m[1]) * UNITS[(m[2] ?? 'kbit').toLowerCase()];
  } else {
    throw bad('expected a number of kbit/s or a string such as 10mbit');
  }
  kbit = Math.round(kbit);
  if (kbit < MIN_RATE_KBIT || kbit > MAX_RATE_KBIT)
    throw bad(`must be between ${MIN_RATE_KBIT} kbit and 100 gbit`);
  return kbit;
}

export function formatRate(kbit: number): string {
  if (kbit >= 1_000_000 && kbit % 1_000_000 === 0) return `${kbit / 1_000_000}gbit`;
  if (kbit >= 1000 && kbit % 1000 === 0) return `${kbit / 1000}mbit`;
  return `${kbit}kbit`;
}
