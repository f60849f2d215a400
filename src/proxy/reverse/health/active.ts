/**
 * Active health checks: every interval, one HTTP GET per backend on a fresh connection; a
 * backend turns unhealthy after `fall` failed checks in a row and healthy again after `rise`
 * good ones (HAProxy's rise/fall). A check fails on a connection error, a timeout or a status
 * outside the expected range.
 */
import http from 'node:http';
import https from 'node:https';
import { ErrorCodes, SentraError } from '../../../errors.js';
import { VERSION } from '../../../version.js';
import type { Backend } from '../backend.js';

export interface ActiveHealthOptions {
  /** Path requested (default `/`). */
  path?: string;
  /** Time between checks of one backend (default 5000 ms). */
  intervalMs?: number;
  /** A check slower than this fails (default 2000 ms). */
  timeoutMs?: number;
  /** Good checks in a row to become healthy (default 2). */
  rise?: number;
  /** Failed checks in a row to become unhealthy (default 3). */
  fall?: number;
  /** Expected status: a code, `"200-399"`, or [min, max] (default 200-399). */
  expectedStatus?: number | string | [number, number];
  /** Verify https backends' certificates (default true). */
  rejectUnauthorized?: boolean;
}

export interface ResolvedActiveHealth {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  statusMin: number;
  statusMax: number;
  rejectUnauthorized: boolean;
}

function invalid(msg: string): SentraError {
  return new SentraError(ErrorCodes.INVALID_ARGUMENT, msg);
}

function positiveInt(v: unknown, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw invalid(`health check ${name} must be an integer >= ${min}`);
  return n;
}

export function resolveActiveHealth(o: ActiveHealthOptions = {}): ResolvedActiveHealth {
  const path = o.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s\x00-\x1f\x7f]/.test(path)) {
    throw invalid(`health check path must start with / and contain no spaces, got ${JSON.stringify(path)}`);
  }
  let statusMin = 200;
  let statusMax = 399;
  const e = o.expectedStatus;
  if (typeof e === 'number') {
    statusMin = statusMax = e;
  } else if (Array.isArray(e)) {
    [statusMin, statusMax] = e;
  } else if (typeof e === 'string') {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(e.trim());
    if (!m) throw invalid(`expected status must look like 200 or 200-399, got ${JSON.stringify(e)}`);
    statusMin = Number(m[1]);
    statusMax = Number(m[2] ?? m[1]);
  }
  if (!(statusMin >= 100 && statusMax <= 599 && statusMin <= statusMax)) {
    throw invalid('expected status range must lie within 100-599');
  }
  return {
    path,
    intervalMs: positiveInt(o.intervalMs, 'interval', 5_000, 50),
    timeoutMs: positiveInt(o.timeoutMs, 'timeout', 2_000, 10),
    rise: positiveInt(o.rise, 'rise', 2),
    fall: positiveInt(o.fall, 'fall', 3),
    statusMin,
    statusMax,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
  };
}

/** Called when a backend's active health changes. */
export type HealthChangeListener = (backend: Backend, healthy: boolean, detail: string) => void;

export class ActiveHealthChecker {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Backend>();

  constructor(
    readonly options: ResolvedActiveHealth,
    private readonly backends: () => readonly Backend[],
    private readonly onChange: HealthChangeListener,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.checkAll(), this.options.intervalMs);
    this.timer.unref();
    this.checkAll();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Checks every backend once now (also used right after a backend is added). */
  checkAll(): void {
    for (const b of this.backends()) this.check(b);
  }

  check(b: Backend): void {
    if (this.inFlight.has(b) || b.removed) return;
    this.inFlight.add(b);
    const o = this.options;
    const mod = b.target.tls ? https : http;
    let settled = false;
    const done = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(b);
      if (b.removed || this.timer === null) return;
      this.apply(b, ok, detail);
    };
    const req = mod.request({
      host: b.target.host,
      port: b.target.port,
      path: o.path,
      method: 'GET',
      agent: false,
      timeout: o.timeoutMs,
      rejectUnauthorized: o.rejectUnauthorized,
      headers: { Host: b.authority, 'User-Agent': `sentra-health/${VERSION}`, Connection: 'close' },
    });
    // the socket timeout above only covers inactivity; this bounds the whole check
    const overall = setTimeout(
      () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    overall.unref();
    req.on('response', (res) => {
      res.resume();
      clearTimeout(overall);
      const s = res.statusCode ?? 0;
      const ok = s >= o.statusMin && s <= o.statusMax;
      done(ok, ok ? `status ${s}` : `status ${s} outside ${o.statusMin}-${o.statusMax}`);
      res.on('error', () => undefined);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (e) => {
      clearTimeout(overall);
      done(false, e.message);
    });
    req.end();
  }

  private apply(b: Backend, ok: boolean, detail: string): void {
    b.lastCheck = { time: Date.now(), ok, detail };
    if (ok === b.activeHealthy) {
      b.checkStreak = 0;
      return;
    }
    b.checkStreak++;
    if (b.checkStreak >= (ok ? this.options.rise : this.options.fall)) {
      b.checkStreak = 0;
      b.activeHealthy = ok;
      this.onChange(b, ok, detail);
    }
  }
}
