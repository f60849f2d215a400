/**
 * The daemon's access token: made on first start from 32 random bytes, stored with mode 0600
 * in the data directory (only the daemon's user reads it), shown once. Every API call sends
 * it as `Authorization: Bearer <token>`; the dashboard trades it (or a one-time login code
 * printed at each start) for an HttpOnly session cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../errors.js';

export interface TokenInfo {
  token: string;
  /** The token was made by this call (print it once). */
  created: boolean;
}

/** Reads the token at `file`, or makes one (mode 0600) when the file does not exist. */
export function loadOrCreateToken(file: string): TokenInfo {
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) {
      chmodSync(file, 0o600);
      return { token, created: false };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SentraError(ErrorCodes.IO, `cannot read the access token ${file}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  const token = randomBytes(32).toString('base64url');
  // O_EXCL: two daemons starting at once must not hand out different tokens
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateToken(file);
    throw new SentraError(ErrorCodes.IO, `cannot write the access token ${file}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { token, created: true };
}

/** Compares in constant time (no timing hint of how many characters matched). */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One-time login codes for the dashboard URL printed at start: each works once, for a while. */
export class LoginCodes {
  private readonly codes = new Map<string, number>();

  constructor(private readonly ttlMs = 15 * 60_000) {}

  issue(): string {
    const code = randomBytes(18).toString('base64url');
    this.codes.set(code, Date.now() + this.ttlMs);
    return code;
  }

  /** True once for a code issued less than the TTL ago. */
  redeem(code: string): boolean {
    const until = this.codes.get(code);
    if (until === undefined) return false;
    this.codes.delete(code);
    return until > Date.now();
  }
}
