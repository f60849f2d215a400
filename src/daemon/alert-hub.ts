/**
 * Where every alert goes, whatever raised it (the signature engine, a behavioural detector,
 * an EVE file posted to the API): checked on arrival, then in batches to SQLite (one fsynced
 * transaction), the EVE file (one write, fdatasync), Redis, and the listeners (live updates,
 * metrics). A batch is flushed every `flushMs` or when it reaches `maxBatch`; the API reads
 * from SQLite only, so an alert is visible only once it is durable.
 */
import type { EveRecord } from '../ids/eve.js';
import type { EveFile } from './outputs/eve-file.js';
import type { RedisOutput } from './outputs/redis.js';
import { type AlertStore, alertColumns, type SeverityWord } from './storage/alerts.js';

export interface AlertOrigin {
  /** Raised by: `signature`, a detector name, `import`... (a detector name in the record wins). */
  source: string;
  /** The capture (upload name, interface) it came from. */
  capture?: string | null;
}

/** What listeners get after a batch is committed. */
export interface CommittedAlert {
  id: number;
  severity_word: SeverityWord;
  source: string;
  src_ip: string;
  eve: EveRecord;
}

export interface AlertHubOptions {
  store: AlertStore;
  eve?: EveFile | null;
  redis?: RedisOutput | null;
  flushMs?: number;
  maxBatch?: number;
}

export class AlertHub {
  private pending: Array<{ eve: EveRecord; source: string; capture: string | null }> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(alerts: CommittedAlert[]) => void>();
  private redisChain: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  /** Alerts committed since the start. */
  committed = 0;
  /** Flush failures (disk full...): the batch stays pending and is tried again. */
  failures = 0;
  lastError: string | null = null;

  constructor(private readonly opts: AlertHubOptions) {
    this.flushMs = opts.flushMs ?? 100;
    this.maxBatch = opts.maxBatch ?? 1000;
  }

  /** Throws (SENTRA_ERR_INVALID_ARGUMENT) when `eve` is not an EVE alert record. */
  check(eve: EveRecord, source: string): void {
    alertColumns(eve, source, null);
  }

  /** Accepts one EVE alert record; throws (SENTRA_ERR_INVALID_ARGUMENT) when it is not one. */
  submit(eve: EveRecord, origin: AlertOrigin): void {
    alertColumns(eve, origin.source, origin.capture ?? null);
    this.pending.push({ eve, source: origin.source, capture: origin.capture ?? null });
    if (this.pending.length >= this.maxBatch) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  onCommit(fn: (alerts: CommittedAlert[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Commits what is pending now (synchronously for SQLite and the EVE file). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    let ids: number[];
    try {
      ids = this.opts.store.insert(batch);
    } catch (e) {
      this.failures++;
      this.lastError = (e as Error).message;
      // keep the batch; try again later
      this.timer = setTimeout(() => this.flush(), 1000);
      this.timer.unref();
      return;
    }
    this.pending = [];
    const lines = batch.map((b) => JSON.stringify(b.eve));
    try {
      this.opts.eve?.write(lines);
    } catch (e) {
      this.failures++;
      this.lastError = `EVE file: ${(e as Error).message}`;
    }
    const redis = this.opts.redis;
    if (redis) this.redisChain = this.redisChain.then(() => redis.send(lines));
    this.committed += ids.length;
    const out: CommittedAlert[] = batch.map((b, i) => {
      const cols = alertColumns(b.eve, b.source, b.capture);
      return {
        id: ids[i],
        severity_word: cols.severity_word,
        source: cols.source,
        src_ip: cols.src_ip,
        eve: b.eve,
      };
    });
    for (const fn of this.listeners) {
      try {
        fn(out);
      } catch {
        // a listener's failure must not lose the batch for the others
      }
    }
  }

  /** Flushes and waits for Redis to have the last batch. */
  async drain(): Promise<void> {
    this.flush();
    await this.redisChain;
  }
}
