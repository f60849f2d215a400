/**
 * The forward proxy: HTTP/1.1 absolute-URI requests (kept alive on both sides), HTTPS through
 * CONNECT tunnels, optional chaining to a parent HTTP proxy (CONNECT through it too), request
 * filters, an optional shared cache, request logs, Basic authentication and a client
 * allowlist. Listens on 127.0.0.1 unless told otherwise: an open proxy is a gift to abusers.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { ClientConn, ProxyPolicy, UpstreamFailureKind } from '../core/connection.js';
import { idBit, keptHeaderLines } from '../core/rewrite.js';
import { ProxyListener } from '../core/server.js';
import { clock } from '../core/sweeper.js';
import type { UpstreamTarget } from '../core/upstream.js';
import { H_HOST, H_PROXY_AUTHORIZATION, H_UPGRADE, H_VIA } from '../http/head.js';
import { type HttpLimits, resolveLimits } from '../http/limits.js';
import { type AbsoluteTarget, parseAbsoluteTarget, parseAuthority } from '../http/uri.js';
import { DEFAULT_LOG_CAPACITY, type ProxyLogEntry, RequestLog } from '../log.js';
import { conditionalLines, decide, refreshFrom304, serveEntry, storableEntry } from './cache/flow.js';
import { type CacheEntry, type CacheOptions, HttpCache } from './cache/store.js';
import { CidrList, createFilter, type FilterInput, type ProxyFilter } from './filters/index.js';
import { RequestView } from './request-view.js';
import { type ParentProxy, parseParentProxy } from './upstream-proxy.js';

export interface ForwardProxyOptions {
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Parent proxy URL (`http://[user:pass@]host:port`) to chain through. */
  upstream?: string | null;
  /** Cache cacheable GET responses: true for defaults, or sizes. */
  cache?: boolean | CacheOptions;
  /** Keep a request log (ring buffer, and the file below when given). */
  logRequests?: boolean;
  /** JSON Lines file the log is appended to. */
  logFile?: string;
  logCapacity?: number;
  /** Called with every log entry (the CLI prints them); works without `logRequests`. */
  onLog?: (entry: ProxyLogEntry) => void;
  blockedDomains?: string[];
  allowedDomains?: string[];
  blockedUrls?: (string | RegExp)[];
  /** Methods allowed (others get 403); default all. */
  allowedMethods?: string[];
  /** Client addresses/CIDRs allowed to connect; others are refused with 403. */
  allowedClients?: string[];
  /** Further filters: functions, filter objects or `{ type, values }`. */
  filters?: FilterInput[];
  /** Require Basic proxy authentication. */
  auth?: { username: string; password: string };
  /** Ports CONNECT may reach (default: any). */
  connectPorts?: number[];
  limits?: Partial<HttpLimits>;
}

/** The spec's `proxy_get_stats` result, plus cache and connection counters. */
export interface ForwardProxyStats {
  id: string;
  port: number;
  requests_total: number;
  requests_blocked: number;
  /** Requests answered with an error by the proxy (bad request, upstream failure). */
  requests_failed: number;
  /** Bytes received from clients. */
  bytes_in: number;
  /** Bytes sent to clients. */
  bytes_out: number;
  cache_hits: number;
  cache_misses: number;
  cache_entries: number;
  cache_bytes: number;
  active_connections: number;
  /** Connections refused by the client allowlist or a connection limit. */
  connections_refused: number;
  tunnels_opened: number;
  upstream: string | null;
}

/** Per-exchange cache state (kept on the connection, reused). */
interface CacheState {
  key: string;
  mode: 'revalidate' | 'store' | 'none';
  entry: CacheEntry | null;
  pending: CacheEntry | null;
  chunks: Buffer[];
  bytes: number;
  overflow: boolean;
  requestTime: number;
}

let nextProxy = 1;

export class ForwardProxy implements ProxyPolicy {
  readonly id: string;
  readonly host: string;
  port: number;
  readonly limits: HttpLimits;
  readonly cache: HttpCache | null;
  requestsTotal = 0;
  requestsBlocked = 0;
  requestsFailed = 0;
  cacheHits = 0;
  cacheMisses = 0;
  tunnelsOpened = 0;
  private readonly listener: ProxyListener;
  private readonly filters: ProxyFilter[] = [];
  private parent: ParentProxy | null = null;
  private readonly log: RequestLog | null;
  private readonly onLog: ((entry: ProxyLogEntry) => void) | null;
  private readonly authExpected: Buffer | null;
  private readonly connectPorts: Set<number> | null;
  /** Our Via pseudonym: random, so two chained instances never mistake each other for a loop. */
  private readonly viaToken = `sentra-${randomBytes(3).toString('hex')}`;

  constructor(options: ForwardProxyOptions) {
    this.id = `proxy-${nextProxy++}`;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port;
    this.limits = resolveLimits(options.limits);
    this.cache = options.cache ? new HttpCache(options.cache === true ? {} : options.cache) : null;
    this.log = options.logRequests
      ? new RequestLog(options.logCapacity ?? DEFAULT_LOG_CAPACITY, options.logFile)
      : null;
    this.onLog = options.onLog ?? null;
    if (options.upstream) this.parent = parseParentProxy(options.upstream);
    if (options.auth) {
      const { username, password } = options.auth;
      if (typeof username !== 'string' || username.includes(':') || typeof password !== 'string') {
        throw new SentraError(
          ErrorCodes.INVALID_ARGUMENT,
          'auth needs a username without ":" and a password',
        );
      }
      this.authExpected = Buffer.from('Basic ' + Buffer.from(`${username}:${password}`).toString('base64'));
    } else {
      this.authExpected = null;
    }
    this.connectPorts = options.connectPorts ? new Set(options.connectPorts) : null;
    if (options.blockedDomains?.length)
      this.addFilter({ type: 'blocked_domains', values: options.blockedDomains });
    if (options.allowedDomains?.length)
      this.addFilter({ type: 'allowed_domains', values: options.allowedDomains });
    if (options.blockedUrls?.length) this.addFilter({ type: 'blocked_urls', values: options.blockedUrls });
    if (options.allowedMethods?.length)
      this.addFilter({ type: 'allowed_methods', values: options.allowedMethods });
    for (const f of options.filters ?? []) this.addFilter(f);
    const admit = options.allowedClients?.length
      ? clientAdmission(new CidrList(options.allowedClients))
      : null;
    this.listener = new ProxyListener(this.limits, this, admit);
  }

  async start(): Promise<number> {
    const addr = await this.listener.listen(this.port, this.host);
    this.port = addr.port;
    return this.port;
  }

  async stop(graceMs = 5_000): Promise<void> {
    await this.listener.close(graceMs);
    await this.log?.close();
  }

  get isRunning(): boolean {
    return this.listener.isListening;
  }

  /** Chains through a parent proxy from the next request on; null or '' goes direct again. */
  setUpstream(url: string | null): void {
    this.parent = url ? parseParentProxy(url) : null;
  }

  get upstream(): string | null {
    return this.parent?.display ?? null;
  }

  /** Adds a filter (checked after the ones already there); returns it. */
  addFilter(input: FilterInput): ProxyFilter {
    const f = createFilter(input);
    this.filters.push(f);
    return f;
  }

  get filterNames(): string[] {
    return this.filters.map((f) => f.name);
  }

  stats(): ForwardProxyStats {
    return {
      id: this.id,
      port: this.port,
      requests_total: this.requestsTotal,
      requests_blocked: this.requestsBlocked,
      requests_failed: this.requestsFailed,
      bytes_in: this.listener.counters.bytesIn,
      bytes_out: this.listener.counters.bytesOut,
      cache_hits: this.cacheHits,
      cache_misses: this.cacheMisses,
      cache_entries: this.cache?.entries ?? 0,
      cache_bytes: this.cache?.bytes ?? 0,
      active_connections: this.listener.conns.size,
      connections_refused: this.listener.refusedConnections,
      tunnels_opened: this.tunnelsOpened,
      upstream: this.upstream,
    };
  }

  /** The most recent `limit` log entries, oldest first (needs `logRequests`). */
  logs(limit = 100): ProxyLogEntry[] {
    return this.log?.recent(limit) ?? [];
  }

  // --- policy ---------------------------------------------------------------------------

  onRequest(conn: ClientConn): void {
    const req = conn.req;
    if (this.authExpected !== null && !this.authorized(conn)) {
      conn.respond(407, 'proxy authentication required', ['Proxy-Authenticate: Basic realm="sentra"']);
      return;
    }
    const via = req.getAll(H_VIA);
    if (via?.includes(this.viaToken)) {
      conn.respond(508, 'request loops through this proxy');
      return;
    }
    let view: RequestView;
    if (req.method === 'CONNECT') {
      const auth = parseAuthority(req.target, -1);
      if (auth === null || auth.port < 0) {
        conn.respond(400, 'CONNECT needs host:port');
        return;
      }
      if (this.connectPorts !== null && !this.connectPorts.has(auth.port)) {
        conn.blockedReason = `CONNECT to port ${auth.port} is not allowed`;
        conn.respond(403, conn.blockedReason);
        return;
      }
      view = new RequestView(conn, 'connect', auth.host, auth.port, '/', auth.hostHeader);
    } else {
      const t = parseAbsoluteTarget(req.target);
      if (t === null) {
        conn.respond(400, 'this is a proxy: send an absolute URI (http://host/path) or CONNECT');
        return;
      }
      view = new RequestView(conn, t.scheme, t.host, t.port, t.path, req.target, t);
    }
    const verdict = this.runFilters(view, 0);
    if (verdict === null) {
      this.proceed(conn, view);
    } else if (typeof verdict === 'string') {
      this.block(conn, verdict);
    } else {
      const seq = conn.requestCount;
      verdict.then(
        (r) => {
          if (conn.requestCount !== seq || !conn.busy) return;
          if (r === null) this.proceed(conn, view);
          else this.block(conn, r);
        },
        (e: unknown) => {
          if (conn.requestCount === seq && conn.busy) this.block(conn, `filter failed: ${String(e)}`);
        },
      );
    }
  }

  private authorized(conn: ClientConn): boolean {
    const got = conn.req.get(H_PROXY_AUTHORIZATION);
    if (got === undefined) return false;
    const b = Buffer.from(got, 'latin1');
    return b.length === this.authExpected!.length && timingSafeEqual(b, this.authExpected!);
  }

  private runFilters(view: RequestView, from: number): string | null | Promise<string | null> {
    for (let i = from; i < this.filters.length; i++) {
      let r: string | null | Promise<string | null>;
      try {
        r = this.filters[i].check(view);
      } catch (e) {
        // fail closed: a broken filter blocks rather than lets everything through
        return `filter ${this.filters[i].name} failed: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (r === null) continue;
      if (typeof r === 'string') return r;
      return r.then((v) => (v !== null ? v : this.runFilters(view, i + 1)));
    }
    return null;
  }

  private block(conn: ClientConn, reason: string): void {
    conn.blockedReason = reason;
    conn.respond(403, reason);
  }

  private proceed(conn: ClientConn, view: RequestView): void {
    const req = conn.req;
    const parent = this.parent;
    if (view.scheme === 'connect') {
      const hostPort = view.url;
      if (parent === null) {
        conn.connectTunnel(directTarget('t', view.host, view.port, false), null);
      } else {
        const head =
          `CONNECT ${hostPort} HTTP/1.1\r\nHost: ${hostPort}\r\n` +
          parent.authLine +
          `Via: 1.1 ${this.viaToken}\r\n\r\n`;
        conn.connectTunnel(parent.tunnelTarget, head);
      }
      this.tunnelsOpened++;
      return;
    }
    const t = view.target!;
    let extra = '';
    const cache = this.cache;
    if (cache !== null) {
      const state = this.cacheState(conn, t);
      const d = decide(cache, state.key, req, clock.now);
      if (d.kind === 'hit') {
        this.cacheHits++;
        conn.cacheStatus = 'HIT';
        const r = serveEntry(d.entry, req, Date.now(), 'HIT');
        conn.respondRaw(r.status, r.headLines, r.body);
        return;
      }
      if (d.kind === 'bypass') {
        conn.cacheStatus = 'BYPASS';
      } else {
        this.cacheMisses++;
        state.mode = d.kind === 'revalidate' ? 'revalidate' : 'store';
        state.entry = d.kind === 'revalidate' ? d.entry : null;
        if (d.kind === 'revalidate') extra += conditionalLines(d.entry);
        conn.cacheStatus = 'MISS';
      }
    }
    const upgrade = req.connUpgrade && req.first[H_UPGRADE] >= 0;
    if (upgrade) extra += `Connection: upgrade\r\nUpgrade: ${req.get(H_UPGRADE)}\r\n`;
    const via = req.getAll(H_VIA);
    extra += `Via: ${via === undefined ? '' : via + ', '}${req.versionMinor === 0 ? '1.0' : '1.1'} ${this.viaToken}\r\n`;
    const kept = keptHeaderLines(req, idBit(H_HOST) | idBit(H_VIA));
    let head: string;
    let target: UpstreamTarget;
    if (parent === null || t.scheme === 'https') {
      head = `${req.method} ${t.path} HTTP/1.1\r\nHost: ${t.hostHeader}\r\n`;
      target = directTarget(t.scheme, t.host, t.port, t.scheme === 'https');
    } else {
      head = `${req.method} http://${t.hostHeader}${t.path} HTTP/1.1\r\nHost: ${t.hostHeader}\r\n${parent.authLine}`;
      target = parent.httpTarget;
    }
    conn.forward(target, null, head + kept + extra + '\r\n');
  }

  private cacheState(conn: ClientConn, t: AbsoluteTarget): CacheState {
    let s = conn.policyData as CacheState | null;
    if (s === null) {
      s = {
        key: '',
        mode: 'none',
        entry: null,
        pending: null,
        chunks: [],
        bytes: 0,
        overflow: false,
        requestTime: 0,
      };
      conn.policyData = s;
    }
    s.key = `${t.scheme}://${t.hostHeader}${t.path}`;
    s.mode = 'none';
    s.entry = null;
    s.pending = null;
    s.chunks.length = 0;
    s.bytes = 0;
    s.overflow = false;
    s.requestTime = Date.now();
    return s;
  }

  onResponseHead(conn: ClientConn): void {
    const s = conn.policyData as CacheState | null;
    const cache = this.cache;
    if (cache === null || s === null || s.mode === 'none' || conn.cacheStatus === '') return;
    const now = Date.now();
    const res = conn.res;
    if (s.mode === 'revalidate' && s.entry !== null && res.status === 304) {
      const e = s.entry;
      refreshFrom304(e, res, s.requestTime, now);
      cache.resize(e, e.headerLines.length + e.body.length);
      conn.cacheStatus = 'REVALIDATED';
      const r = serveEntry(e, conn.req, now, 'REVALIDATED');
      conn.substituteResponse(r.status, r.headLines, r.body);
      s.mode = 'none';
      return;
    }
    conn.resExtraHeaders = `X-Cache: ${conn.cacheStatus}\r\n`;
    const entry = storableEntry(cache, s.key, conn.req, res, s.requestTime, now);
    if (entry === null) {
      if (s.mode === 'revalidate' && res.status < 500) cache.delete(s.key);
      s.mode = 'none';
      return;
    }
    s.pending = entry;
    s.mode = 'store';
    conn.capture = (buf, start, end) => {
      if (s.overflow) return;
      s.bytes += end - start;
      if (s.bytes > cache.maxEntryBytes) {
        s.overflow = true;
        s.chunks.length = 0;
        return;
      }
      s.chunks.push(buf.subarray(start, end));
    };
  }

  onUpstreamFailure(_conn: ClientConn, _kind: UpstreamFailureKind, _message: string): boolean {
    return false;
  }

  onExchangeEnd(conn: ClientConn): void {
    this.requestsTotal++;
    if (conn.blockedReason !== '') this.requestsBlocked++;
    else if (conn.status >= 400 && conn.errorReason !== '' && conn.status !== 499) this.requestsFailed++;
    const s = conn.policyData as CacheState | null;
    if (s !== null && s.mode === 'store' && s.pending !== null) {
      if (!s.overflow && conn.resFramer.done && conn.status === s.pending.status && conn.errorReason === '') {
        const e = s.pending;
        e.body = s.chunks.length === 1 ? Buffer.from(s.chunks[0]) : Buffer.concat(s.chunks);
        e.size = e.headerLines.length + e.body.length;
        this.cache?.store(e);
      }
      s.pending = null;
      s.chunks.length = 0;
      s.mode = 'none';
    }
    if (this.log !== null || this.onLog !== null) {
      const entry = this.logEntry(conn);
      this.log?.push(entry);
      this.onLog?.(entry);
    }
  }

  private logEntry(conn: ClientConn): ProxyLogEntry {
    const elapsed = performance.now() - conn.startTime;
    const e: ProxyLogEntry = {
      time: new Date(Date.now() - elapsed).toISOString(),
      client: conn.clientIp,
      method: conn.headValid ? conn.req.method : '-',
      url: conn.headValid ? conn.req.target : '-',
      status: conn.status,
      bytes: conn.exBytesOut,
      duration_ms: Math.round(elapsed * 1000) / 1000,
    };
    if (conn.blockedReason !== '') e.blocked_reason = conn.blockedReason;
    else if (conn.errorReason !== '') e.error = conn.errorReason;
    if (conn.cacheStatus !== '') e.cache = conn.cacheStatus;
    return e;
  }
}

function directTarget(kind: string, host: string, port: number, tls: boolean): UpstreamTarget {
  return { key: `${kind}:${host}:${port}`, host, port, tls };
}

function clientAdmission(list: CidrList): (ip: string) => string | null {
  return (ip) => (list.contains(ip) ? null : `client ${ip} is not allowed to use this proxy`);
}
