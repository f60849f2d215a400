/**
 * One client connection of a proxy: reads request heads, hands each to the proxy's policy,
 * relays the request to an upstream and the response back, and then waits for the next
 * request (keep-alive, pipelining handled one at a time). Also runs CONNECT tunnels and
 * WebSocket upgrades. The forward and the reverse proxy differ only in their policy.
 *
 * Bytes are relayed as they arrive, with backpressure both ways; heads are parsed in place and
 * forwarded as runs of the original bytes. Timeouts come from the shared sweeper.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  BODY_CHUNKED,
  BODY_CLOSE,
  BODY_NONE,
  BodyFramer,
  frameRequestBody,
  frameResponseBody,
} from '../http/body.js';
import {
  findHeadEnd,
  H_CONNECTION,
  H_UPGRADE,
  HttpHead,
  parseRequestHead,
  parseResponseHead,
} from '../http/head.js';
import { type HttpLimits, MAX_PENDING_BYTES } from '../http/limits.js';
import { localResponse } from '../http/responses.js';
import { DECHUNK_MASK, keptHeaderLines } from './rewrite.js';
import { clock } from './sweeper.js';
import type { UpstreamConn, UpstreamOwner, UpstreamPool, UpstreamTarget } from './upstream.js';

const ST_HEAD = 0;
const ST_DISPATCH = 1;
const ST_CONNECTING = 2;
const ST_FORWARDING = 3;
const ST_TUNNEL_CONNECTING = 4;
const ST_TUNNEL = 5;
const ST_CLOSING = 6;
const ST_CLOSED = 7;

const RS_NONE = 0;
const RS_WAIT_HEAD = 1;
const RS_BODY = 2;
const RS_DONE = 3;

/** After the proxy ended a connection, the client gets this long to close its side. */
const LINGER_MS = 2_000;

/** Traffic counters a server shares with its connections (updated live). */
export interface TrafficCounters {
  /** Bytes received from clients. */
  bytesIn: number;
  /** Bytes sent to clients. */
  bytesOut: number;
}

/** Why an upstream exchange failed before a response started. */
export type UpstreamFailureKind = 'connect' | 'timeout' | 'reset' | 'invalid';

/** What a proxy (forward or reverse) decides; the connection does the I/O. */
export interface ProxyPolicy {
  /** A request head was parsed: call forward(), respond(), respondRaw() or connectTunnel(). */
  onRequest(conn: ClientConn): void;
  /** A final response head arrived; may set `resExtraHeaders` or `capture`. */
  onResponseHead(conn: ClientConn): void;
  /**
   * The upstream failed before a response started. Return true after calling `forward()`
   * again (a retry elsewhere); false lets the connection answer 502/504.
   */
  onUpstreamFailure(conn: ClientConn, kind: UpstreamFailureKind, message: string): boolean;
  /** The exchange ended (answered, failed, or the client went away). */
  onExchangeEnd(conn: ClientConn): void;
}

/** What a connection needs from its server. */
export interface ConnHost {
  readonly limits: HttpLimits;
  readonly pool: UpstreamPool;
  readonly policy: ProxyPolicy;
  readonly counters: TrafficCounters;
  onConnClosed(conn: ClientConn): void;
}

export class ClientConn implements UpstreamOwner {
  readonly socket: net.Socket;
  /** Client address (IPv4-mapped IPv6 written as IPv4). */
  readonly clientIp: string;
  readonly req: HttpHead;
  readonly reqFramer = new BodyFramer();
  readonly res: HttpHead;
  readonly resFramer = new BodyFramer();
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

  private readonly host: ConnHost;
  private readonly limits: HttpLimits;
  private state = ST_HEAD;
  private pending: Buffer | null = null;
  private scanFrom = 0;
  private headStarted = false;
  private clientEnded = false;
  private parsing = false;
  private reparse = false;
  private exchangeActive = false;
  private up: UpstreamConn | null = null;
  private headPrefix: Buffer | null = null;
  private headText = '';
  private resState = RS_NONE;
  private resPending: Buffer | null = null;
  private keepClient = true;
  private dechunk = false;
  private upgradeRequested = false;
  private tunnelViaProxy = false;
  private retriedStale = false;
  private upstreamGarbage = false;
  private subStatus = 0;
  private subHead: string | null = null;
  private subBody: Buffer | null = null;
  private readonly bodySink = (buf: Buffer, start: number, end: number): void => {
    if (this.dechunk && end > start) this.writeClientBuf(buf.subarray(start, end));
    if (this.capture !== null) this.capture(buf, start, end);
  };

  constructor(host: ConnHost, socket: net.Socket, clientIp: string) {
    this.host = host;
    this.limits = host.limits;
    this.socket = socket;
    this.clientIp = clientIp;
    this.req = new HttpHead(host.limits.maxHeaders);
    this.res = new HttpHead(Math.max(host.limits.maxHeaders, 256));
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

  // --- client side ----------------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
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
        if (this.up !== null && !this.up.socket.write(chunk)) this.socket.pause();
        return;
      case ST_CLOSING:
      case ST_CLOSED:
        return;
      default:
        this.appendPending(chunk);
    }
  }

  private appendPending(chunk: Buffer): void {
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.state !== ST_HEAD && this.pending.length > MAX_PENDING_BYTES) this.socket.pause();
  }

  private parseLoop(): void {
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

  private tryParseHead(): void {
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
    this.host.policy.onRequest(this);
  }

  private beginExchange(valid: boolean): void {
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
    this.resState = RS_NONE;
    this.resPending = null;
    this.dechunk = false;
    this.upgradeRequested = false;
    this.tunnelViaProxy = false;
    this.retriedStale = false;
    this.upstreamGarbage = false;
    this.keepClient = true;
    this.resFramer.sink = null;
  }

  private rejectHead(status: number, reason: string): void {
    this.beginExchange(false);
    this.pending = null;
    this.status = status;
    this.errorReason = reason;
    this.keepClient = false;
    this.writeClientStr(localResponse(status, reason, { close: true }));
    this.endExchange();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    if (this.state === ST_TUNNEL) {
      this.up?.socket.end();
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

  private onClientDrain(): void {
    if (this.up !== null) this.up.socket.resume();
  }

  private onClientClose(): void {
    const wasActive = this.exchangeActive;
    this.state = ST_CLOSED;
    this.deadline = 0;
    this.idleMs = 0;
    if (this.up !== null) {
      this.up.destroy();
      this.up = null;
    }
    if (wasActive) {
      this.exchangeActive = false;
      if (this.status === 0) {
        this.status = 499;
        if (this.errorReason === '') this.errorReason = 'client closed the connection';
      }
      this.host.policy.onExchangeEnd(this);
    }
    this.host.onConnClosed(this);
  }

  private closeClient(): void {
    if (this.state === ST_CLOSED) return;
    this.state = ST_CLOSING;
    this.deadline = clock.now + LINGER_MS;
    this.idleMs = 0;
    this.socket.end();
  }

  private writeClientBuf(b: Buffer): boolean {
    this.exBytesOut += b.length;
    this.host.counters.bytesOut += b.length;
    return this.socket.write(b);
  }

  private writeClientStr(s: string): boolean {
    this.exBytesOut += s.length;
    this.host.counters.bytesOut += s.length;
    return this.socket.write(s, 'latin1');
  }

  // --- policy actions -------------------------------------------------------------------

  /**
   * Sends the request to `target`: the head is `headPrefix` (original bytes, may be null)
   * followed by `headText` (ends with the blank line), then the body as it arrives.
   */
  forward(target: UpstreamTarget, headPrefix: Buffer | null, headText: string): void {
    if (!this.exchangeActive || this.state === ST_CLOSED) return;
    this.target = target;
    this.headPrefix = headPrefix;
    this.headText = headText;
    this.attempts++;
    this.upgradeRequested = this.req.connUpgrade && this.req.first[H_UPGRADE] >= 0;
    this.state = ST_CONNECTING;
    const up = this.host.pool.acquire(target, this);
    this.up = up;
    if (up.connected) {
      this.onUpstreamConnect(up);
    } else {
      this.deadline = clock.now + this.limits.connectTimeoutMs;
      this.idleMs = 0;
    }
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

  /**
   * From `onResponseHead` only: answers the client with this response instead of the
   * upstream's (a cache entry the upstream just confirmed with 304).
   */
  substituteResponse(status: number, headLines: string, body: Buffer | null): void {
    this.subStatus = status;
    this.subHead = headLines;
    this.subBody = body;
  }

  private writeComplete(headLines: string, body: Buffer | null): void {
    let head = headLines;
    if (!this.keepClient) head += 'Connection: close\r\n';
    else if (this.req.versionMinor === 0) head += 'Connection: keep-alive\r\n';
    this.socket.cork();
    this.writeClientStr(head + '\r\n');
    if (body !== null && body.length > 0 && this.req.method !== 'HEAD') this.writeClientBuf(body);
    this.socket.uncork();
  }

  /**
   * Opens a CONNECT tunnel to `target`. With `parentConnect` (a CONNECT head for a parent
   * proxy), `target` is the parent and the tunnel opens once it answers 2xx.
   */
  connectTunnel(target: UpstreamTarget, parentConnect: string | null): void {
    if (!this.exchangeActive || this.state === ST_CLOSED) return;
    this.target = target;
    this.tunnel = true;
    this.attempts++;
    this.tunnelViaProxy = parentConnect !== null;
    this.headText = parentConnect ?? '';
    this.state = ST_TUNNEL_CONNECTING;
    this.deadline = clock.now + this.limits.connectTimeoutMs;
    this.idleMs = 0;
    this.up = this.host.pool.connectNew(target, this);
  }

  private canKeepClient(forceClose: boolean): boolean {
    return (
      !forceClose &&
      this.headValid &&
      this.req.keepAlive &&
      !this.clientEnded &&
      (this.reqFramer.done || this.reqFramer.mode === BODY_NONE)
    );
  }

  // --- upstream side --------------------------------------------------------------------

  onUpstreamConnect(up: UpstreamConn): void {
    if (up !== this.up) return;
    if (this.state === ST_TUNNEL_CONNECTING) {
      if (this.tunnelViaProxy) {
        this.resState = RS_WAIT_HEAD;
        this.deadline = clock.now + this.limits.upstreamTimeoutMs;
        up.socket.write(this.headText, 'latin1');
      } else {
        this.openTunnel(null);
      }
      return;
    }
    this.state = ST_FORWARDING;
    this.resState = RS_WAIT_HEAD;
    this.deadline = clock.now + this.limits.upstreamTimeoutMs;
    this.idleMs = 0;
    const s = up.socket;
    s.cork();
    if (this.headPrefix !== null) s.write(this.headPrefix);
    s.write(this.headText, 'latin1');
    if (!this.reqFramer.done && this.pending !== null) {
      const p = this.pending;
      this.pending = null;
      this.forwardBody(p);
    }
    s.uncork();
  }

  private forwardBody(chunk: Buffer): void {
    const n = this.reqFramer.consume(chunk, 0, chunk.length);
    if (n < 0) {
      this.abort('malformed request body: ' + this.reqFramer.error, 400);
      return;
    }
    let ok = true;
    if (n > 0 && this.up !== null)
      ok = this.up.socket.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (n < chunk.length) this.appendPending(chunk.subarray(n));
    if (!ok) this.socket.pause();
    // the upstream's time to answer counts from the end of the request body
    if (this.resState === RS_WAIT_HEAD) this.deadline = clock.now + this.limits.upstreamTimeoutMs;
  }

  onUpstreamData(up: UpstreamConn, chunk: Buffer): void {
    if (up !== this.up) return;
    this.lastActivity = clock.now;
    if (this.state === ST_TUNNEL) {
      if (!this.writeClientBuf(chunk)) up.socket.pause();
      return;
    }
    if (this.resState === RS_WAIT_HEAD) this.onResponseHeadData(chunk);
    else if (this.resState === RS_BODY) this.onResponseBodyData(chunk, 0);
    else {
      // bytes after a complete response: this upstream cannot be trusted again
      this.upstreamGarbage = true;
      up.destroy();
      this.up = null;
    }
  }

  private onResponseHeadData(chunk: Buffer): void {
    let p = this.resPending === null ? chunk : Buffer.concat([this.resPending, chunk]);
    for (;;) {
      const end = findHeadEnd(p, 0, 0);
      if (end === -1) {
        if (p.length > this.limits.maxResponseHeaderBytes) {
          this.upstreamFailed('invalid', 'upstream response head too large', 502);
        } else {
          this.resPending = p;
        }
        return;
      }
      if (end === -2) {
        this.upstreamFailed('invalid', 'bare LF in upstream response head', 502);
        return;
      }
      if (parseResponseHead(this.res, p, 0, end) !== 0) {
        this.upstreamFailed('invalid', this.res.error, 502);
        return;
      }
      const status = this.res.status;
      if (this.tunnelViaProxy) {
        if (status < 200 || status > 299) {
          this.upstreamFailed('invalid', `parent proxy refused CONNECT with status ${status}`, 502);
          return;
        }
        this.tunnelViaProxy = false;
        this.resState = RS_NONE;
        this.openTunnel(end < p.length ? p.subarray(end) : null);
        return;
      }
      if (status === 101) {
        if (!this.upgradeRequested) {
          this.upstreamFailed('invalid', 'unrequested protocol switch', 502);
          return;
        }
        this.startUpgradeTunnel(p, end);
        return;
      }
      if (status < 200) {
        // interim responses (100 Continue, 103 Early Hints) go to HTTP/1.1 clients only
        if (this.req.versionMinor >= 1) this.writeClientBuf(p.subarray(0, end));
        if (end === p.length) {
          this.resPending = null;
          return;
        }
        p = p.subarray(end);
        continue;
      }
      this.resPending = null;
      this.startResponse(p, end);
      return;
    }
  }

  private startResponse(p: Buffer, end: number): void {
    const res = this.res;
    this.firstByteTime = performance.now();
    frameResponseBody(this.resFramer, res, this.req.method);
    this.status = res.status;
    this.resState = RS_BODY;
    this.deadline = 0;
    this.idleMs = this.limits.idleTimeoutMs;
    this.host.policy.onResponseHead(this);
    if (this.state >= ST_CLOSING) return;
    if (this.subHead !== null) {
      const head = this.subHead;
      const body = this.subBody;
      this.status = this.subStatus;
      this.subHead = null;
      this.subBody = null;
      this.capture = null;
      // the substitute replaces a body-less answer; anything else makes the upstream unusable
      if (!this.resFramer.done || end < p.length) this.dropUpstream();
      this.keepClient = this.canKeepClient(false);
      this.writeComplete(head, body);
      this.finishResponse(false);
      return;
    }
    const mode = this.resFramer.mode;
    this.dechunk = mode === BODY_CHUNKED && this.req.versionMinor === 0;
    this.keepClient = this.req.keepAlive && !this.clientEnded && mode !== BODY_CLOSE && !this.dechunk;
    if (this.dechunk || this.capture !== null) this.resFramer.sink = this.bodySink;
    // a lone "Connection: keep-alive" says what HTTP/1.1 already means: forward it untouched
    const onlyKeepAlive =
      res.dropCount === 1 &&
      res.first[H_CONNECTION] >= 0 &&
      !res.connClose &&
      !res.connUpgrade &&
      !res.connOther;
    const rewrite =
      this.resExtraHeaders !== '' ||
      !this.keepClient ||
      this.req.versionMinor === 0 ||
      res.versionMinor === 0 ||
      (res.dropCount > 0 && !onlyKeepAlive);
    const s = this.socket;
    s.cork();
    if (rewrite) {
      let head =
        'HTTP/1.1' +
        res.buf.toString('latin1', res.start + 8, res.lineEnd) +
        '\r\n' +
        keptHeaderLines(res, this.dechunk ? DECHUNK_MASK : 0) +
        this.resExtraHeaders;
      if (!this.keepClient) head += 'Connection: close\r\n';
      else if (this.req.versionMinor === 0) head += 'Connection: keep-alive\r\n';
      this.writeClientStr(head + '\r\n');
    } else {
      this.writeClientBuf(end === p.length ? p : p.subarray(0, end));
    }
    if (this.resFramer.done) this.finishResponse(end < p.length);
    else if (end < p.length) this.onResponseBodyData(p, end);
    s.uncork();
  }

  private onResponseBodyData(buf: Buffer, off: number): void {
    const f = this.resFramer;
    const n = f.consume(buf, off, buf.length);
    if (n < 0) {
      this.errorReason = 'malformed upstream body: ' + f.error;
      this.abort(this.errorReason);
      return;
    }
    let ok = true;
    if (n > 0 && !this.dechunk) {
      ok = this.writeClientBuf(off === 0 && n === buf.length ? buf : buf.subarray(off, off + n));
    }
    if (f.done) this.finishResponse(off + n < buf.length);
    else if (!ok && this.up !== null) this.up.socket.pause();
  }

  private finishResponse(extraBytes: boolean): void {
    this.resState = RS_DONE;
    const up = this.up;
    this.up = null;
    if (up !== null) {
      const reusable =
        this.res.keepAlive &&
        this.resFramer.mode !== BODY_CLOSE &&
        this.reqFramer.done &&
        !extraBytes &&
        !this.upstreamGarbage;
      up.release(reusable);
    }
    // an answer before the whole request body arrived leaves the client stream out of sync
    if (!this.reqFramer.done) this.keepClient = false;
    this.endExchange();
  }

  onUpstreamEnd(up: UpstreamConn): void {
    if (up !== this.up) return;
    if (this.state === ST_TUNNEL) {
      this.socket.end();
      return;
    }
    if (this.resState === RS_BODY && this.resFramer.mode === BODY_CLOSE) {
      this.resFramer.finishOnClose();
      this.up = null;
      up.destroy();
      this.finishResponse(false);
      return;
    }
    up.socket.destroy();
  }

  onUpstreamClose(up: UpstreamConn, error: Error | null): void {
    if (up !== this.up) return;
    this.up = null;
    if (this.state === ST_TUNNEL) {
      this.closeClient();
      return;
    }
    if (this.resState === RS_BODY) {
      if (this.resFramer.finishOnClose()) {
        this.finishResponse(false);
        return;
      }
      this.errorReason = 'upstream closed the connection in the middle of the response';
      this.host.policy.onUpstreamFailure(this, 'reset', this.errorReason);
      this.abort(this.errorReason);
      return;
    }
    if (this.state !== ST_CONNECTING && this.state !== ST_FORWARDING && this.state !== ST_TUNNEL_CONNECTING)
      return;
    if (!up.connected) {
      this.upstreamFailed(
        'connect',
        `cannot connect to upstream: ${error?.message ?? 'connection closed'}`,
        502,
      );
      return;
    }
    // a kept-alive connection the server closed just as we reused it: one more try on a new one
    if (
      up.served > 0 &&
      this.resPending === null &&
      this.reqFramer.mode === BODY_NONE &&
      !this.retriedStale &&
      this.target !== null
    ) {
      this.retriedStale = true;
      this.attempts--;
      this.forward(this.target, this.headPrefix, this.headText);
      return;
    }
    this.upstreamFailed('reset', `upstream closed the connection: ${error?.message ?? 'no response'}`, 502);
  }

  onUpstreamDrain(up: UpstreamConn): void {
    if (up !== this.up) return;
    if (this.pending === null || this.pending.length <= MAX_PENDING_BYTES) this.socket.resume();
  }

  private upstreamFailed(kind: UpstreamFailureKind, message: string, status: number): void {
    this.dropUpstream();
    this.errorReason = message;
    // a policy may retry elsewhere (it does so only for 'connect': nothing was sent yet)
    const before = this.attempts;
    if (this.host.policy.onUpstreamFailure(this, kind, message) && this.attempts > before) return;
    this.respond(status, message, undefined, !this.reqFramer.done);
  }

  private openTunnel(fromUpstream: Buffer | null): void {
    this.status = 200;
    this.state = ST_TUNNEL;
    this.deadline = 0;
    this.idleMs = this.limits.tunnelIdleTimeoutMs;
    this.writeClientStr('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (fromUpstream !== null) this.writeClientBuf(fromUpstream);
    if (this.pending !== null && this.up !== null) {
      this.up.socket.write(this.pending);
      this.pending = null;
    }
    this.socket.resume();
  }

  private startUpgradeTunnel(p: Buffer, _end: number): void {
    this.status = 101;
    this.tunnel = true;
    this.firstByteTime = performance.now();
    this.state = ST_TUNNEL;
    this.resState = RS_DONE;
    this.deadline = 0;
    this.idleMs = this.limits.tunnelIdleTimeoutMs;
    this.writeClientBuf(p);
    if (this.pending !== null && this.up !== null) {
      this.up.socket.write(this.pending);
      this.pending = null;
    }
    this.socket.resume();
  }

  // --- ending ---------------------------------------------------------------------------

  private dropUpstream(): void {
    if (this.up !== null) {
      this.up.destroy();
      this.up = null;
    }
  }

  /** Fails the exchange: an error response when none started, else the connection closes. */
  private abort(reason: string, status = 502): void {
    if (this.errorReason === '') this.errorReason = reason;
    this.dropUpstream();
    if (
      this.exchangeActive &&
      this.resState !== RS_BODY &&
      this.state !== ST_TUNNEL &&
      this.state < ST_CLOSING
    ) {
      this.respond(status, reason, undefined, true);
      return;
    }
    this.socket.destroy();
  }

  private endExchange(): void {
    this.exchangeActive = false;
    this.host.policy.onExchangeEnd(this);
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

  private expire(): void {
    this.deadline = 0;
    this.idleMs = 0;
    switch (this.state) {
      case ST_HEAD:
        if (this.headStarted) this.rejectHead(408, 'request head not received in time');
        else this.closeClient();
        return;
      case ST_DISPATCH:
        this.respond(503, 'request filter did not answer in time', undefined, true);
        return;
      case ST_CONNECTING:
      case ST_TUNNEL_CONNECTING:
        this.upstreamFailed('connect', 'connecting to the upstream timed out', 504);
        return;
      case ST_FORWARDING:
        if (this.resState === RS_WAIT_HEAD) {
          this.upstreamFailed('timeout', 'upstream did not respond in time', 504);
          return;
        }
        this.abort('no data for too long');
        return;
      case ST_TUNNEL:
        this.errorReason = 'tunnel idle timeout';
        this.dropUpstream();
        this.socket.destroy();
        return;
      default:
        this.socket.destroy();
    }
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
