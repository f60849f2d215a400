/**
 * Limits and timeouts shared by the forward and the reverse proxy, each with the reason for its
 * default. Every one can be changed per proxy through its options.
 */
import { ErrorCodes, SentraError } from '../../errors.js';

export interface HttpLimits {
  /**
   * Largest request head (request line + headers) in bytes. 16 KiB is Node's own default and
   * larger than nginx's 8 KiB per line; a bigger head is refused with 400 and the connection
   * closes (as nginx and HAProxy answer), which caps the memory a client can pin.
   */
  maxHeaderBytes: number;
  /** Largest response head from an upstream; upstreams are trusted more than clients. */
  maxResponseHeaderBytes: number;
  /** Most header lines in one head: bounds the per-request offset table. */
  maxHeaders: number;
  /**
   * Time a client has to send a complete request head, counted from its first byte (or from
   * the end of the previous response on a kept-alive connection). This is the slowloris guard:
   * trickling bytes does not extend it.
   */
  headersTimeoutMs: number;
  /** A kept-alive client connection with no request in progress is closed after this. */
  keepAliveTimeoutMs: number;
  /** No byte in either direction for this long while a request is in progress: close. */
  idleTimeoutMs: number;
  /** Time an upstream has to start its response once the request was sent (504 after). */
  upstreamTimeoutMs: number;
  /** Time to open a TCP connection to an upstream. */
  connectTimeoutMs: number;
  /** A CONNECT tunnel or WebSocket with no byte either way for this long is closed. */
  tunnelIdleTimeoutMs: number;
  /** Most open client connections (0 = no limit); further connections are closed at once. */
  maxConnections: number;
  /** Most open connections from one client address (0 = no limit); 503 past it. */
  maxConnectionsPerClient: number;
  /** Idle kept-alive upstream connections kept per upstream address. */
  maxIdlePerUpstream: number;
  /** An idle pooled upstream connection is closed after this (below common server timeouts). */
  upstreamIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  maxResponseHeaderBytes: 64 * 1024,
  maxHeaders: 128,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  upstreamTimeoutMs: 60_000,
  connectTimeoutMs: 5_000,
  tunnelIdleTimeoutMs: 300_000,
  maxConnections: 10_000,
  maxConnectionsPerClient: 0,
  maxIdlePerUpstream: 256,
  // nginx keepalive_timeout defaults to 75 s and Node's server to 5 s: 4 s keeps us below the
  // shortest common one, so we rarely reuse a connection the server is about to close.
  upstreamIdleTimeoutMs: 4_000,
});

/** Largest chunk-size line or trailer section accepted in a chunked body. */
export const MAX_CHUNK_LINE = 4096;
/** Largest trailer section (after the last chunk) accepted. */
export const MAX_TRAILER_BYTES = 16 * 1024;
/** Client bytes buffered while the upstream is not ready before the client is paused. */
export const MAX_PENDING_BYTES = 64 * 1024;

/** Merges user limits over the defaults, refusing nonsense values. */
export function resolveLimits(user: Partial<HttpLimits> | undefined): HttpLimits {
  const out: HttpLimits = { ...DEFAULT_LIMITS };
  if (!user) return out;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof HttpLimits)[]) {
    const v = user[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `limit ${key} must be a non-negative number, got ${String(v)}`,
        { details: { key, value: String(v) } },
      );
    }
    out[key] = Math.floor(v);
  }
  return out;
}
