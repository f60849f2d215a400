/**
 * The listening side shared by both proxies: accepts connections, applies connection limits
 * and the client admission check, owns the upstream pool and the per-server sweep.
 */
import net from 'node:net';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { HttpLimits } from '../http/limits.js';
import { localResponse } from '../http/responses.js';
import { ClientConn, type ConnHost, type ProxyPolicy, type TrafficCounters } from './connection.js';
import { addTickable, refreshClock, removeTickable, type Tickable } from './sweeper.js';
import { UpstreamPool } from './upstream.js';

/** Returns a reason to refuse a client address, or null to accept it. */
export type ClientAdmission = (clientIp: string) => string | null;

/** `::ffff:10.0.0.1` -> `10.0.0.1`: IPv4 clients of a dual-stack socket are shown as IPv4. */
export function normalizeClientIp(addr: string | undefined): string {
  if (addr === undefined) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

export class ProxyListener implements ConnHost, Tickable {
  readonly pool: UpstreamPool;
  readonly counters: TrafficCounters = { bytesIn: 0, bytesOut: 0 };
  readonly conns = new Set<ClientConn>();
  /** Connections refused by a limit or the admission check. */
  refusedConnections = 0;
  private readonly server: net.Server;
  private readonly perClient = new Map<string, number>();
  private listening = false;
  private address: net.AddressInfo | null = null;

  constructor(
    readonly limits: HttpLimits,
    readonly policy: ProxyPolicy,
    private readonly admit: ClientAdmission | null,
  ) {
    this.pool = new UpstreamPool(limits.maxIdlePerUpstream, limits.upstreamIdleTimeoutMs);
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.onConnection(s));
  }

  private onConnection(socket: net.Socket): void {
    const ip = normalizeClientIp(socket.remoteAddress);
    const limits = this.limits;
    if (limits.maxConnections > 0 && this.conns.size >= limits.maxConnections) {
      this.refusedConnections++;
      socket.destroy();
      return;
    }
    const refusal = this.admit === null ? null : this.admit(ip);
    if (refusal !== null) {
      this.refuse(socket, 403, refusal);
      return;
    }
    if (limits.maxConnectionsPerClient > 0) {
      const n = this.perClient.get(ip) ?? 0;
      if (n >= limits.maxConnectionsPerClient) {
        this.refuse(socket, 503, 'too many connections from this client');
        return;
      }
      this.perClient.set(ip, n + 1);
    }
    refreshClock();
    this.conns.add(new ClientConn(this, socket, ip));
  }

  private refuse(socket: net.Socket, status: number, reason: string): void {
    this.refusedConnections++;
    socket.on('error', () => undefined);
    // read and discard, so that the client's FIN is seen and the socket closes at once
    socket.resume();
    socket.end(localResponse(status, reason, { close: true }), 'latin1');
    socket.setTimeout(2_000, () => socket.destroy());
  }

  onConnClosed(conn: ClientConn): void {
    this.conns.delete(conn);
    if (this.limits.maxConnectionsPerClient > 0) {
      const n = (this.perClient.get(conn.clientIp) ?? 1) - 1;
      if (n <= 0) this.perClient.delete(conn.clientIp);
      else this.perClient.set(conn.clientIp, n);
    }
  }

  tick(now: number): void {
    for (const c of this.conns) c.checkTimeout(now);
    this.pool.tick(now);
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        reject(listenError(e, host, port));
      };
      const onListening = () => {
        this.server.off('error', onError);
        this.listening = true;
        this.address = this.server.address() as net.AddressInfo;
        addTickable(this);
        resolve(this.address);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ port, host, backlog: 1024 });
    });
  }

  get boundAddress(): net.AddressInfo | null {
    return this.address;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /**
   * Stops accepting, closes idle connections, lets requests in flight finish for up to
   * `graceMs`, then closes what is left.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.conns) c.closeIfIdle();
    const end = Date.now() + graceMs;
    while (this.conns.size > 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      for (const c of this.conns) c.closeIfIdle();
    }
    for (const c of this.conns) c.destroy();
    this.pool.closeAll();
    removeTickable(this);
    await closed;
  }
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): SentraError {
  const where = `${host}:${port}`;
  if (e.code === 'EADDRINUSE') {
    return new SentraError(
      ErrorCodes.PROXY_LISTEN_FAILED,
      `cannot listen on ${where}: the port is already in use; choose another port or stop the other server`,
      { cause: e, details: { host, port, errno: e.code } },
    );
  }
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return new SentraError(
      ErrorCodes.PERMISSION_DENIED,
      `cannot listen on ${where}: ports below 1024 need root or CAP_NET_BIND_SERVICE`,
      { cause: e, details: { host, port, errno: e.code } },
    );
  }
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') {
    return new SentraError(
      ErrorCodes.PROXY_LISTEN_FAILED,
      `cannot listen on ${where}: the address is not on this machine`,
      { cause: e, details: { host, port, errno: e.code } },
    );
  }
  return new SentraError(ErrorCodes.PROXY_LISTEN_FAILED, `cannot listen on ${where}: ${e.message}`, {
    cause: e,
    details: { host, port, errno: e.code },
  });
}
