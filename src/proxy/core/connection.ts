/**
 * One client connection of a proxy: the client side (client-side.ts) reads request heads and
 * hands each to the proxy's policy; this half relays the request to an upstream and the
 * response back, runs CONNECT tunnels and WebSocket upgrades. The forward and the reverse
 * proxy differ only in their policy.
 *
 * Bytes are relayed as they arrive, with backpressure both ways; heads are parsed in place and
 * forwarded as runs of the original bytes. Timeouts come from the shared sweeper.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { BODY_CHUNKED, BODY_CLOSE, BODY_NONE, BodyFramer, frameResponseBody } from '../http/body.js';
import { findHeadEnd, H_CONNECTION, H_UPGRADE, HttpHead, parseResponseHead } from '../http/head.js';
import type { HttpLimits } from '../http/limits.js';
import { MAX_PENDING_BYTES } from '../http/limits.js';
import { ClientSide } from './client-side.js';
import { DECHUNK_MASK, keptHeaderLines } from './rewrite.js';
import {
  RS_BODY,
  RS_DONE,
  RS_NONE,
  RS_WAIT_HEAD,
  ST_CLOSED,
  ST_CLOSING,
  ST_CONNECTING,
  ST_DISPATCH,
  ST_FORWARDING,
  ST_HEAD,
  ST_TUNNEL,
  ST_TUNNEL_CONNECTING,
} from './states.js';
import { clock } from './sweeper.js';
import type { UpstreamConn, UpstreamOwner, UpstreamPool, UpstreamTarget } from './upstream.js';

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

export class ClientConn extends ClientSide implements UpstreamOwner {
  protected readonly self: ClientConn = this;
  /** The upstream's response head (reused). */
  readonly res: HttpHead;
  readonly resFramer = new BodyFramer();
  private up: UpstreamConn | null = null;
  private headPrefix: Buffer | null = null;
  private headText = '';
  private resState = RS_NONE;
  private resPending: Buffer | null = null;
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
    super(host, socket, clientIp);
    this.res = new HttpHead(Math.max(host.limits.maxHeaders, 256));
  }

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

  /**
   * From `onResponseHead` only: answers the client with this response instead of the
   * upstream's (a cache entry the upstream just confirmed with 304).
   */
  substituteResponse(status: number, headLines: string, body: Buffer | null): void {
    this.subStatus = status;
    this.subHead = headLines;
    this.subBody = body;
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

  protected forwardBody(chunk: Buffer): void {
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
    try {
      this.host.policy.onResponseHead(this);
    } catch (e) {
      this.abort(`proxy policy failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
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
      this.policyFailure('reset', this.errorReason);
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

  private policyFailure(kind: UpstreamFailureKind, message: string): boolean {
    try {
      return this.host.policy.onUpstreamFailure(this, kind, message);
    } catch {
      return false;
    }
  }

  private upstreamFailed(kind: UpstreamFailureKind, message: string, status: number): void {
    this.dropUpstream();
    this.errorReason = message;
    // a policy may retry elsewhere (it does so only for 'connect': nothing was sent yet)
    const before = this.attempts;
    if (this.policyFailure(kind, message) && this.attempts > before) {
      // retried elsewhere: the failure is the backend's (counted there), not the request's
      if (this.state !== ST_CLOSED && this.status === 0) this.errorReason = '';
      return;
    }
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

  protected dropUpstream(): void {
    if (this.up !== null) {
      this.up.destroy();
      this.up = null;
    }
  }

  /** Fails the exchange: an error response when none started, else the connection closes. */
  protected abort(reason: string, status = 502): void {
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

  protected expire(): void {
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

  protected onClientDrain(): void {
    if (this.up !== null) this.up.socket.resume();
  }

  protected onTunnelData(chunk: Buffer): void {
    if (this.up !== null && !this.up.socket.write(chunk)) this.socket.pause();
  }

  protected onTunnelClientEnd(): void {
    this.up?.socket.end();
  }

  protected resetRelay(): void {
    this.resState = RS_NONE;
    this.resPending = null;
    this.dechunk = false;
    this.upgradeRequested = false;
    this.tunnelViaProxy = false;
    this.retriedStale = false;
    this.upstreamGarbage = false;
    this.resFramer.sink = null;
  }
}
