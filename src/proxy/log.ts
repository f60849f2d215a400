/**
 * Request logs of both proxies: a bounded ring buffer in memory (what `proxy_get_logs` reads)
 * and, when a file is given, one JSON object per line appended to it. When the file cannot
 * keep up, lines are dropped and counted instead of buffering without bound.
 */
import fs from 'node:fs';
import { ErrorCodes, SentraError } from '../errors.js';

/** One request, as logged (snake_case: the shape scripts and the JSON Lines file see). */
export interface ProxyLogEntry {
  /** ISO 8601 time the request head was complete. */
  time: string;
  /** Client address. */
  client: string;
  method: string;
  /** Absolute URL (forward), `host:port` (CONNECT) or the path (reverse). */
  url: string;
  /** Status sent to the client; 499 when the client left before the answer. */
  status: number;
  /** Bytes sent to the client. */
  bytes: number;
  duration_ms: number;
  /** Why the request was refused by a filter. */
  blocked_reason?: string;
  /** Why the proxy answered with an error. */
  error?: string;
  /** Cache outcome: HIT, MISS, REVALIDATED, BYPASS (forward proxy with cache). */
  cache?: string;
  /** Backend id (reverse proxy). */
  backend?: string;
}

/** Default number of entries kept in memory. */
export const DEFAULT_LOG_CAPACITY = 1000;
/** Bytes buffered for the file before lines are dropped. */
const FILE_HIGH_WATER = 1 << 20;

export class RequestLog {
  private readonly ring: (ProxyLogEntry | undefined)[];
  private next = 0;
  private size = 0;
  private stream: fs.WriteStream | null = null;
  /** Lines not written to the file because it could not keep up or failed. */
  dropped = 0;
  /** The last file error, if any. */
  fileError: string | null = null;

  constructor(capacity = DEFAULT_LOG_CAPACITY, file?: string) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'log capacity must be a positive integer');
    }
    this.ring = new Array(capacity);
    if (file) {
      this.stream = fs.createWriteStream(file, { flags: 'a' });
      this.stream.on('error', (e) => {
        this.fileError = e.message;
        this.stream = null;
      });
    }
  }

  push(e: ProxyLogEntry): void {
    this.ring[this.next] = e;
    this.next = (this.next + 1) % this.ring.length;
    if (this.size < this.ring.length) this.size++;
    const s = this.stream;
    if (s !== null) {
      if (s.writableLength > FILE_HIGH_WATER) this.dropped++;
      else s.write(JSON.stringify(e) + '\n');
    }
  }

  /** The most recent `limit` entries, oldest first. */
  recent(limit = this.ring.length): ProxyLogEntry[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.size));
    const out: ProxyLogEntry[] = [];
    const cap = this.ring.length;
    for (let i = n; i > 0; i--) out.push(this.ring[(this.next - i + cap) % cap]!);
    return out;
  }

  get length(): number {
    return this.size;
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    if (s === null) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}
