/** Process limits that bound how many probes may be in flight. */
import { readFileSync } from 'node:fs';

let cached: number | null = null;

/** The soft limit on open file descriptors of this process (RLIMIT_NOFILE), or 1024 if unknown. */
export function openFileLimit(): number {
  if (cached !== null) return cached;
  cached = 1024;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) cached = m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
  } catch {
    /* not Linux */
  }
  return cached;
}

/** Concurrency that leaves room for the rest of the process: at most half the descriptors. */
export function clampConcurrency(wanted: number): number {
  const cap = Math.max(16, Math.floor((openFileLimit() - 64) / 2));
  return Math.max(1, Math.min(Math.floor(wanted), cap));
}
