/**
 * The reverse proxy / load balancer: spreads requests over backends with a named strategy,
 * keeps backends' health (active checks and passive ejection), retries a request on another
 * backend when the connection failed before anything was sent, passes WebSocket upgrades, and
 * adds X-Forwarded-For / X-Forwarded-Proto. Backends can be added and removed at run time;
 * requests in flight on a removed backend finish normally.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { ClientConn, ProxyPolicy, UpstreamFailureKind } from '../core/connection.js';
import { idBit, keptHeaderLines } from '../core/rewrite.js';
import { ProxyListener } from '../core/server.js';
import { addTickable, clock, removeTickable } from '../core/sweeper.js';
import { H_HOST, H_UPGRADE, H_X_FORWARDED_FOR, H_X_FORWARDED_PROTO } from '../http/head.js';
import { type HttpLimits, resolveLimits } from '../http/limits.js';
import { DEFAULT_LOG_CAPACITY, type ProxyLogEntry, RequestLog } from '../log.js';
import { Backend } from './backend.js';
import { type Balancer, canonicalBalancerName, createBalancer, type PickContext } from './balancers/index.js';
import { ActiveHealthChecker, type ActiveHealthOptions, resolveActiveHealth } from './health/active.js';
import { PassiveHealth, type PassiveHealthOptions, resolvePassiveHealth } from './health/passive.js';

/** A backend as given by a user or a script. */
export interface BackendSpec {
  url: string;
  weight?: number;
}

export interface ReverseProxyOptions {
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Address to listen on (default 127.0.0.1: exposing it is a decision to make explicitly). */
  host?: string;
  backends?: (BackendSpec | string)[];
  /** Strategy name (default round_robin). */
  algorithm?: string;
  /** Active health checks; false turns them off. */
  healthCheck?: ActiveHealthOptions | false;
  /** Passive health (ejection on failures); false turns it off. */
  passiveHealth?: PassiveHealthOptions | false;
  /** Other backends tried when connecting fails (default 2). */
  retries?: number;
  /** Keep a request log (default false). */
  logRequests?: boolean;
  logFile?: string;
  logCapacity?: number;
  /** Called with every log entry (the CLI prints them); works without `logRequests`. */
  onLog?: (entry: ProxyLogEntry) => void;
  /** Value of X-Forwarded-Proto (default http). */
  forwardedProto?: 'http' | 'https';
  limits?: Partial<HttpLimits>;
}

/** One backend in {@link ReverseProxy.health} (the spec's fields plus details). */
export interface BackendHealth {
  id: string;
  url: string;
  weight: number;
  healthy: boolean;
  requests: number;
  errors: number;
  active_connections: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  /** Active checks say healthy (independent of passive ejection). */
  check_healthy: boolean;
  /** Ejected by passive health until this ISO time, or null. */
  ejected_until: string | null;
  last_check: { time: string; ok: boolean; detail: string } | null;
}

/** The spec's `reverse_proxy_get_health` result. */
export interface ReverseProxyHealth {
  id: string;
  port: number;
  algorithm: string;
  total_requests: number;
  total_errors: number;
  backends_active: number;
  backends: BackendHealth[];
}

/** Per-connection scratch state, reused across that connection's requests. */
class Attempt {
  backend: Backend | null = null;
  readonly tried: Backend[] = [];
  /** Head pieces kept for a retry on another backend. */
  prefix: Buffer | null = null;
  text = '';
  /** Our header lines for a request that needs no rewriting. */
  plainExtra = '';
  /** Where to insert a Host line (HTTP/1.0 request without one), 0 for none. */
  hostAt = 0;
}

export interface ReverseProxyEvents {
  backend_down: [backend: Backend, reason: string];
  backend_up: [backend: Backend, reason: string];
}

let nextProxy = 1;

export class ReverseProxy extends EventEmitter<ReverseProxyEvents> implements ProxyPolicy {
  readonly id: string;
  readonly host: string;
  port: number;
  readonly limits: HttpLimits;
  totalRequests = 0;
  totalErrors = 0;
  private readonly listener: ProxyListener;
  private readonly backendList: Backend[] = [];
  private candidates: Backend[] = [];
  private readonly ctx: PickContext = { candidates: [], mark: 1, clientIp: '' };
  private balancer: Balancer;
  private algorithmName: string;
  private readonly checker: ActiveHealthChecker | null;
  private readonly passive: PassiveHealth | null;
  private readonly retries: number;
  private readonly log: RequestLog | null;
  private readonly onLog: ((entry: ProxyLogEntry) => void) | null;
  private readonly proto: string;
  private nextBackend = 1;
  private nextEjectionEnd = 0;
  private readonly ejectionTicker = { tick: (now: number) => this.onTick(now) };

  constructor(options: ReverseProxyOptions) {
    super();
    this.id = `rproxy-${nextProxy++}`;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port;
    this.limits = resolveLimits(options.limits);
    this.algorithmName = canonicalBalancerName(options.algorithm ?? 'round_robin');
    this.balancer = createBalancer(this.algorithmName);
    this.retries = options.retries ?? 2;
    if (!Number.isInteger(this.retries) || this.retries < 0) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'retries must be a non-negative integer');
    }
    this.proto = options.forwardedProto ?? 'http';
    this.passive =
      options.passiveHealth === false ? null : new PassiveHealth(resolvePassiveHealth(options.passiveHealth));
    this.checker =
      options.healthCheck === false
        ? null
        : new ActiveHealthChecker(
            resolveActiveHealth(options.healthCheck),
            () => this.backendList,
            (b, ok, detail) => this.onActiveChange(b, ok, detail),
          );
    this.log = options.logRequests
      ? new RequestLog(options.logCapacity ?? DEFAULT_LOG_CAPACITY, options.logFile)
      : null;
    this.onLog = options.onLog ?? null;
    this.listener = new ProxyListener(this.limits, this, null);
    for (const spec of options.backends ?? []) {
      const s = typeof spec === 'string' ? { url: spec } : spec;
      this.addBackendInternal(s.url, s.weight ?? 1);
    }
    this.refresh();
  }

  /** Starts listening and health checking; resolves with the bound port. */
  async start(): Promise<number> {
    const addr = await this.listener.listen(this.port, this.host);
    this.port = addr.port;
    addTickable(this.ejectionTicker);
    this.checker?.start();
    return this.port;
  }

  /** Stops listening; requests in flight get `graceMs` to finish. */
  async stop(graceMs = 5_000): Promise<void> {
    this.checker?.stop();
    removeTickable(this.ejectionTicker);
    await this.listener.close(graceMs);
    await this.log?.close();
  }

  get algorithm(): string {
    return this.algorithmName;
  }

  get backends(): readonly Backend[] {
    return this.backendList;
  }

  get isRunning(): boolean {
    return this.listener.isListening;
  }

  /** Adds a backend at run time; returns it (its `id` names it in later calls). */
  addBackend(url: string, weight = 1): Backend {
    const b = this.addBackendInternal(url, weight);
    this.refresh();
    this.checker?.check(b);
    return b;
  }

  private addBackendInternal(url: string, weight: number): Backend {
    const b = new Backend(`backend-${this.nextBackend++}`, url, weight);
    this.listener.pool.unretireKey(b.target.key);
    this.backendList.push(b);
    return b;
  }

  /**
   * Removes a backend: it gets no new requests; requests in flight on it finish; its idle
   * connections close. Throws SENTRA_ERR_NOT_FOUND for an unknown id.
   */
  removeBackend(backendId: string): Backend {
    const i = this.backendList.findIndex((b) => b.id === backendId || b.url === backendId);
    if (i < 0) {
      throw new SentraError(ErrorCodes.NOT_FOUND, `no backend ${JSON.stringify(backendId)} in ${this.id}`, {
        details: { proxy: this.id, backend: backendId },
      });
    }
    const [b] = this.backendList.splice(i, 1);
    b.removed = true;
    this.listener.pool.retireKey(b.target.key);
    this.refresh();
    return b;
  }

  /** Switches the strategy; takes effect for the next request. */
  setAlgorithm(name: string): void {
    const canonical = canonicalBalancerName(name);
    this.balancer = createBalancer(canonical);
    this.algorithmName = canonical;
    this.refresh();
  }

  /** Health and counters: the spec's `reverse_proxy_get_health` shape. */
  health(): ReverseProxyHealth {
    const now = Date.now();
    const backends = this.backendList.map((b) => ({
      id: b.id,
      url: b.url,
      weight: b.weight,
      healthy: b.healthyAt(now),
      requests: b.requests,
      errors: b.errors,
      active_connections: b.active,
      latency_p50_ms: round3(b.latency.quantile(0.5)),
      latency_p99_ms: round3(b.latency.quantile(0.99)),
      check_healthy: b.activeHealthy,
      ejected_until: b.ejectedUntil > now ? new Date(b.ejectedUntil).toISOString() : null,
      last_check: b.lastCheck
        ? { time: new Date(b.lastCheck.time).toISOString(), ok: b.lastCheck.ok, detail: b.lastCheck.detail }
        : null,
    }));
    return {
      id: this.id,
      port: this.port,
      algorithm: this.algorithmName,
      total_requests: this.totalRequests,
      total_errors: this.totalErrors,
      backends_active: backends.filter((b) => b.healthy).length,
      backends,
    };
  }

  /** The most recent request log entries (needs `logRequests`). */
  logs(limit = 100): ProxyLogEntry[] {
    return this.log?.recent(limit) ?? [];
  }

  /** Traffic counters of the listener. */
  traffic(): {
    bytes_in: number;
    bytes_out: number;
    active_connections: number;
    connections_refused: number;
  } {
    return {
      bytes_in: this.listener.counters.bytesIn,
      bytes_out: this.listener.counters.bytesOut,
      active_connections: this.listener.conns.size,
      connections_refused: this.listener.refusedConnections,
    };
  }

  // --- candidates -----------------------------------------------------------------------

  /** Rebuilds the healthy candidate list after membership, weight or health changed. */
  private refresh(): void {
    const now = clock.now;
    this.candidates = this.backendList.filter((b) => b.healthyAt(now));
    this.ctx.mark++;
    for (const b of this.candidates) b.pickMark = this.ctx.mark;
    let nextEnd = 0;
    for (const b of this.backendList) {
      if (b.ejectedUntil > now && (nextEnd === 0 || b.ejectedUntil < nextEnd)) nextEnd = b.ejectedUntil;
    }
    this.nextEjectionEnd = nextEnd;
    this.balancer.update(this.backendList);
  }

  private onTick(now: number): void {
    if (this.nextEjectionEnd !== 0 && now >= this.nextEjectionEnd) {
      for (const b of this.backendList) {
        if (b.ejectedUntil !== 0 && b.ejectedUntil <= now) {
          b.ejectedUntil = 0;
          if (b.activeHealthy) this.emit('backend_up', b, 'passive ejection ended');
        }
      }
      this.refresh();
    }
  }

  private onActiveChange(b: Backend, healthy: boolean, detail: string): void {
    this.refresh();
    this.emit(healthy ? 'backend_up' : 'backend_down', b, `active check: ${detail}`);
  }

  private pick(conn: ClientConn, attempt: Attempt): Backend | null {
    const ctx = this.ctx;
    ctx.clientIp = conn.clientIp;
    if (attempt.tried.length === 0) {
      ctx.candidates = this.candidates;
      return this.balancer.pick(ctx);
    }
    // a retry: the same strategy over the candidates not tried yet (rare, may allocate)
    const rest = this.candidates.filter((b) => !attempt.tried.includes(b));
    const saved = ctx.mark;
    ctx.mark = saved + 1_000_000_000;
    for (const b of rest) b.pickMark = ctx.mark;
    ctx.candidates = rest;
    const b = this.balancer.pick(ctx);
    for (const r of rest) r.pickMark = saved;
    ctx.mark = saved;
    return b;
  }

  // --- policy ---------------------------------------------------------------------------

  onRequest(conn: ClientConn): void {
    this.totalRequests++;
    let attempt = conn.policyData as Attempt | null;
    if (attempt === null || !(attempt instanceof Attempt)) attempt = new Attempt();
    attempt.backend = null;
    attempt.tried.length = 0;
    conn.policyData = attempt;
    const b = this.pick(conn, attempt);
    if (b === null) {
      conn.respond(503, 'no healthy backend available');
      return;
    }
    this.buildHead(conn, attempt);
    this.dispatch(conn, attempt, b);
  }

  private dispatch(conn: ClientConn, attempt: Attempt, b: Backend): void {
    attempt.backend = b;
    attempt.tried.push(b);
    b.active++;
    b.requests++;
    let text = attempt.text;
    // an HTTP/1.0 request without Host goes out as HTTP/1.1, which needs one: the backend's
    if (attempt.hostAt > 0)
      text = `${text.slice(0, attempt.hostAt)}Host: ${b.authority}\r\n${text.slice(attempt.hostAt)}`;
    conn.forward(b.target, attempt.prefix, text);
  }

  private buildHead(conn: ClientConn, attempt: Attempt): void {
    const req = conn.req;
    const hasXff = req.first[H_X_FORWARDED_FOR] >= 0;
    const hasXfp = req.first[H_X_FORWARDED_PROTO] >= 0;
    const upgrade = req.connUpgrade && req.first[H_UPGRADE] >= 0;
    if (req.dropCount === 0 && !hasXff && !hasXfp && req.versionMinor === 1) {
      // the common case: the original head bytes, unchanged, then our lines (made once per
      // connection: the client address does not change)
      attempt.prefix = req.buf.subarray(req.start, req.end - 2);
      attempt.hostAt = 0;
      if (attempt.plainExtra === '') {
        attempt.plainExtra = `X-Forwarded-For: ${conn.clientIp}\r\nX-Forwarded-Proto: ${this.proto}\r\n\r\n`;
      }
      attempt.text = attempt.plainExtra;
      return;
    }
    let extra = 'X-Forwarded-For: ';
    extra += hasXff ? `${req.getAll(H_X_FORWARDED_FOR)}, ${conn.clientIp}\r\n` : `${conn.clientIp}\r\n`;
    extra += `X-Forwarded-Proto: ${this.proto}\r\n`;
    if (upgrade) extra += `Connection: upgrade\r\nUpgrade: ${req.get(H_UPGRADE)}\r\n`;
    const line =
      req.versionMinor === 1
        ? req.buf.toString('latin1', req.start, req.lineEnd)
        : req.buf.toString('latin1', req.start, req.lineEnd - 8) + 'HTTP/1.1';
    attempt.prefix = null;
    attempt.hostAt = req.first[H_HOST] < 0 ? line.length + 2 : 0;
    attempt.text =
      line +
      '\r\n' +
      keptHeaderLines(req, idBit(H_X_FORWARDED_FOR) | idBit(H_X_FORWARDED_PROTO)) +
      extra +
      '\r\n';
  }

  onResponseHead(_conn: ClientConn): void {}

  onUpstreamFailure(conn: ClientConn, kind: UpstreamFailureKind, _message: string): boolean {
    const attempt = conn.policyData as Attempt | null;
    const b = attempt?.backend ?? null;
    if (attempt === null || b === null) return false;
    attempt.backend = null;
    b.active--;
    b.errors++;
    if (this.passive?.failure(b, clock.now)) {
      this.refresh();
      this.emit('backend_down', b, `passive: ${this.passive.options.maxFails} failures in a row`);
    }
    if (kind !== 'connect' || attempt.tried.length > this.retries) return false;
    const next = this.pick(conn, attempt);
    if (next === null) return false;
    this.dispatch(conn, attempt, next);
    return true;
  }

  onExchangeEnd(conn: ClientConn): void {
    const attempt = conn.policyData as Attempt | null;
    const b = attempt?.backend ?? null;
    const status = conn.status;
    if (b !== null) {
      attempt!.backend = null;
      b.active--;
      if (conn.firstByteTime > 0) {
        if (!conn.tunnel) b.latency.record(performance.now() - conn.startTime);
        if (status >= 500) b.errors++;
        if (this.passive !== null) {
          if (this.passive.countsAsFailure(status)) {
            if (this.passive.failure(b, clock.now)) {
              this.refresh();
              this.emit('backend_down', b, `passive: status ${status}`);
            }
          } else {
            this.passive.success(b);
          }
        }
      }
    }
    if (!conn.headValid) this.totalRequests++;
    // a 5xx, or a response the upstream broke off (its status was already sent)
    if (status >= 500 || (conn.errorReason !== '' && conn.firstByteTime > 0 && status !== 499))
      this.totalErrors++;
    if (this.log !== null || this.onLog !== null) {
      const entry: ProxyLogEntry = {
        time: new Date(Date.now() - (performance.now() - conn.startTime)).toISOString(),
        client: conn.clientIp,
        method: conn.headValid ? conn.req.method : '-',
        url: conn.headValid ? conn.req.target : '-',
        status,
        bytes: conn.exBytesOut,
        duration_ms: round3(performance.now() - conn.startTime),
        ...(conn.errorReason ? { error: conn.errorReason } : {}),
        ...(attempt?.tried.length ? { backend: attempt.tried[attempt.tried.length - 1].id } : {}),
      };
      this.log?.push(entry);
      this.onLog?.(entry);
    }
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
