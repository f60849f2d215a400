/**
 * Message body framing (RFC 9112 section 6): where a body ends, so that a proxy forwards exactly
 * the body and treats what follows as the next message. Sans-I/O; one instance per direction of
 * a connection, reused for every message.
 *
 * The chunked decoder is strict (hex size, optional extensions, CRLF everywhere, bounded
 * size lines and trailers): lenient chunk parsing is the other classic smuggling vector.
 */
import { MAX_CHUNK_LINE, MAX_TRAILER_BYTES } from './limits.js';

export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;
/** The body ends when the sender closes the connection (responses only). */
export const BODY_CLOSE = 3;

/** Receives the decoded body bytes `buf[start, end)` (data only, without chunk framing). */
export type BodySink = (buf: Buffer, start: number, end: number) => void;

const S_SIZE = 0;
const S_SIZE_WS = 1;
const S_EXT = 2;
const S_SIZE_LF = 3;
const S_DATA = 4;
const S_DATA_CR = 5;
const S_DATA_LF = 6;
const S_TRAILER_START = 7;
const S_TRAILER = 8;
const S_TRAILER_LF = 9;
const S_END_LF = 10;

// 2^40 bytes: larger than any real chunk, small enough to stay exact in a double
const MAX_CHUNK_SIZE = 2 ** 40;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class BodyFramer {
  mode = BODY_NONE;
  /** LENGTH: bytes left; CHUNKED: bytes left in the current chunk. */
  remaining = 0;
  /** The body is complete. */
  done = true;
  /** Why the body is malformed, when {@link consume} returned -1. */
  error = '';
  /** Decoded body bytes go here when set (cache capture, de-chunking for HTTP/1.0 clients). */
  sink: BodySink | null = null;
  /** Decoded body bytes seen so far. */
  bodyBytes = 0;
  private state = S_SIZE;
  private size = 0;
  private digits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;

  /** No body (HEAD responses, 1xx/204/304, requests without length). */
  startNone(): void {
    this.init(BODY_NONE);
    this.done = true;
  }

  startLength(n: number): void {
    this.init(BODY_LENGTH);
    this.remaining = n;
    this.done = n === 0;
  }

  startChunked(): void {
    this.init(BODY_CHUNKED);
    this.state = S_SIZE;
    this.size = 0;
    this.digits = 0;
    this.lineBytes = 0;
    this.trailerBytes = 0;
  }

  startClose(): void {
    this.init(BODY_CLOSE);
  }

  private init(mode: number): void {
    this.mode = mode;
    this.remaining = 0;
    this.done = false;
    this.error = '';
    this.bodyBytes = 0;
  }

  /** Marks a close-delimited body complete (the sender closed). Other modes stay incomplete. */
  finishOnClose(): boolean {
    if (this.mode === BODY_CLOSE) this.done = true;
    return this.done;
  }

  /**
   * Consumes body bytes from `buf[start, end)`. Returns how many of them belong to this body
   * (the rest, once {@link done}, starts the next message), or -1 when the body is malformed.
   */
  consume(buf: Buffer, start: number, end: number): number {
    if (this.done) return 0;
    switch (this.mode) {
      case BODY_LENGTH: {
        const n = Math.min(this.remaining, end - start);
        this.remaining -= n;
        this.bodyBytes += n;
        if (n > 0 && this.sink !== null) this.sink(buf, start, start + n);
        if (this.remaining === 0) this.done = true;
        return n;
      }
      case BODY_CLOSE:
        this.bodyBytes += end - start;
        if (end > start && this.sink !== null) this.sink(buf, start, end);
        return end - start;
      case BODY_CHUNKED:
        return this.consumeChunked(buf, start, end);
      default:
        this.done = true;
        return 0;
    }
  }

  private bad(why: string): number {
    this.error = why;
    return -1;
  }

  private consumeChunked(buf: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end) {
      const c = buf[i];
      switch (this.state) {
        case S_SIZE: {
          const v = hexValue(c);
          if (v >= 0) {
            this.size = this.size * 16 + v;
            if (this.size > MAX_CHUNK_SIZE) return this.bad('chunk size too large');
            this.digits++;
          } else if (this.digits === 0) {
            return this.bad('invalid chunk size');
          } else if (c === 13) {
            this.state = S_SIZE_LF;
          } else if (c === 59) {
            this.state = S_EXT;
          } else if (c === 32 || c === 9) {
            this.state = S_SIZE_WS;
          } else {
            return this.bad('invalid chunk size');
          }
          if (++this.lineBytes > MAX_CHUNK_LINE) return this.bad('chunk size line too long');
          i++;
          break;
        }
        case S_SIZE_WS:
          // only whitespace before a chunk extension is allowed after the size (RFC 9112 BWS)
          if (c === 59) this.state = S_EXT;
          else if (c !== 32 && c !== 9) return this.bad('invalid chunk size line');
          if (++this.lineBytes > MAX_CHUNK_LINE) return this.bad('chunk size line too long');
          i++;
          break;
        case S_EXT:
          if (c === 13) this.state = S_SIZE_LF;
          else if ((c < 32 && c !== 9) || c === 127) return this.bad('invalid chunk extension');
          if (++this.lineBytes > MAX_CHUNK_LINE) return this.bad('chunk extension too long');
          i++;
          break;
        case S_SIZE_LF:
          if (c !== 10) return this.bad('chunk size line must end with CRLF');
          i++;
          if (this.size === 0) {
            this.state = S_TRAILER_START;
          } else {
            this.remaining = this.size;
            this.state = S_DATA;
          }
          this.size = 0;
          this.digits = 0;
          this.lineBytes = 0;
          break;
        case S_DATA: {
          const n = Math.min(this.remaining, end - i);
          if (this.sink !== null) this.sink(buf, i, i + n);
          this.bodyBytes += n;
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = S_DATA_CR;
          break;
        }
        case S_DATA_CR:
          if (c !== 13) return this.bad('chunk data not followed by CRLF');
          this.state = S_DATA_LF;
          i++;
          break;
        case S_DATA_LF:
          if (c !== 10) return this.bad('chunk data not followed by CRLF');
          this.state = S_SIZE;
          i++;
          break;
        case S_TRAILER_START:
          if (c === 13) this.state = S_END_LF;
          else if (c === 10) return this.bad('bare LF in chunked trailer');
          else this.state = S_TRAILER;
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.bad('chunked trailer too large');
          i++;
          break;
        case S_TRAILER:
          if (c === 13) this.state = S_TRAILER_LF;
          else if ((c < 32 && c !== 9) || c === 127) return this.bad('invalid character in chunked trailer');
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.bad('chunked trailer too large');
          i++;
          break;
        case S_TRAILER_LF:
          if (c !== 10) return this.bad('trailer line must end with CRLF');
          this.state = S_TRAILER_START;
          i++;
          break;
        case S_END_LF:
          if (c !== 10) return this.bad('chunked body must end with CRLF');
          i++;
          this.done = true;
          return i - start;
      }
    }
    return i - start;
  }
}

/**
 * Sets up `framer` for a request body: chunked, Content-Length, or none (RFC 9112 6.3: a
 * request without either has no body).
 */
export function frameRequestBody(
  framer: BodyFramer,
  head: { chunked: boolean; hasTransferEncoding: boolean; contentLength: number },
): void {
  if (head.hasTransferEncoding) framer.startChunked();
  else if (head.contentLength > 0) framer.startLength(head.contentLength);
  else framer.startNone();
}

/**
 * Sets up `framer` for a response body given the request method and status (RFC 9112 6.3):
 * HEAD, 1xx, 204 and 304 have none; then chunked, Content-Length, or until close.
 */
export function frameResponseBody(
  framer: BodyFramer,
  head: { status: number; chunked: boolean; hasTransferEncoding: boolean; contentLength: number },
  requestMethod: string,
): void {
  const s = head.status;
  if (requestMethod === 'HEAD' || s < 200 || s === 204 || s === 304) framer.startNone();
  else if (head.hasTransferEncoding) {
    if (head.chunked) framer.startChunked();
    else framer.startClose();
  } else if (head.contentLength >= 0) framer.startLength(head.contentLength);
  else framer.startClose();
}
