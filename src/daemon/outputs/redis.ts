/**
 * Alerts to Redis as Suricata's redis output sends them: `list` (LPUSH), `rpush`, `channel`
 * (PUBLISH) or `stream` (XADD with MAXLEN ~ N and the record in the field `eve`), so a
 * consumer written for Suricata's sensors reads Sentra's. Batches go as one pipeline. When
 * Redis is away the batch is dropped and counted rather than queued without bound: the
 * SQLite store and the EVE file keep every alert, Redis is a feed.
 */
import { Redis } from 'ioredis';
import type { RedisMode } from '../config.js';

export interface RedisOutputOptions {
  url: string;
  mode: RedisMode;
  key: string;
  streamMaxLen: number;
}

export class RedisOutput {
  private readonly client: Redis;
  sent = 0;
  dropped = 0;
  lastError: string | null = null;

  constructor(private readonly opts: RedisOutputOptions) {
    this.client = new Redis(opts.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
      retryStrategy: (times) => Math.min(times * 200, 5_000),
    });
    this.client.on('error', (e: Error) => {
      this.lastError = e.message;
    });
  }

  get connected(): boolean {
    return this.client.status === 'ready';
  }

  /** Waits until connected (or `ms` passed); true when ready. */
  async ready(ms = 3_000): Promise<boolean> {
    if (this.connected) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.client.off('ready', on);
        resolve(false);
      }, ms);
      const on = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.client.once('ready', on);
    });
  }

  /** Sends a batch of JSON lines; resolves when Redis answered (or the batch was dropped). */
  async send(records: readonly string[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.connected) {
      this.dropped += records.length;
      return;
    }
    const p = this.client.pipeline();
    const { key, mode, streamMaxLen } = this.opts;
    for (const r of records) {
      if (mode === 'list') p.lpush(key, r);
      else if (mode === 'rpush') p.rpush(key, r);
      else if (mode === 'channel') p.publish(key, r);
      else if (streamMaxLen > 0) p.xadd(key, 'MAXLEN', '~', streamMaxLen, '*', 'eve', r);
      else p.xadd(key, '*', 'eve', r);
    }
    try {
      const res = await p.exec();
      let failed = 0;
      for (const [err] of res ?? []) if (err) failed++;
      this.sent += records.length - failed;
      this.dropped += failed;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.dropped += records.length;
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
