/**
 * The client side of a proxy connection: reads and parses request heads (keep-alive,
 * pipelined requests one at a time), answers with the proxy's own responses, and keeps the
 * per-exchange facts the policies read. The upstream side (relaying, tunnels) is in
 * connection.ts, which extends this class.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { BODY_NONE, BodyFramer, frameRequestBody } from '../http/body.js';
import { findHeadEnd, HttpHead, parseRequestHead } from '../http/head.js';
import { type HttpLimits, MAX_PENDING_BYTES } from '../http/limits.js';
import { localResponse } from '../http/responses.js';
import type { ClientConn, ConnHost } from './connection.js';
import {
  LINGER_MS,
  ST_CLOSED,
  ST_CLOSING,
  ST_DISPATCH,
  ST_FORWARDING,
  ST_HEAD,
  ST_TUNNEL,
} from './states.js';
import { clock } from './sweeper.js';
import type { UpstreamTarget } from './upstream.js';

export abstract class ClientSide {
  readonly socket: net.Socket;
  /** Client address (IPv4-mapped IPv6 written as IPv4). */
  readonly clientIp: string;
  readonly req: HttpHead;
  readonly reqFramer = new BodyFramer();
  /** Absolute deadline of the current phase (coarse clock ms), 0 for none. */
  deadline = 0;
  /** Inactivity limit of the current phase, 0 for none. */
  idleMs = 0;
  lastActivity = 0;

  // --- the current exchange, read by policies ------------------------------------------
  /** Requests seen on this connection. */
  requestCount = 0;
  /** The head was valid (false for a request refused while parsing). */
  headValid = false;
  /** Status sent to the client (499 when the client left first). */
  status = 0;
  /** Bytes of the response sent to the client. */
  exBytesOut = 0;
  /** Bytes received from the client during this exchange. */
  exBytesIn = 0;
  /** performance.now() when the request head was complete. */
  startTime = 0;
  /** performance.now() when the response head arrived from the upstream. */
  firstByteTime = 0;
  /** Why the proxy answered with an error, or why the exchange failed. */
  errorReason = '';
  /** Set by a policy that refused the request (filters). */
  blockedReason = '';
  /** Cache outcome for logs (HIT, MISS, REVALIDATED...), set by the forward policy. */
  cacheStatus = '';
  /** Extra response header lines (each ending in CRLF) added by the policy. */
  resExtraHeaders = '';
  /** Receives decoded response body bytes while set (cache capture). */
  capture: ((buf: Buffer, start: number, end: number) => void) | null = null;
  /** The exchange is a tunnel (CONNECT or WebSocket). */
  tunnel = false;
  /** Where the exchange went. */
  target: UpstreamTarget | null = null;
  /** Free for the policy (the backend chosen, the cache key...). */
  policyData: unknown = null;
  /** Upstream attempts in this exchange. */
  attempts = 0;

  protected readonly host: ConnHost;
  protected readonly limits: HttpLimits;
  protected state = ST_HEAD;
  protected pending: Buffer | null = null;
  protected scanFrom = 0;
  protected headStarted = false;
  protected clientEnded = false;
  protected parsing = false;
  protected reparse = false;
  protected exchangeActive = false;
  protected keepClient = true;
  /** This connection as the policies see it. */
  protected abstract readonly self: ClientConn;
  /** Client bytes that arrived while a request body is being forwarded. */
  protected abstract forwardBody(chunk: Buffer): void;
  /** Client bytes of an open tunnel. */
  protected abstract onTunnelData(chunk: Buffer): void;
  /** The client half-closed an open tunnel. */
  protected abstract onTunnelClientEnd(): void;
  protected abstract onClientDrain(): void;
  /** Closes the upstream connection of the exchange, if any. */
  protected abstract dropUpstream(): void;
  /** Resets the upstream side's per-exchange state. */
  protected abstract resetRelay(): void;
  /** Fails the exchange (error response, or close when a response already started). */
  protected abstract abort(reason: string, status?: number): void;
  /** The current phase's deadline passed. */
  protected abstract expire(): void;

  constructor(host: ConnHost, socket: net.Socket, clientIp: string) {
    this.host = host;
    this.limits = host.limits;
    this.socket = socket;
    this.clientIp = clientIp;
    this.req = new HttpHead(host.limits.maxHeaders);
    this.lastActivity = clock.now;
    this.deadline = clock.now + this.limits.headersTimeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onClientData(chunk));
    socket.on('end', () => this.onClientEnd());
    socket.on('drain', () => this.onClientDrain());
    socket.on('error', () => {
      /* 'close' follows and cleans up */
    });
    socket.on('close', () => this.onClientClose());
  }

  /** Whether an exchange is in progress (a request being answered or a tunnel open). */
  get busy(): boolean {
    return this.exchangeActive;
  }

  protected onClientData(chunk: Buffer): void {
    this.lastActivity = clock.now;
    this.host.counters.bytesIn += chunk.length;
    this.exBytesIn += chunk.length;
    switch (this.state) {
      case ST_HEAD:
        this.appendPending(chunk);
        this.parseLoop();
        return;
      case ST_FORWARDING:
        if (!this.reqFramer.done && this.pending === null) this.forwardBody(chunk);
        else this.appendPending(chunk);
        return;
      case ST_TUNNEL:
        this.onTunnelData(chunk);
        return;
      case ST_CLOSING:
      case ST_CLOSED:
        return;
      default:
        this.appendPending(chunk);
    }
  }

  protected appendPending(chunk: Buffer): void {
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.state !== ST_HEAD && this.pending.length > MAX_PENDING_BYTES) this.socket.pause();
  }

  protected parseLoop(): void {
    if (this.parsing) {
      this.reparse = true;
      return;
    }
    this.parsing = true;
    try {
      do {
        this.reparse = false;
        if (this.state === ST_HEAD && this.pending !== null) this.tryParseHead();
      } while (this.reparse);
    } finally {
      this.parsing = false;
    }
  }

  protected tryParseHead(): void {
    let p = this.pending!;
    // RFC 9112 2.2: a server should ignore empty lines received before a request line
    let s = 0;
    while (s < p.length && (p[s] === 13 || p[s] === 10)) s++;
    if (s === p.length) {
      this.pending = null;
      return;
    }
    if (s > 0) {
      p = p.subarray(s);
      this.pending = p;
      this.scanFrom = 0;
    }
    if (!this.headStarted) {
      this.headStarted = true;
      this.deadline = clock.now + this.limits.headersTimeoutMs;
      this.idleMs = 0;
    }
    const end = findHeadEnd(p, 0, this.scanFrom);
    if (end === -1) {
      if (p.length > this.limits.maxHeaderBytes) this.rejectHead(400, 'request header too large');
      else this.scanFrom = Math.max(0, p.length - 3);
      return;
    }
    if (end === -2) {
      this.rejectHead(400, 'bare LF in request head');
      return;
    }
    if (end > this.limits.maxHeaderBytes) {
      this.rejectHead(400, 'request header too large');
      return;
    }
    this.scanFrom = 0;
    this.headStarted = false;
    const rc = parseRequestHead(this.req, p, 0, end);
    this.pending = end < p.length ? p.subarray(end) : null;
    if (rc !== 0) {
      this.rejectHead(rc, this.req.error);
      return;
    }
    this.beginExchange(true);
    frameRequestBody(this.reqFramer, this.req);
    this.state = ST_DISPATCH;
    this.deadline = clock.now + this.limits.idleTimeoutMs;
    try {
      this.host.policy.onRequest(this.self);
    } catch (e) {
      // a plug-in (filter, balancer) threw: answer for it, never take the process down
      this.respond(
        500,
        `proxy policy failed: ${e instanceof Error ? e.message : String(e)}`,
        undefined,
        true,
      );
    }
  }

  protected beginExchange(valid: boolean): void {
    this.exchangeActive = true;
    this.requestCount++;
    this.headValid = valid;
    this.status = 0;
    this.exBytesOut = 0;
    this.exBytesIn = 0;
    this.startTime = performance.now();
    this.firstByteTime = 0;
    this.errorReason = '';
    this.blockedReason = '';
    this.cacheStatus = '';
    this.resExtraHeaders = '';
    this.capture = null;
    this.tunnel = false;
    this.target = null;
    this.policyData = null;
    this.attempts = 0;
    this.keepClient = true;
    this.resetRelay();
  }

  protected rejectHead(status: number, reason: string): void {
    this.beginExchange(false);
    this.pending = null;
    this.status = status;
    this.errorReason = reason;
    this.keepClient = false;
    this.writeClientStr(localResponse(status, reason, { close: true }));
    this.endExchange();
  }

  protected onClientEnd(): void {
    this.clientEnded = true;
    if (this.state === ST_TUNNEL) {
      this.onTunnelClientEnd();
      return;
    }
    if (!this.exchangeActive) {
      this.closeClient();
      return;
    }
    // a request cut short cannot be completed; otherwise answer it, then close
    if (!this.reqFramer.done && this.state >= ST_FORWARDING)
      this.abort('client closed during the request body');
  }

  protected onClientClose(): void {
    const wasActive = this.exchangeActive;
    this.state = ST_CLOSED;
    this.deadline = 0;
    this.idleMs = 0;
    this.dropUpstream();
    if (wasActive) {
      this.exchangeActive = false;
      if (this.status === 0) {
        this.status = 499;
        if (this.errorReason === '') this.errorReason = 'client closed the connection';
      }
      this.notifyEnd();
    }
    this.host.onConnClosed(this.self);
  }

  /** Tells the policy the exchange ended; its errors (a log callback...) stay its own. */
  protected notifyEnd(): void {
    try {
      this.host.policy.onExchangeEnd(this.self);
    } catch {
      /* stats and logs of one request are not worth the connection */
    }
  }

  protected closeClient(): void {
    if (this.state === ST_CLOSED) return;
    this.state = ST_CLOSING;
    this.deadline = clock.now + LINGER_MS;
    this.idleMs = 0;
    this.socket.end();
  }

  protected writeClientBuf(b: Buffer): boolean {
    this.exBytesOut += b.length;
    this.host.counters.bytesOut += b.length;
    return this.socket.write(b);
  }

  protected writeClientStr(s: string): boolean {
    this.exBytesOut += s.length;
    this.host.counters.bytesOut += s.length;
    return this.socket.write(s, 'latin1');
  }

  /** Answers with a plain-text response made by the proxy (errors, blocks, challenges). */
  respond(status: number, reason: string, headers?: readonly string[], forceClose = false): void {
    if (!this.exchangeActive || this.state >= ST_CLOSING) return;
    this.dropUpstream();
    this.status = status;
    if (status >= 400 && this.errorReason === '') this.errorReason = reason;
    this.keepClient = this.canKeepClient(forceClose);
    this.writeClientStr(
      localResponse(status, reason, {
        close: !this.keepClient,
        headers,
        keepAlive10: this.keepClient && this.req.versionMinor === 0,
        headOnly: this.req.method === 'HEAD',
      }),
    );
    this.endExchange();
  }

  /**
   * Answers with a complete response given as header text (status line and header lines,
   * each ending in CRLF, without Connection or the blank line) and a body.
   */
  respondRaw(status: number, headLines: string, body: Buffer | null): void {
    if (!this.exchangeActive || this.state >= ST_CLOSING) return;
    this.dropUpstream();
    this.status = status;
    this.keepClient = this.canKeepClient(false);
    this.writeComplete(headLines, body);
    this.endExchange();
  }

  protected writeComplete(headLines: string, body: Buffer | null): void {
    let head = headLines;
    if (!this.keepClient) head += 'Connection: close\r\n';
    else if (this.req.versionMinor === 0) head += 'Connection: keep-alive\r\n';
    this.socket.cork();
    this.writeClientStr(head + '\r\n');
    if (body !== null && body.length > 0 && this.req.method !== 'HEAD') this.writeClientBuf(body);
    this.socket.uncork();
  }

  protected canKeepClient(forceClose: boolean): boolean {
    return (
      !forceClose &&
      this.headValid &&
      this.req.keepAlive &&
      !this.clientEnded &&
      (this.reqFramer.done || this.reqFramer.mode === BODY_NONE)
    );
  }

  protected endExchange(): void {
    this.exchangeActive = false;
    this.notifyEnd();
    if (this.state >= ST_CLOSING) return;
    if (!this.keepClient || this.clientEnded) {
      this.closeClient();
      return;
    }
    this.state = ST_HEAD;
    this.headStarted = false;
    this.scanFrom = 0;
    this.deadline = clock.now + this.limits.keepAliveTimeoutMs;
    this.idleMs = 0;
    this.socket.resume();
    if (this.pending !== null) this.parseLoop();
  }

  /** Called by the server's sweep with the coarse clock. */
  checkTimeout(now: number): void {
    if (this.deadline !== 0 && now >= this.deadline) this.expire();
    else if (this.idleMs !== 0 && now - this.lastActivity >= this.idleMs) this.expire();
  }

  /** Closes the connection now (server shutdown). */
  destroy(): void {
    this.dropUpstream();
    this.socket.destroy();
  }

  /** Closes the connection if it is between requests (graceful shutdown). */
  closeIfIdle(): boolean {
    if (this.exchangeActive) return false;
    this.socket.destroy();
    return true;
  }
}
