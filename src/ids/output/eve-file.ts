/**
 * EVE JSON lines to a file (or stdout): one record per line, written in batches, with
 * optional size rotation (`eve.json` -> `eve.json.1` ... keeping `keep` old files).
 */
import { closeSync, existsSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { EveSink } from '../engine/types.js';
import type { EveRecord } from '../eve.js';

export interface EveFileOptions {
  /** Rotate when the file reaches this many bytes (0 or absent: never). */
  rotateBytes?: number;
  /** Rotated files kept (default 5). */
  keep?: number;
  /** Append to an existing file instead of truncating it (default false). */
  append?: boolean;
}

const FLUSH_AT = 64 * 1024;

/** Writes text lines to a file descriptor in batches; rotation by size. */
export class LineFile {
  private fd: number;
  private pending: string[] = [];
  private pendingLen = 0;
  private size = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly opts: EveFileOptions = {},
  ) {
    this.fd = this.open(opts.append ? 'a' : 'w');
  }

  private open(flags: string): number {
    if (this.path === '-') return 1;
    try {
      return openSync(this.path, flags);
    } catch (e) {
      throw new SentraError(ErrorCodes.IO, `cannot open ${this.path} for writing: ${(e as Error).message}`, {
        cause: e,
        details: { path: this.path },
      });
    }
  }

  writeLine(line: string): void {
    this.pending.push(line, '\n');
    this.pendingLen += line.length + 1;
    if (this.pendingLen >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLen = 0;
    writeSync(this.fd, text);
    this.size += Buffer.byteLength(text);
    const max = this.opts.rotateBytes ?? 0;
    if (max > 0 && this.size >= max && this.path !== '-') this.rotate();
  }

  private rotate(): void {
    closeSync(this.fd);
    const keep = this.opts.keep ?? 5;
    const last = `${this.path}.${keep}`;
    if (existsSync(last)) unlinkSync(last);
    for (let i = keep - 1; i >= 1; i--)
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (keep > 0) renameSync(this.path, `${this.path}.1`);
    this.fd = this.open('w');
    this.size = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== 1) closeSync(this.fd);
  }
}

/** An {@link EveSink} writing JSON lines to `path` (`-` for stdout). */
export class EveFileSink implements EveSink {
  private readonly file: LineFile;
  records = 0;

  constructor(path: string, opts: EveFileOptions = {}) {
    this.file = new LineFile(path, opts);
  }

  write(rec: EveRecord): void {
    this.records++;
    this.file.writeLine(JSON.stringify(rec));
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    this.file.close();
  }
}

/** An {@link EveSink} keeping the records in memory (tests, the conformance runner). */
export class MemorySink implements EveSink {
  readonly records: EveRecord[] = [];
  write(rec: EveRecord): void {
    this.records.push(rec);
  }
}
