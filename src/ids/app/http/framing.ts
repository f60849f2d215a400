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
  /**
   * Response side: a line before the status line that libhtp takes as body data of the
   * response (`src[from, to)`, read during the call only); `last`: nothing follows it in this
   * piece of input, so libhtp finishes that response there.
   */
  onJunkBody(src: Uint8Array, from: number, to: number, last: boolean): void;
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
  /** A response is complete but libhtp still looks at the next line (response_finalize). */
  FINALIZE: 8,
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
  /** The rest of the input after the line being handled (lineDone reads it, libhtp peeks at it). */
  private rest: Uint8Array = EMPTY;
  private restFrom = 0;
  private restTo = 0;
  /**
   * The head ended on a whitespace line: one LF right after it belongs to the head (1); or on
   * libhtp's deformed line end "\n\r\r\n": an LF or CRLF right after it does (2).
   */
  private skipLf = 0;

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
    if (this.remaining === 0) this.afterSized(true);
    return true;
  }

  feed(b: Uint8Array, from: number, to: number): void {
    this.feedInner(b, from, to);
    // libhtp finishes a response whose body ended exactly at the end of its input
    if (this.state === S.FINALIZE) this.finishResponse();
  }

  private finishResponse(): void {
    this.state = S.HEAD;
    this.handler.onComplete(false);
  }

  /** Done with a message: a response first goes through libhtp's finalize step. */
  private messageDone(): void {
    if (this.toServer) {
      this.state = S.HEAD;
      this.handler.onComplete(true);
    } else this.state = S.FINALIZE;
  }

  private feedInner(b: Uint8Array, from: number, to: number): void {
    let i = from;
    if (this.skipLf !== 0 && i < to) i = this.skipEol(b, i, to);
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
            this.rest = b;
            this.restFrom = i;
            this.restTo = to;
            this.lineDone();
            this.rest = EMPTY;
            this.restFrom = this.restTo = 0;
            if (this.skipLf !== 0 && i < to) i = this.skipEol(b, i, to);
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
        case S.FINALIZE: {
          // libhtp's response_finalize: a line after a complete response that does not start
          // like a status line ("http" after blanks and NULs) is more body of that response
          // (http-evader-248: data beyond Content-Length); from a bare LF on, all of the input
          let e = to;
          if (b[i] !== LF) {
            const lf = b.indexOf(LF, i);
            if (lf >= 0 && lf < to) e = lf + 1;
          }
          if (looksLikeStatusLine(b, i, e, e === to && b[e - 1] !== LF)) {
            this.finishResponse();
            break;
          }
          this.handler.onBody(false, b, i, e);
          i = e;
          break;
        }
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

  private skipEol(b: Uint8Array, i: number, to: number): number {
    const crlf = this.skipLf === 2;
    this.skipLf = 0;
    if (b[i] === LF) return i + 1;
    if (crlf && b[i] === CR && i + 1 < to && b[i + 1] === LF) return i + 2;
    return i;
  }

  private afterSized(gap = false): void {
    if (this.state === S.CHUNK_DATA) {
      this.state = S.CHUNK_END;
      return;
    }
    if (gap) {
      this.state = S.HEAD;
      this.handler.onComplete(this.toServer);
    } else this.messageDone();
  }

  /**
   * libhtp's response_line on the line in `acc` (split at CR, LF or CRLF as libhtp does there):
   * empty lines are ignored; a line that does not start like a status line is ignored when
   * more than one byte follows it and that starts with "H" or the line has at most two
   * characters (http-evader-481..494: junk before "HTTP/1.1"), else it is body data of the
   * response. What is left starts with the status line. Returns false when nothing is left.
   */
  private skipJunkLines(): boolean {
    const a = this.acc;
    const n = this.accLen;
    let s = 0;
    while (s < n) {
      let e = s;
      while (e < n && a[e] !== CR && a[e] !== LF) e++;
      const ee = a[e] === CR && e + 1 < n && a[e + 1] === LF ? e + 2 : e + 1;
      if (e > s && looksLikeStatusLine(a, s, e, false)) break;
      if (e > s) {
        const restLen = n - ee + (this.restTo - this.restFrom);
        const next = ee < n ? a[ee] : this.rest[this.restFrom];
        if (!(restLen > 1 && (next === 0x48 || e - s <= 2))) this.handler.onJunkBody(a, s, ee, restLen === 0);
      }
      s = ee;
    }
    if (s === 0) return true;
    a.copyWithin(0, s, n);
    this.accLen = n - s;
    return this.accLen > 0;
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
    // response heads: "\n\r" is one line end (libhtp), so "\r\r\n" after a bare LF is the
    // empty line (http-evader-411)
    const empty =
      len === 1 ||
      (len === 2 && a[ls] === CR) ||
      (len === 3 &&
        !this.toServer &&
        this.state === S.HEAD &&
        ls >= 2 &&
        a[ls] === CR &&
        a[ls + 1] === CR &&
        a[ls - 1] === LF &&
        a[ls - 2] !== CR);
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
      this.messageDone();
      return;
    }
    // head
    if (ls === 0 && !this.toServer && !empty && !this.skipJunkLines()) return;
    if (wsEnd) this.skipLf = 1;
    else if (len === 3 && empty) this.skipLf = 2;
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
    else if (body === Body.NONE || body === 0) this.messageDone();
    else if (body === Body.CHUNKED) this.state = S.CHUNK_SIZE;
    else if (body === Body.UNTIL_CLOSE) this.state = S.UNTIL_CLOSE;
    else {
      this.state = S.LENGTH;
      this.remaining = body;
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * libhtp's test for a status line (treat_response_line_as_body negated): "http", any case,
 * after blanks (C isspace) and NULs. With `partial`, input that may still become one (a prefix
 * of it) counts too.
 */
function looksLikeStatusLine(b: Uint8Array, from: number, to: number, partial: boolean): boolean {
  let i = from;
  while (i < to && (b[i] === 0x20 || b[i] === 0 || (b[i] >= 0x09 && b[i] <= CR))) i++;
  for (let k = 0; k < 4; k++, i++) {
    if (i >= to) return partial;
    if ((b[i] | 0x20) !== HTTP_LOWER[k]) return false;
  }
  return true;
}

const HTTP_LOWER = [0x68, 0x74, 0x74, 0x70];

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
