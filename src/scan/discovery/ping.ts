/**
 * ICMP echo through the system `ping` (iputils), run with an argument array. `ping` holds the
 * privilege (file capability or an unprivileged ICMP socket) so Sentra needs none; the reply's
 * TTL also feeds the TTL-only OS guess.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { runCommand } from '../../sys/exec.js';

/** TTL and round trip of one ICMP echo reply; null when the host does not answer in time. */
export async function pingTtl(
  address: string,
  family: 4 | 6,
  timeoutMs = 2000,
): Promise<{ ttl: number; rttMs: number } | null> {
  const wait = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  try {
    const r = await runCommand(['ping', family === 6 ? '-6' : '-4', '-n', '-c', '1', '-W', wait, address], {
      timeoutMs: timeoutMs + 2000,
      packageHint: 'iputils-ping',
      okCodes: [1, 2],
    });
    const m = /ttl=(\d+)(?:.*time=([\d.]+) ms)?/i.exec(r.stdout);
    return m ? { ttl: Number(m[1]), rttMs: m[2] ? Number(m[2]) : Number.NaN } : null;
  } catch (e) {
    if (
      e instanceof SentraError &&
      (e.code === ErrorCodes.DEPENDENCY_MISSING || e.code === ErrorCodes.TIMEOUT)
    )
      return null;
    throw e;
  }
}
