/**
 * Writes pcap files: to a path, stdout (`-`) or any writable stream, buffered, with the stream's
 * back-pressure passed on to the caller (`write` returns false, then `await drain()`).
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import type { PacketRecord } from '../record.js';
import { LinkType } from '../record.js';
import { MAX_CAPLEN } from './limits.js';
import { encodePcapHeader, PCAP_RECORD_HEADER_LEN, type PcapHeader } from './pcap-format.js';

export interface PcapWriterOptions {
  /** LINKTYPE_* of every packet; default Ethernet. Ignored when `header` is given. */
  linkType?: number;
  /** Snapshot length written in the header; default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d); default microseconds. */
  nanosecond?: boolean;
  /** Write big-endian; default little-endian. */
  bigEndian?: boolean;
  /** Cut packets longer than `snaplen` (keeping their original length); default false. */
  truncate?: boolean;
  /** Use this exact file header (from a reader's summary or `onPcapHeader`) to reproduce a file. */
  header?: PcapHeader;
}

const FLUSH_AT = 1024 * 1024;

/** Builds a full pcap header from the options. */
export function pcapHeaderFor(opts: PcapWriterOptions = {}): PcapHeader {
  if (opts.header) return { ...opts.header };
  const linkType = opts.linkType ?? LinkType.ETHERNET;
  return {
    nanosecond: opts.nanosecond ?? false,
    bigEndian: opts.bigEndian ?? false,
    versionMajor: 2,
    versionMinor: 4,
    thiszone: 0,
    sigfigs: 0,
    snaplen: opts.snaplen ?? MAX_CAPLEN,
    linkType,
    linkTypeField: linkType,
  };
}

export class PcapWriter {
  readonly header: PcapHeader;
  /** Packets written so far. */
  packets = 0;
  /** Bytes written so far, file header included. */
  bytes = 0;
  private buf = new Uint8Array(FLUSH_AT + PCAP_RECORD_HEADER_LEN + MAX_CAPLEN);
  private dv = new DataView(this.buf.buffer);
  private used = 0;
  private readonly le: boolean;
  private readonly truncate: boolean;
  private error: Error | null = null;
  private closed = false;

  /** Writes the file header at once; packets follow with {@link write}. */
  constructor(
    private readonly out: Writable,
    opts: PcapWriterOptions = {},
    private readonly ownsStream = false,
  ) {
    this.header = pcapHeaderFor(opts);
    this.le = !this.header.bigEndian;
    this.truncate = opts.truncate ?? false;
    out.on('error', (e) => {
      this.error = e;
    });
    this.buf.set(encodePcapHeader(this.header), 0);
    this.used = 24;
    this.bytes = 24;
  }

  /** Opens `path` (or stdout for `-`) and writes the file header. */
  static async open(path: string, opts: PcapWriterOptions = {}): Promise<PcapWriter> {
    if (path === '-') return new PcapWriter(process.stdout, opts, false);
    const stream = createWriteStream(path);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e) => {
        const err = toSentraError(e, ErrorCodes.IO);
        reject(
          new SentraError(err.code, `cannot create ${path}: ${err.message}`, { cause: e, details: { path } }),
        );
      });
    });
    return new PcapWriter(stream, opts, true);
  }

  /**
   * Appends one packet. Returns false when the output asks to slow down: `await drain()` before
   * writing more (writing on regardless only buffers more in memory).
   */
  write(rec: PacketRecord): boolean {
    if (rec.buffer !== undefined) {
      return this.writeBytes(
        rec.tsSec,
        rec.tsNsec,
        rec.buffer,
        rec.offset ?? 0,
        rec.capLen,
        rec.origLen,
        rec.linkType,
      );
    }
    const d = rec.data;
    return this.writeBytes(rec.tsSec, rec.tsNsec, d, 0, d.length, rec.origLen, rec.linkType);
  }

  /** Appends `bytes[offset, offset+capLen)` as one packet of link type `linkType`. */
  writeBytes(
    tsSec: number,
    tsNsec: number,
    bytes: Uint8Array,
    offset: number,
    capLen: number,
    origLen: number,
    linkType: number = this.header.linkType,
  ): boolean {
    if (this.error) throw toSentraError(this.error, ErrorCodes.IO);
    if (this.closed) throw new SentraError(ErrorCodes.INVALID_STATE, 'the pcap writer is closed');
    if (linkType !== this.header.linkType) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `a pcap file holds one link type: this one is ${this.header.linkType}, the packet's is ${linkType}`,
        { details: { fileLinkType: this.header.linkType, packetLinkType: linkType } },
      );
    }
    if (capLen > MAX_CAPLEN) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `packet of ${capLen} bytes exceeds ${MAX_CAPLEN}`);
    }
    if (this.truncate && this.header.snaplen > 0 && capLen > this.header.snaplen)
      capLen = this.header.snaplen;
    const dv = this.dv;
    const le = this.le;
    const at = this.used;
    dv.setUint32(at, tsSec, le);
    dv.setUint32(at + 4, this.header.nanosecond ? tsNsec : Math.floor(tsNsec / 1000), le);
    dv.setUint32(at + 8, capLen, le);
    dv.setUint32(at + 12, origLen, le);
    this.buf.set(bytes.subarray(offset, offset + capLen), at + PCAP_RECORD_HEADER_LEN);
    this.used = at + PCAP_RECORD_HEADER_LEN + capLen;
    this.bytes += PCAP_RECORD_HEADER_LEN + capLen;
    this.packets++;
    if (this.used >= FLUSH_AT) return this.flush();
    return true;
  }

  /** Hands the buffered bytes to the stream; returns the stream's back-pressure signal. */
  flush(): boolean {
    if (this.used === 0) return true;
    const chunk = this.buf.slice(0, this.used);
    this.used = 0;
    return this.out.write(chunk);
  }

  /** Resolves when the stream has room again. */
  drain(): Promise<void> {
    if (!this.out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.out.off('error', onError);
        resolve();
      };
      const onError = (e: Error) => {
        this.out.off('drain', onDrain);
        reject(toSentraError(e, ErrorCodes.IO));
      };
      this.out.once('drain', onDrain);
      this.out.once('error', onError);
    });
  }

  /** Flushes, and ends the stream if the writer opened it (never stdout). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.error) throw toSentraError(this.error, ErrorCodes.IO);
    if (this.ownsStream) {
      await new Promise<void>((resolve, reject) => {
        this.out.end((e?: Error | null) => (e ? reject(toSentraError(e, ErrorCodes.IO)) : resolve()));
      });
    } else {
      await this.drain();
    }
  }
}
