/**
 * Message framing of one direction of an HTTP/1.x connection: finds the end of each head,
 * then walks the body by Content-Length, chunked coding (sizes, extensions, trailers) or
 * until the connection closes, handing the pieces to a {@link FramingHandler}. It keeps only
 * an unfinished head (or chunk-size / trailer line) between calls, so input may be split
 * anywhere.
 */
import { isHttp09RequestLine } from './head.js';

/** How the body of the message whose head was just parsed is delimited. */
export const Body = {
  /** No body: the message is complete at its head. */
  NONE: -1,
  CHUNKED: -2,
  /** Until the connection closes (responses without length). */
  UNTIL_CLOSE: -3,
  /** Stop parsing this direction: malformed, or the connection left HTTP (tunnel). */
  STOP: -4,
} as const;

export interface FramingHandler {
  /**
   * A complete head (`head` is a fresh copy the handler may keep). Returns the body length
   * (>= 0: Content-Length) or a {@link Body} value.
   */
  onHead(toServer: boolean, head: Uint8Array): number;
  /** De-chunked body bytes `src[from, to)` (read during the call only). */
  onBody(toServer: boolean, src: Uint8Array, from: number, to: number): void;
  /** Trailer lines (a fresh copy, ending with the empty line). */
  onTrailers(toServer: boolean, block: Uint8Array): void;
  /** The message is complete. */
  onComplete(toServer: boolean): void;
  /** The direction stopped on malformed framing (reason for the flags). */
  onInvalid(toServer: boolean, what: 'head-too-long' | 'chunk-size'): void;
}

const S = {
  HEAD: 0,
  LENGTH: 1,
  CHUNK_SIZE: 2,
  CHUNK_DATA: 3,
  CHUNK_END: 4,
  TRAILERS: 5,
  UNTIL_CLOSE: 6,
  STOPPED: 7,
} as const;

const LF = 0x0a;
const CR = 0x0d;
const CRLF2 = Uint8Array.of(CR, LF, CR, LF);

export class Framing {
  private state: number = S.HEAD;
  /** Unfinished head / chunk-size line / trailer block. */
  private acc = new Uint8Array(1024);
  private accLen = 0;
  /** Where the line being accumulated starts in `acc`. */
  private lineStart = 0;
  /** Body or chunk bytes still expected. */
  private remaining = 0;
  /** The head ended on a whitespace line: one LF right after it belongs to the head. */
  private skipLf = false;

  constructor(
    readonly toServer: boolean,
    private readonly handler: FramingHandler,
    private readonly maxHead: number,
  ) {}

  get stopped(): boolean {
    return this.state === S.STOPPED;
  }

  /** Between messages (nothing of the next head received yet). */
  get idle(): boolean {
    return this.state === S.HEAD && this.accLen === 0;
  }

  /** The body is read until the connection closes. */
  get untilClose(): boolean {
    return this.state === S.UNTIL_CLOSE;
  }

  /** In a body of known size (Content-Length or chunk data): a gap can be skipped there. */
  get inSizedBody(): boolean {
    return this.state === S.LENGTH || this.state === S.CHUNK_DATA;
  }

  stop(): void {
    this.state = S.STOPPED;
    this.accLen = 0;
  }

  /** Skips `n` bytes of a sized body (a stream gap). Returns false when they do not fit there. */
  skip(n: number): boolean {
    if (!this.inSizedBody || n > this.remaining) return false;
    this.remaining -= n;
    if (this.remaining === 0) this.afterSized();
    return true;
  }

  feed(b: Uint8Array, from: number, to: number): void {
    let i = from;
    if (this.skipLf && i < to) {
      this.skipLf = false;
      if (b[i] === LF) i++;
    }
    while (i < to) {
      switch (this.state) {
        case S.HEAD:
        case S.CHUNK_SIZE:
        case S.TRAILERS: {
          const lf = b.indexOf(LF, i);
          const stop = lf < 0 || lf >= to ? to : lf + 1;
          this.append(b, i, stop);
          i = stop;
          if (stop === lf + 1) {
            this.lineDone();
            if (this.skipLf && i < to) {
              this.skipLf = false;
              if (b[i] === LF) i++;
            }
          } else if (this.accLen > this.maxHead) {
            this.handler.onInvalid(this.toServer, 'head-too-long');
            this.stop();
          }
          break;
        }
        case S.LENGTH:
        case S.CHUNK_DATA: {
          const n = Math.min(this.remaining, to - i);
          this.handler.onBody(this.toServer, b, i, i + n);
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.afterSized();
          break;
        }
        case S.CHUNK_END: {
          // the line end after chunk data; anything before the LF is tolerated (libhtp)
          const lf = b.indexOf(LF, i);
          if (lf < 0 || lf >= to) return;
          i = lf + 1;
          this.state = S.CHUNK_SIZE;
          break;
        }
        case S.UNTIL_CLOSE:
          this.handler.onBody(this.toServer, b, i, to);
          return;
        default:
          return;
      }
    }
  }

  /** The direction ended: a body read until close completes. Returns true when a message was cut. */
  end(): boolean {
    if (this.state === S.UNTIL_CLOSE) {
      this.state = S.HEAD;
      this.handler.onComplete(this.toServer);
      return false;
    }
    if (
      this.state === S.CHUNK_SIZE &&
      !this.toServer &&
      this.accLen > 0 &&
      chunkSize(this.acc, 0, this.accLen) === -1
    ) {
      // an unterminated junk chunk-size line: identity body until close, as above
      this.handler.onBody(this.toServer, this.acc, 0, this.accLen);
      this.accLen = 0;
      this.state = S.HEAD;
      this.handler.onComplete(this.toServer);
      return false;
    }
    if (this.state === S.HEAD && this.lineStart > 0) {
      // libhtp, on close inside the headers, finishes the head it has (the partial last
      // header line included): the request line and headers become inspectable.
      const partial = this.accLen > this.lineStart;
      this.feed(CRLF2, partial ? 0 : 2, 4);
      if (this.state === S.HEAD && this.accLen === 0) return false;
      if ((this.state as number) === S.UNTIL_CLOSE) return this.end(); // feed() moved the state
    }
    const cut = !(this.state === S.HEAD && this.accLen === 0) && this.state !== S.STOPPED;
    this.stop();
    return cut;
  }

  private afterSized(): void {
    if (this.state === S.CHUNK_DATA) {
      this.state = S.CHUNK_END;
      return;
    }
    this.state = S.HEAD;
    this.handler.onComplete(this.toServer);
  }

  private append(b: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.accLen + n > this.acc.length) {
      let size = this.acc.length * 2;
      while (size < this.accLen + n) size *= 2;
      const nb = new Uint8Array(size);
      nb.set(this.acc.subarray(0, this.accLen), 0);
      this.acc = nb;
    }
    this.acc.set(b.subarray(from, to), this.accLen);
    this.accLen += n;
  }

  /** A line ending in LF was appended at `lineStart`. */
  private lineDone(): void {
    const a = this.acc;
    const ls = this.lineStart;
    const len = this.accLen - ls;
    const empty = len === 1 || (len === 2 && a[ls] === CR);
    // libhtp: a line of one space or tab and a bare LF also ends a head; an LF right after
    // it is the real end and is skipped (http-evader-425, -432). " \r\n" stays a folding line.
    const wsEnd = len === 2 && (a[ls] === 0x20 || a[ls] === 0x09) && ls > 0 && this.state === S.HEAD;
    if (this.state === S.CHUNK_SIZE) {
      const size = chunkSize(a, ls, this.accLen);
      this.accLen = 0;
      this.lineStart = 0;
      if (size === -2) return; // an empty line before the size: tolerated
      if (size < 0 && !this.toServer) {
        // libhtp: a response whose chunk size is junk is read as identity until close, from
        // the junk line on (http-evader: "Transfer-Encoding: x chunked" over a plain body)
        this.state = S.UNTIL_CLOSE;
        this.handler.onBody(this.toServer, a, ls, ls + len);
        return;
      }
      if (size < 0) {
        this.handler.onInvalid(this.toServer, 'chunk-size');
        this.stop();
        return;
      }
      if (size === 0) this.state = S.TRAILERS;
      else {
        this.state = S.CHUNK_DATA;
        this.remaining = size;
      }
      return;
    }
    if (this.state === S.TRAILERS) {
      if (!empty) {
        this.lineStart = this.accLen;
        return;
      }
      if (this.accLen > len) this.handler.onTrailers(this.toServer, a.slice(0, this.accLen));
      this.accLen = 0;
      this.lineStart = 0;
      this.state = S.HEAD;
      this.handler.onComplete(this.toServer);
      return;
    }
    // head
    if (wsEnd) this.skipLf = true;
    if (empty && ls === 0) {
      this.accLen = 0; // blank lines between messages are skipped
      return;
    }
    if (!empty && !wsEnd && !(ls === 0 && this.toServer && isHttp09RequestLine(a, this.accLen - 1))) {
      this.lineStart = this.accLen;
      if (this.accLen > this.maxHead) {
        this.handler.onInvalid(this.toServer, 'head-too-long');
        this.stop();
      }
      return;
    }
    const head = a.slice(0, this.accLen);
    this.accLen = 0;
    this.lineStart = 0;
    const body = this.handler.onHead(this.toServer, head);
    if (this.state === S.STOPPED) return; // the handler stopped this direction
    if (body === Body.STOP) this.stop();
    else if (body === Body.NONE || body === 0) this.handler.onComplete(this.toServer);
    else if (body === Body.CHUNKED) this.state = S.CHUNK_SIZE;
    else if (body === Body.UNTIL_CLOSE) this.state = S.UNTIL_CLOSE;
    else {
      this.state = S.LENGTH;
      this.remaining = body;
    }
  }
}

/**
 * Chunk size of the line `a[from, to)`: leading whitespace, hex digits, and whatever follows
 * (an extension after `;`, or garbage) ignored, as libhtp does (Suricata's http-evader tests
 * expect "fx" to read as 0xf). -1 when there is no digit, -2 for an empty line.
 */
function chunkSize(a: Uint8Array, from: number, to: number): number {
  let i = from;
  // leading whitespace (C isspace: a stray CR or FF included) is skipped (libhtp)
  while (i < to && (a[i] === 0x20 || (a[i] >= 0x09 && a[i] <= CR))) i++;
  let n = 0;
  let digits = 0;
  for (; i < to; i++) {
    const c = a[i];
    const v =
      c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (v < 0) break;
    n = n * 16 + v;
    digits++;
  }
  if (digits === 0) {
    for (let k = from; k < to; k++)
      if (a[k] !== CR && a[k] !== LF && a[k] !== 0x20 && a[k] !== 0x09) return -1;
    return -2;
  }
  return digits > 12 ? -1 : n;
}
