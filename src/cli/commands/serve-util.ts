/**
 * What the long-running `proxy` and `lb` commands share: repeatable options, running until
 * SIGINT/SIGTERM (or --duration), and printing log lines.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { ProxyLogEntry } from '../../proxy/log.js';

/** Commander collector for options that may be given several times (or comma-separated). */
export function collect(value: string, previous: string[] = []): string[] {
  return previous.concat(
    value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  );
}

/** Parses `--duration` (seconds, may be fractional); undefined when not given. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `--duration must be a positive number of seconds, got ${text}`,
    );
  }
  return v * 1000;
}

/**
 * Resolves when the process gets SIGINT/SIGTERM (`signal` true) or after `durationMs`
 * (`signal` false).
 */
export function waitForStop(durationMs: number | undefined): Promise<{ signal: boolean }> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const onSignal = () => finish(true);
    const finish = (signal: boolean) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (timer !== null) clearTimeout(timer);
      resolve({ signal });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (durationMs !== undefined) timer = setTimeout(() => finish(false), durationMs);
  });
}

/** One access-log line for a terminal. */
export function formatLogLine(e: ProxyLogEntry): string {
  let line = `${e.time} ${e.client} ${e.method} ${e.url} ${e.status} ${e.bytes}B ${e.duration_ms}ms`;
  if (e.backend) line += ` -> ${e.backend}`;
  if (e.cache) line += ` cache=${e.cache}`;
  if (e.blocked_reason) line += ` blocked: ${e.blocked_reason}`;
  else if (e.error) line += ` error: ${e.error}`;
  return line;
}
