/**
 * A backend of the reverse proxy: where it is, its weight, its health (active checks and
 * passive ejection), and its counters. Balancers read and write the few scratch fields below.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { UpstreamTarget } from '../core/upstream.js';
import { LatencyHistogram } from './latency.js';

/** Largest weight: keeps smooth round robin sums and hash rings small. */
export const MAX_WEIGHT = 100;

export class Backend {
  readonly id: string;
  readonly url: string;
  weight: number;
  readonly target: UpstreamTarget;
  /** `host:port` (for logs and Host-less health checks). */
  readonly authority: string;

  /** Result of active checks (true until checks say otherwise, like nginx and HAProxy). */
  activeHealthy = true;
  /** Passive ejection end (coarse clock ms); 0 when not ejected. */
  ejectedUntil = 0;
  /** Consecutive failed requests (passive health). */
  consecutiveFailures = 0;
  /** Consecutive active check results in the current direction (rise/fall). */
  checkStreak = 0;
  lastCheck: { time: number; ok: boolean; detail: string } | null = null;
  removed = false;

  requests = 0;
  errors = 0;
  /** Requests in flight. */
  active = 0;
  readonly latency = new LatencyHistogram();

  /** Smooth weighted round robin state. */
  currentWeight = 0;
  /** Set by the proxy on the backends a balancer may pick right now. */
  pickMark = 0;

  constructor(id: string, url: string, weight: number) {
    this.id = id;
    this.url = url;
    this.weight = checkWeight(weight);
    const parsed = parseBackendUrl(url);
    this.target = { key: `b:${id}:${parsed.host}:${parsed.port}`, ...parsed };
    this.authority = parsed.host.includes(':')
      ? `[${parsed.host}]:${parsed.port}`
      : `${parsed.host}:${parsed.port}`;
  }

  /** Eligible for traffic: active checks pass and not ejected by passive checks. */
  healthyAt(now: number): boolean {
    return this.activeHealthy && this.ejectedUntil <= now;
  }
}

export function checkWeight(weight: unknown): number {
  const w = weight === undefined || weight === null ? 1 : Number(weight);
  if (!Number.isInteger(w) || w < 1 || w > MAX_WEIGHT) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `backend weight must be an integer 1-${MAX_WEIGHT}, got ${String(weight)}`,
      {
        details: { weight: String(weight) },
      },
    );
  }
  return w;
}

/** Parses `http://host:port` or `https://host:port` (no path, query or credentials). */
export function parseBackendUrl(url: string): { host: string; port: number; tls: boolean } {
  const bad = (why: string) =>
    new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid backend URL ${JSON.stringify(url)}: ${why}`, {
      details: { url },
    });
  if (typeof url !== 'string' || url.length === 0) throw bad('empty');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('expected http://host:port or https://host:port');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('the scheme must be http or https');
  if (u.username || u.password) throw bad('credentials in backend URLs are not supported');
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw bad('a backend URL names a server only (no path or query)');
  }
  const tls = u.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === '' ? (tls ? 443 : 80) : Number(u.port);
  return { host, port, tls };
}
