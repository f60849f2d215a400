/**
 * Connections from the proxy to upstreams (origin servers, backends, a parent proxy), with a
 * keep-alive pool per upstream address. An upstream connection has one owner at a time (the
 * client connection whose exchange it serves); its socket handlers are attached once and call
 * the owner, so no closure is created per request.
 */
import net from 'node:net';
import tls from 'node:tls';
import { clock } from './sweeper.js';

/** Where an upstream connection goes. */
export interface UpstreamTarget {
  /** Pool key: connections with the same key are interchangeable. */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  /** Speak TLS to the upstream (https backends, https absolute-form targets). */
  readonly tls: boolean;
  /** Verify the upstream's certificate (default true). */
  readonly rejectUnauthorized?: boolean;
}

/** What an upstream connection reports to its owner. */
export interface UpstreamOwner {
  onUpstreamConnect(up: UpstreamConn): void;
  onUpstreamData(up: UpstreamConn, chunk: Buffer): void;
  onUpstreamEnd(up: UpstreamConn): void;
  onUpstreamClose(up: UpstreamConn, error: Error | null): void;
  onUpstreamDrain(up: UpstreamConn): void;
}

export class UpstreamConn {
  readonly socket: net.Socket;
  readonly target: UpstreamTarget;
  owner: UpstreamOwner | null = null;
  connected = false;
  closed = false;
  /** Requests already completed on this connection (a reused connection may be stale). */
  served = 0;
  /** Bytes received from the upstream over the connection's life. */
  bytesIn = 0;
  /** When it went idle in the pool (coarse clock). */
  idleSince = 0;
  error: Error | null = null;
  private readonly pool: UpstreamPool;

  constructor(pool: UpstreamPool, target: UpstreamTarget, owner: UpstreamOwner) {
    this.pool = pool;
    this.target = target;
    this.owner = owner;
    const opts = { host: target.host, port: target.port, noDelay: true };
    const socket = target.tls
      ? tls.connect({
          ...opts,
          servername: net.isIP(target.host) ? undefined : target.host,
          rejectUnauthorized: target.rejectUnauthorized ?? true,
        })
      : net.connect(opts);
    this.socket = socket;
    socket.on(target.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.owner?.onUpstreamConnect(this);
    });
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (this.owner !== null) this.owner.onUpstreamData(this, chunk);
      // bytes while idle in the pool: the server broke the protocol; never reuse this one
      else socket.destroy();
    });
    socket.on('end', () => {
      if (this.owner !== null) this.owner.onUpstreamEnd(this);
      else socket.destroy();
    });
    socket.on('error', (e: Error) => {
      this.error = e;
    });
    socket.on('close', () => {
      this.closed = true;
      this.pool.forget(this);
      const owner = this.owner;
      this.owner = null;
      owner?.onUpstreamClose(this, this.error);
    });
    socket.on('drain', () => {
      this.owner?.onUpstreamDrain(this);
    });
  }

  /** Returns the connection to the pool (when reusable) or closes it. Detaches the owner. */
  release(reusable: boolean): void {
    this.owner = null;
    if (reusable && !this.closed && this.connected) {
      this.served++;
      this.pool.putIdle(this);
    } else {
      this.destroy();
    }
  }

  /** Closes the connection without telling the owner (it is detached first). */
  destroy(): void {
    this.owner = null;
    if (!this.closed) this.socket.destroy();
  }
}

/** Idle keep-alive connections per upstream key, most recently used first. */
export class UpstreamPool {
  private readonly idle = new Map<string, UpstreamConn[]>();
  private idleCount = 0;
  private readonly closingKeys = new Set<string>();

  constructor(
    private maxIdlePerKey: number,
    private idleTimeoutMs: number,
  ) {}

  /** An idle connection to `target`, or a new one (connecting) when none is idle. */
  acquire(target: UpstreamTarget, owner: UpstreamOwner): UpstreamConn {
    const list = this.idle.get(target.key);
    if (list !== undefined) {
      while (list.length > 0) {
        const up = list.pop()!;
        this.idleCount--;
        if (up.closed) continue;
        up.owner = owner;
        up.socket.resume();
        return up;
      }
    }
    return new UpstreamConn(this, target, owner);
  }

  /** A fresh connection that will never be pooled (tunnels). */
  connectNew(target: UpstreamTarget, owner: UpstreamOwner): UpstreamConn {
    return new UpstreamConn(this, target, owner);
  }

  putIdle(up: UpstreamConn): void {
    if (this.closingKeys.has(up.target.key)) {
      up.destroy();
      return;
    }
    let list = this.idle.get(up.target.key);
    if (list === undefined) {
      list = [];
      this.idle.set(up.target.key, list);
    }
    if (list.length >= this.maxIdlePerKey) {
      up.destroy();
      return;
    }
    up.idleSince = clock.now;
    // it may have been paused for backpressure; idle sockets must read to notice a close
    up.socket.resume();
    list.push(up);
    this.idleCount++;
  }

  forget(up: UpstreamConn): void {
    const list = this.idle.get(up.target.key);
    if (list === undefined) return;
    const i = list.indexOf(up);
    if (i >= 0) {
      list.splice(i, 1);
      this.idleCount--;
    }
  }

  /** Closes idle connections that waited longer than the idle timeout. */
  tick(now: number): void {
    if (this.idleCount === 0) return;
    for (const list of this.idle.values()) {
      // oldest first: they were pushed in order of release
      while (list.length > 0 && now - list[0].idleSince >= this.idleTimeoutMs) {
        const up = list.shift()!;
        this.idleCount--;
        up.destroy();
      }
    }
  }

  /** Closes the idle connections of one key and refuses to pool it again (removed backend). */
  retireKey(key: string): void {
    this.closingKeys.add(key);
    const list = this.idle.get(key);
    if (list !== undefined) {
      this.idle.delete(key);
      this.idleCount -= list.length;
      for (const up of list) up.destroy();
    }
  }

  /** Allows a retired key to be pooled again (the backend was added back). */
  unretireKey(key: string): void {
    this.closingKeys.delete(key);
  }

  idleConnections(): number {
    return this.idleCount;
  }

  closeAll(): void {
    for (const list of this.idle.values()) for (const up of list) up.destroy();
    this.idle.clear();
    this.idleCount = 0;
  }
}
