/**
 * Capture files to analyse: uploads (POST /api/captures), files dropped in the watched folder
 * and the demo. Each becomes a job in the store and is analysed one at a time (memory stays
 * bounded whatever is queued); a file is moved out of the inbox before its job starts, so a
 * restart neither loses nor repeats it (queued jobs of a previous run start again).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import type { Pipeline } from './pipeline.js';
import type { CaptureJob, CaptureStore } from './storage/records.js';

const CAPTURE_EXT = /\.(pcap|pcapng|cap)$/i;

export interface CaptureQueueOptions {
  store: CaptureStore;
  pipeline: Pipeline;
  /** Where accepted files are kept. */
  dir: string;
  inbox: string;
  watchIntervalMs: number;
  onChange?: (job: CaptureJob) => void;
}

function safeName(name: string): string {
  const base = path
    .basename(name)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 100);
  return base === '' || base.startsWith('.') ? `capture${base}` : base;
}

export class CaptureQueue {
  private readonly queue: Array<{ id: string; speed: number }> = [];
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private watchTimer: NodeJS.Timeout | null = null;
  private readonly seen = new Map<string, number>();
  private closed = false;

  constructor(private readonly o: CaptureQueueOptions) {
    mkdirSync(o.dir, { recursive: true, mode: 0o750 });
    mkdirSync(o.inbox, { recursive: true, mode: 0o750 });
    for (const j of o.store.queued()) this.enqueue(j.id, 0);
  }

  /** Stores an uploaded body as a new job; rejects bodies over `maxBytes` (nothing is kept). */
  async upload(body: Readable, name: string, maxBytes: number): Promise<CaptureJob> {
    const id = `cap-${randomBytes(6).toString('hex')}`;
    const file = path.join(this.o.dir, `${id}-${safeName(name)}`);
    let size = 0;
    const limiter = async function* (src: Readable) {
      for await (const chunk of src) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          throw new SentraError(
            ErrorCodes.REQUEST_TOO_LARGE,
            `the capture is larger than ${maxBytes} bytes (http.max_upload_mb)`,
            {
              details: { max_bytes: maxBytes },
            },
          );
        }
        yield chunk;
      }
    };
    try {
      await streamPipeline(body, limiter, createWriteStream(file, { mode: 0o640 }));
    } catch (e) {
      rmSync(file, { force: true });
      throw toSentraError(e, ErrorCodes.IO);
    }
    if (size === 0) {
      rmSync(file, { force: true });
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        'the upload is empty: send the pcap or pcapng file as the request body',
      );
    }
    return this.add(id, name, 'upload', file, 0);
  }

  /** Queues a file already in place (the demo: analysed where it is, not moved). */
  addFile(file: string, name: string, origin: string, speed = 0): CaptureJob {
    return this.add(`cap-${randomBytes(6).toString('hex')}`, name, origin, file, speed);
  }

  private add(id: string, name: string, origin: string, file: string, speed: number): CaptureJob {
    this.o.store.create({ id, name: safeName(name), origin, path: file });
    this.enqueue(id, speed);
    const job = this.o.store.get(id) as CaptureJob;
    this.o.onChange?.(job);
    return job;
  }

  private enqueue(id: string, speed: number): void {
    this.queue.push({ id, speed });
    if (this.running === null) this.running = this.runAll();
  }

  private async runAll(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const next = this.queue.shift()!;
      await this.runOne(next.id, next.speed);
    }
    this.running = null;
  }

  private async runOne(id: string, speed: number): Promise<void> {
    const job = this.o.store.get(id);
    if (!job?.path) return;
    this.o.store.update(id, { status: 'running' });
    this.o.onChange?.({ ...job, status: 'running' });
    let error: { code: string; message: string } | null = null;
    try {
      const s = await this.o.pipeline.analyseFile(job.path, `${job.name}#${id.slice(4)}`, {
        speed,
        signal: this.abort.signal,
        onProgress: (p) =>
          this.o.store.update(id, { packets: p.packets, bytes: p.bytes, flows: p.flows, alerts: p.alerts }),
      });
      this.o.store.update(id, { packets: s.packets, bytes: s.bytes, flows: s.flows, alerts: s.alerts });
      error = s.damaged;
      if (this.abort.signal.aborted)
        error = { code: ErrorCodes.INVALID_STATE, message: 'the daemon stopped during the analysis' };
    } catch (e) {
      const err = toSentraError(e);
      error = { code: err.code, message: err.message };
    }
    this.o.store.finish(id, error);
    const done = this.o.store.get(id);
    if (done) this.o.onChange?.(done);
  }

  /** Starts looking at the inbox every `watchIntervalMs`: a file is taken once its size held still. */
  watch(): void {
    const look = () => {
      if (this.closed) return;
      try {
        this.scanInbox();
      } catch {
        // an unreadable inbox is retried next time
      }
      this.watchTimer = setTimeout(look, this.o.watchIntervalMs);
      this.watchTimer.unref();
    };
    look();
  }

  private scanInbox(): void {
    for (const name of readdirSync(this.o.inbox)) {
      if (!CAPTURE_EXT.test(name) || name.startsWith('.')) continue;
      const from = path.join(this.o.inbox, name);
      let size: number;
      try {
        const st = statSync(from);
        if (!st.isFile()) continue;
        size = st.size;
      } catch {
        continue;
      }
      // a file still being copied grows between two looks
      if (this.seen.get(name) !== size) {
        this.seen.set(name, size);
        continue;
      }
      this.seen.delete(name);
      const id = `cap-${randomBytes(6).toString('hex')}`;
      const to = path.join(this.o.dir, `${id}-${safeName(name)}`);
      renameSync(from, to);
      this.add(id, name, 'watch', to, 0);
    }
  }

  /** Stops the watcher and the running analysis (its flows and alerts so far are kept). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.abort.abort();
    await this.running;
  }
}
