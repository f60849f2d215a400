/**
 * The EVE JSON file: one alert per line, appended in batches with one write(2) each, fdatasync
 * after the batch (when `fsync` is on) and rotated by size as `eve.json.1` ... `eve.json.N`.
 * A process killed between two writes leaves only whole lines. A write can still be cut short:
 * the kernel stops copying a large write(2) when a fatal signal (kill -9) arrives, and a machine
 * may lose power in the middle of one. Either leaves at most a partial last line, which
 * {@link EveFile.open} cuts off at the next start, so that a reader never meets a broken line
 * in the middle of the file.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { ErrorCodes, SentraError } from '../../errors.js';

export interface EveFileOptions {
  /** Rotate when the file would pass this many bytes; 0: never. */
  maxBytes: number;
  /** Rotated files kept. */
  keep: number;
  fsync: boolean;
}

export class EveFile {
  private fd: number;
  private size: number;
  /** Lines written since the start. */
  lines = 0;
  rotations = 0;
  /** Bytes cut from a partial last line found when opening. */
  readonly repairedBytes: number;

  private constructor(
    readonly file: string,
    private readonly opts: EveFileOptions,
    fd: number,
    size: number,
    repaired: number,
  ) {
    this.fd = fd;
    this.size = size;
    this.repairedBytes = repaired;
  }

  static open(file: string, opts: EveFileOptions): EveFile {
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
      const fd = openSync(file, 'a+', 0o640);
      const { size, repaired } = repairTail(fd);
      return new EveFile(file, opts, fd, size, repaired);
    } catch (e) {
      throw new SentraError(ErrorCodes.IO, `cannot open the EVE file ${file}: ${(e as Error).message}`, {
        cause: e,
        details: { file },
      });
    }
  }

  /** Appends records, one JSON line each, in one write. */
  write(records: readonly string[]): void {
    if (records.length === 0) return;
    const buf = Buffer.from(`${records.join('\n')}\n`);
    if (this.opts.maxBytes > 0 && this.size > 0 && this.size + buf.length > this.opts.maxBytes) this.rotate();
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    if (this.opts.fsync) fdatasyncSync(this.fd);
    this.size += buf.length;
    this.lines += records.length;
  }

  /** eve.json -> eve.json.1 -> ... -> eve.json.keep (the oldest dropped). */
  private rotate(): void {
    if (this.opts.fsync) fdatasyncSync(this.fd);
    closeSync(this.fd);
    if (this.opts.keep === 0) rmSync(this.file, { force: true });
    else {
      rmSync(`${this.file}.${this.opts.keep}`, { force: true });
      for (let i = this.opts.keep - 1; i >= 1; i--) {
        try {
          renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
      renameSync(this.file, `${this.file}.1`);
    }
    this.fd = openSync(this.file, 'a', 0o640);
    this.size = 0;
    this.rotations++;
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.opts.fsync) fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Cuts a partial last line (no trailing newline); returns the size after and what was cut. */
function repairTail(fd: number): { size: number; repaired: number } {
  const size = fstatSync(fd).size;
  if (size === 0) return { size, repaired: 0 };
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  // walk back to the last newline
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const i = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) {
      const keep = start + i + 1;
      if (keep !== size) ftruncateSync(fd, keep);
      return { size: keep, repaired: size - keep };
    }
    end = start;
  }
  ftruncateSync(fd, 0);
  return { size: 0, repaired: size };
}
