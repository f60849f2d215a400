/**
 * A message body as the detector sees it: de-chunked bytes, decompressed when the message
 * says gzip or deflate, kept up to the body limit. Decompression is incremental (fflate's
 * streaming inflaters: node:zlib has no synchronous incremental API), so a body cut anywhere
 * yields what is decodable so far.
 *
 * Like libhtp, each layer looks at its first bytes rather than trusting the label: gzip magic,
 * a zlib header, or else raw deflate; and a layer whose data fails to decode before producing
 * anything passes its input through unchanged (a body labelled gzip that is not compressed).
 * Several encodings ("gzip, deflate", or repeated headers) chain one layer each, up to
 * {@link MAX_LAYERS} (Suricata's `response-body-decompress-layer-limit`, default 2).
 */
import { Gunzip, Inflate, Unzlib } from 'fflate';

export const MAX_LAYERS = 2;

/**
 * The decompression layers a Content-Encoding value asks for, in the order listed: true for
 * deflate (raw deflate allowed), false for gzip. As libhtp reads it: the whole value equal to
 * gzip / x-gzip / deflate / x-deflate with NUL bytes ignored is one layer; otherwise each
 * token (split on commas and spaces) containing "gzip" or "deflate" is a layer, at most
 * `maxLayers` (further tokens are ignored).
 */
export function encodingLayers(v: string | undefined, maxLayers = MAX_LAYERS): boolean[] {
  const out: boolean[] = [];
  if (v === undefined) return out;
  const whole = v.replaceAll('\0', '').toLowerCase();
  if (whole === 'gzip' || whole === 'x-gzip') return [false];
  if (whole === 'deflate' || whole === 'x-deflate') return [true];
  if (whole === 'lzma' || whole === 'inflate') return out;
  let layers = 0;
  for (const tok of v.toLowerCase().split(/[ ,]/)) {
    if (tok === '') continue;
    if (++layers > maxLayers) break;
    if (tok.includes('gzip')) out.push(false);
    else if (tok.includes('deflate')) out.push(true);
  }
  return out;
}

type Sink = (chunk: Uint8Array) => void;

/** One decompression layer. */
class Layer {
  private inflater: Gunzip | Inflate | Unzlib | null = null;
  private first = -1;
  private held: Uint8Array[] | null = [];
  private heldBytes = 0;
  private produced = 0;
  passthrough = false;
  failed = false;

  /**
   * @param allowRaw the label is deflate: data that is neither gzip nor zlib is taken as raw
   *   deflate (which decodes almost any bytes, so a gzip label never falls back to it)
   */
  constructor(
    private readonly out: Sink,
    private readonly holdLimit: number,
    private readonly allowRaw: boolean,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.failed) return;
    if (this.passthrough) {
      this.out(chunk);
      return;
    }
    if (this.inflater === null) {
      // the format is decided on the first two bytes
      if (this.first < 0) {
        this.first = chunk[0];
        if (chunk.length < 2) return;
        chunk = chunk.subarray(1);
      }
      const b0 = this.first;
      const b1 = chunk[0];
      const emit: Sink = (c) => {
        this.produced += c.length;
        this.out(c);
      };
      if (b0 === 0x1f && b1 === 0x8b) this.inflater = new Gunzip(emit);
      else if ((b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0) this.inflater = new Unzlib(emit);
      else if (this.allowRaw) this.inflater = new Inflate(emit);
      else {
        this.passthrough = true;
        this.out(Uint8Array.of(b0));
        this.out(chunk);
        return;
      }
      this.feed(Uint8Array.of(b0));
    }
    this.feed(chunk);
  }

  /**
   * The body ended. A layer that decoded nothing (raw deflate waiting on a "stored block"
   * that is really plain text) passes its input through, as libhtp does for a body labelled
   * compressed that is not.
   */
  finish(): void {
    if (this.passthrough || this.failed) return;
    if (this.inflater === null) {
      if (this.first >= 0) {
        this.passthrough = true;
        this.out(Uint8Array.of(this.first));
      }
      return;
    }
    if (this.produced === 0 && this.held !== null) {
      this.passthrough = true;
      const held = this.held;
      this.held = null;
      for (const h of held) this.out(h);
    }
  }

  private feed(chunk: Uint8Array): void {
    if (this.held !== null && (this.holdLimit === 0 || this.heldBytes < this.holdLimit)) {
      this.held.push(chunk.slice());
      this.heldBytes += chunk.length;
    }
    try {
      this.inflater?.push(chunk, false);
    } catch {
      if (this.produced === 0 && this.held !== null) {
        this.passthrough = true;
        const held = this.held;
        this.held = null;
        for (const h of held) this.out(h);
      } else {
        this.failed = true;
      }
    }
    if (this.produced > 0) this.held = null;
  }
}

export class BodyBuffer {
  /** Bytes kept (at most `limit`). */
  data: Uint8Array;
  length = 0;
  /** Bytes offered after the limit was reached (not kept). */
  dropped = 0;
  /** Decompressed bytes produced so far (by the last layer). */
  decoded = 0;
  /** A layer failed after producing output: later bytes are ignored. */
  decodeError = false;
  /** A layer was not compressed after all and passed its input through. */
  passedThrough = false;
  decodeLimitHit = false;
  private readonly layers: Layer[] = [];

  constructor(
    private readonly limit: number,
    layers: readonly boolean[],
    private readonly decodeLimit: number,
  ) {
    this.data = new Uint8Array(Math.min(limit > 0 ? limit : 4096, 4096));
    let sink: Sink = (c) => this.keepDecoded(c);
    // the last encoding listed was applied last: it is undone first
    for (let i = 0; i < layers.length; i++) {
      const layer = new Layer(sink, limit, layers[i]);
      this.layers.unshift(layer);
      sink = (c) => layer.push(c);
    }
  }

  /** The bytes kept, as a view (valid until the next add). */
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  /** Adds raw body bytes (after de-chunking): decompressed first when the message is encoded. */
  add(src: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (this.layers.length === 0) {
      this.keep(src, from, to);
      return;
    }
    this.layers[0].push(src.subarray(from, to));
    for (const l of this.layers) {
      if (l.failed) this.decodeError = true;
      if (l.passthrough) this.passedThrough = true;
    }
  }

  /** The body is complete: layers that decoded nothing pass their input through. */
  finish(): void {
    for (const l of this.layers) {
      l.finish();
      if (l.passthrough) this.passedThrough = true;
    }
  }

  private keepDecoded(chunk: Uint8Array): void {
    if (this.decodeLimitHit) return;
    let n = chunk.length;
    if (this.decodeLimit > 0 && this.decoded + n > this.decodeLimit) {
      n = this.decodeLimit - this.decoded;
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
