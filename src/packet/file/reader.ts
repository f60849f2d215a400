/**
 * Reading capture files: from a path, from stdin (`-`), from any readable stream, or from bytes
 * already in memory. Streaming in constant memory: one buffer, refilled as records are consumed,
 * grown only to hold a single record that is larger than it (bounded by the format limits).
 */
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import { DEFAULT_CHUNK } from './limits.js';
import { type CaptureFormat, type CaptureInterface, CaptureParser, type PacketHandler } from './parser.js';
import type { PcapHeader } from './pcap-format.js';
import { READS_PER_YIELD, ReadWindow, yieldToEventLoop } from './read-window.js';

export interface ReadOptions {
  /** Called with the pcap file header (pcap files only), before the first packet. */
  onPcapHeader?: (h: PcapHeader) => void;
  /** Called for each interface when it is declared, before its first packet. */
  onInterface?: (iface: CaptureInterface) => void;
  /** Called after each read from the input with the bytes read so far and the total if known. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /**
   * Stops reading when aborted, checked after every packet: the promise then resolves with
   * `stopped: true`. The way to stop from inside the handler (`-c N`).
   */
  signal?: AbortSignal;
  /** Size of each read; default 1 MiB. */
  chunkSize?: number;
  /**
   * Awaited before each read of the input: a consumer whose output is slower than the input
   * (a pipe to a pager) returns a promise here to pause reading, keeping memory constant.
   */
  beforeRead?: () => Promise<void> | undefined;
}

export interface ReadSummary {
  format: CaptureFormat;
  /** Packets delivered to the handler. */
  packets: number;
  /** Bytes of the input consumed. */
  bytes: number;
  /** The signal was aborted before the end of the input. */
  stopped: boolean;
  interfaces: CaptureInterface[];
  /** The pcap file header, for pcap files (a writer can copy it to reproduce the file). */
  pcapHeader?: PcapHeader;
}

/**
 * Where bytes come from: `read` fills `buf[off, off+len)` and returns the count, 0 at the end
 * (synchronously when it can: a regular file is read with readSync, which saves a thread-pool
 * round trip per read; the reader yields to the event loop between reads).
 */
interface ByteSource {
  read(buf: Uint8Array, off: number, len: number): number | Promise<number>;
  size: number | undefined;
  close(): Promise<void>;
}

async function fileSource(path: string): Promise<ByteSource> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const err = toSentraError(e, ErrorCodes.IO);
    throw new SentraError(err.code, `cannot open capture file ${path}: ${err.message}`, {
      cause: e,
      details: { ...err.details, path },
    });
  }
  let size: number | undefined;
  try {
    const st = await fh.stat();
    size = st.isFile() ? st.size : undefined;
  } catch {
    size = undefined;
  }
  const fd = fh.fd;
  if (size !== undefined) {
    // a regular file: a read never waits for a writer, so reading it synchronously is safe
    return {
      size,
      read(buf, off, len) {
        try {
          return readSync(fd, buf, off, len, null);
        } catch (e) {
          throw readError(e, path);
        }
      },
      close: () => fh.close(),
    };
  }
  return {
    size,
    async read(buf, off, len) {
      try {
        const r = await fh.read(buf, off, len, null);
        return r.bytesRead;
      } catch (e) {
        throw readError(e, path);
      }
    },
    close: () => fh.close(),
  };
}

function readError(e: unknown, what: string): SentraError {
  const err = toSentraError(e, ErrorCodes.IO);
  return new SentraError(err.code, `cannot read ${what}: ${err.message}`, { cause: e, details: err.details });
}

function streamSource(stream: Readable | NodeJS.ReadableStream): ByteSource {
  const it = (stream as Readable)[Symbol.asyncIterator]() as AsyncIterator<Uint8Array | string>;
  let pending: Uint8Array | null = null;
  let at = 0;
  return {
    size: undefined,
    async read(buf, off, len) {
      while (pending === null || at >= pending.length) {
        let r: IteratorResult<Uint8Array | string>;
        try {
          r = await it.next();
        } catch (e) {
          throw readError(e, 'the input stream');
        }
        if (r.done) return 0;
        pending = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
        at = 0;
      }
      const n = Math.min(len, pending.length - at);
      buf.set(pending.subarray(at, at + n), off);
      at += n;
      return n;
    },
    async close() {
      await it.return?.();
    },
  };
}

/**
 * Reads a capture file (pcap or pcapng, detected from its first bytes) and calls `onPacket`
 * once per packet with one reused record. `input` is a path, `-` for stdin, or a readable
 * stream. Resolves with a summary at the end of the input; on damage, every packet before it
 * has been delivered when the promise rejects with PCAP_TRUNCATED, PCAP_CORRUPT or
 * PCAP_BAD_MAGIC, whose `details.offset` is the byte offset of the damaged record or block.
 */
export async function readCapture(
  input: string | Readable | NodeJS.ReadableStream,
  onPacket: PacketHandler,
  opts: ReadOptions = {},
): Promise<ReadSummary> {
  const source =
    typeof input === 'string'
      ? input === '-'
        ? streamSource(process.stdin)
        : await fileSource(input)
      : streamSource(input);
  const parser = new CaptureParser(onPacket, opts);
  const w = new ReadWindow(Math.max(4096, opts.chunkSize ?? DEFAULT_CHUNK));
  let aborted = false;
  let syncReads = 0;
  try {
    for (;;) {
      if (opts.signal?.aborted) {
        aborted = true;
        break;
      }
      w.makeRoom(parser.need);
      const wait = opts.beforeRead?.();
      if (wait !== undefined) await wait;
      let got = source.read(w.buf, w.end, w.buf.length - w.end);
      if (typeof got !== 'number') got = await got;
      else if (++syncReads % READS_PER_YIELD === 0) await yieldToEventLoop();
      const n = got;
      if (n === 0) {
        parser.finish(w.end - w.start, w.base + w.start);
        break;
      }
      w.end += n;
      opts.onProgress?.(w.base + w.end, source.size);
      w.start = parser.parse(w.buf, w.start, w.end, w.base);
      if (parser.stopped) break;
    }
  } finally {
    await source.close().catch(() => {});
  }
  return summary(parser, w.base + w.start, aborted);
}

/**
 * The same as {@link readCapture} over bytes already in memory, synchronously: no copy, the
 * records point into `bytes`.
 */
export function readCaptureBuffer(
  bytes: Uint8Array,
  onPacket: PacketHandler,
  opts: Omit<ReadOptions, 'chunkSize' | 'onProgress' | 'beforeRead'> = {},
): ReadSummary {
  const parser = new CaptureParser(onPacket, opts);
  const pos = parser.parse(bytes, 0, bytes.length, 0);
  if (!parser.stopped) parser.finish(bytes.length - pos, pos);
  return summary(parser, pos, false);
}

function summary(parser: CaptureParser, bytes: number, aborted: boolean): ReadSummary {
  if (parser.format === undefined) throw new SentraError(ErrorCodes.INTERNAL, 'capture format unknown');
  const s: ReadSummary = {
    format: parser.format,
    packets: parser.packets,
    bytes,
    stopped: parser.stopped || aborted,
    interfaces: parser.interfaces,
  };
  if (parser.pcapHeader) s.pcapHeader = parser.pcapHeader;
  return s;
}
