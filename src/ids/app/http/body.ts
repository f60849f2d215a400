/**
 * A message body as the detector sees it: de-chunked bytes, decompressed when the message
 * says gzip or deflate, kept up to the body limit. Decompression is incremental (fflate's
 * streaming inflaters: node:zlib has no synchronous incremental API), so a body cut anywhere
 * yields what is decodable so far.
 */
import { Gunzip, Inflate, Unzlib } from 'fflate';

type Inflater = Gunzip | Inflate | Unzlib;

/** Content-Encoding values we decode: 1 gzip, 2 deflate (zlib-wrapped or raw), 0 none. */
export function encodingOf(v: string | undefined): number {
  if (v === undefined) return 0;
  const t = v.trim().toLowerCase();
  if (t === 'gzip' || t === 'x-gzip') return 1;
  if (t === 'deflate') return 2;
  return 0;
}

export class BodyBuffer {
  /** Bytes kept (at most `limit`). */
  data: Uint8Array;
  length = 0;
  /** Bytes offered after the limit was reached (not kept). */
  dropped = 0;
  /** Decompressed bytes produced so far. */
  decoded = 0;
  /** Decompression failed or hit its limit: later compressed bytes are ignored. */
  decodeStopped = false;
  decodeError = false;
  decodeLimitHit = false;
  private inflater: Inflater | null = null;
  /** Deflate: zlib-wrapped or raw is decided on the first two bytes. */
  private deflatePending = false;
  private headByte = -1;

  constructor(
    private readonly limit: number,
    encoding: number,
    private readonly decodeLimit: number,
  ) {
    this.data = new Uint8Array(Math.min(limit > 0 ? limit : 4096, 4096));
    if (encoding === 1) this.inflater = new Gunzip((chunk) => this.keepDecoded(chunk));
    else if (encoding === 2) this.deflatePending = true;
  }

  /** The bytes kept, as a view (valid until the next add). */
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  get full(): boolean {
    return this.limit > 0 && this.length >= this.limit;
  }

  /** Adds raw body bytes (after de-chunking): decompressed first when the message is encoded. */
  add(src: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (this.deflatePending) {
      // zlib header: CM 8 and a header checksum divisible by 31; anything else is raw deflate
      if (this.headByte < 0) {
        this.headByte = src[from];
        if (to - from < 2) return;
        from++;
      }
      const cmf = this.headByte;
      const flg = src[from];
      const wrapped = (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
      this.deflatePending = false;
      this.inflater = wrapped
        ? new Unzlib((chunk) => this.keepDecoded(chunk))
        : new Inflate((chunk) => this.keepDecoded(chunk));
      this.push(Uint8Array.of(cmf));
    }
    if (this.inflater !== null) {
      this.push(src.subarray(from, to));
      return;
    }
    this.keep(src, from, to);
  }

  private push(chunk: Uint8Array): void {
    if (this.decodeStopped || this.inflater === null) return;
    try {
      this.inflater.push(chunk, false);
    } catch {
      this.decodeStopped = true;
      this.decodeError = true;
    }
  }

  private keepDecoded(chunk: Uint8Array): void {
    if (this.decodeStopped) return;
    let n = chunk.length;
    if (this.decodeLimit > 0 && this.decoded + n > this.decodeLimit) {
      n = this.decodeLimit - this.decoded;
      this.decodeStopped = true;
      this.decodeLimitHit = true;
    }
    this.decoded += n;
    this.keep(chunk, 0, n);
  }

  private keep(src: Uint8Array, from: number, to: number): void {
    let n = to - from;
    if (this.limit > 0 && this.length + n > this.limit) {
      const room = Math.max(0, this.limit - this.length);
      this.dropped += n - room;
      n = room;
    }
    if (n <= 0) return;
    if (this.length + n > this.data.length) {
      let size = this.data.length * 2;
      while (size < this.length + n) size *= 2;
      if (this.limit > 0) size = Math.min(size, this.limit);
      const nb = new Uint8Array(size);
      nb.set(this.data.subarray(0, this.length), 0);
      this.data = nb;
    }
    this.data.set(src.subarray(from, from + n), this.length);
    this.length += n;
  }
}
