/**
 * Incremental HTTP/1.x parser for one flow: the engine feeds it the reassembled bytes of each
 * direction, split anywhere (one byte at a time works), and reads the progress events that
 * result. Malformed input never throws: the transaction is flagged, and where libhtp would
 * give up the direction stops being parsed (counted in {@link HttpStats}).
 *
 * ```ts
 * const http = new HttpParser(cfg, stats);              // one per flow
 * http.feed(toServer, bytes);                           // reassembled data, any split
 * for (let i = 0; i < http.eventCount; i++) {
 *   const ev = http.events[i];                          // { kind: HttpProgress, tx, toServer }
 *   setHttpRequestBuffers(input.buffers, ev.tx.request);
 *   if (ev.tx.response) setHttpResponseBuffers(input.buffers, ev.tx.response);
 *   det.detect(input, out, firedByTx(ev.tx.id));
 * }
 * http.clearEvents();                                   // completed transactions are then dropped
 * ```
 */
import { BodyBuffer, encodingLayers } from './body.js';
import { type HttpConfig, httpConfig } from './config.js';
import { Body, Framing, type FramingHandler } from './framing.js';
import { parseContentLength, parseHeaderLines, parseRequestHead, parseResponseHead } from './head.js';
import { HttpStats } from './stats.js';
import {
  HttpProgress,
  type HttpRequest,
  HttpResponse,
  HttpTransaction,
  HttpTxFlag,
  headerValue,
} from './transaction.js';
import { normalizeUri } from './uri.js';

/** One progress event. The objects are reused: read them before {@link HttpParser.clearEvents}. */
export interface HttpEvent {
  /** {@link HttpProgress} value. */
  kind: number;
  tx: HttpTransaction;
  /** The side that progressed (request side = true). */
  toServer: boolean;
}

const INVALID_FLAGS =
  HttpTxFlag.REQUEST_INVALID |
  HttpTxFlag.RESPONSE_INVALID |
  HttpTxFlag.CHUNK_INVALID |
  HttpTxFlag.CONTENT_LENGTH_INVALID |
  HttpTxFlag.DECOMPRESS_FAILED |
  HttpTxFlag.HEADER_INVALID |
  HttpTxFlag.STATUS_INVALID |
  HttpTxFlag.RESPONSE_WITHOUT_REQUEST;

export class HttpParser implements FramingHandler {
  readonly config: HttpConfig;
  readonly stats: HttpStats;
  /** Events since the last {@link clearEvents}, in order; entries past {@link eventCount} are stale. */
  readonly events: HttpEvent[] = [];
  eventCount = 0;
  /** The request (to-server) side stopped parsing on malformed input or a tunnel. */
  requestStopped = false;
  /** The response side stopped parsing. */
  responseStopped = false;

  private readonly req: Framing;
  private readonly res: Framing;
  /** Open transactions, oldest first. */
  private txs: HttpTransaction[] = [];
  private nextId = 0;
  /** Transaction whose request / response is being read. */
  private reqTx: HttpTransaction | null = null;
  private resTx: HttpTransaction | null = null;
  private reqBody: BodyBuffer | null = null;
  private resBody: BodyBuffer | null = null;
  /** The body of the current request / response grew since its last BODY event. */
  private reqGrew = false;
  private resGrew = false;

  constructor(config: Partial<HttpConfig> | HttpConfig = {}, stats: HttpStats = new HttpStats()) {
    this.config = httpConfig(config);
    this.stats = stats;
    this.req = new Framing(true, this, this.config.maxHeaderBytes);
    this.res = new Framing(false, this, this.config.maxHeaderBytes);
  }

  /**
   * Parses the next bytes of one direction. `data` is read during the call only (copied where
   * kept). Returns the number of events added.
   */
  feed(toServer: boolean, data: Uint8Array): number {
    const before = this.eventCount;
    const f = toServer ? this.req : this.res;
    if (!f.stopped && data.length > 0) {
      f.feed(data, 0, data.length);
      this.flushBodyEvent(toServer);
    }
    return this.eventCount - before;
  }

  /**
   * The direction ended (FIN, RST, end of flow): a response body read until close completes,
   * an unfinished message is flagged. Returns the number of events added.
   */
  end(toServer: boolean): number {
    const before = this.eventCount;
    const f = toServer ? this.req : this.res;
    const cut = f.end();
    if (cut) {
      const tx = toServer ? this.reqTx : this.resTx;
      if (tx) tx.flags |= HttpTxFlag.INCOMPLETE;
    }
    this.flushBodyEvent(toServer);
    return this.eventCount - before;
  }

  /**
   * `length` bytes of the direction were lost (a stream gap). Inside a body of known length
   * the body continues after the hole (flagged GAP); anywhere else the direction stops.
   */
  gap(toServer: boolean, length: number): number {
    const before = this.eventCount;
    const f = toServer ? this.req : this.res;
    if (f.stopped || length <= 0) return 0;
    this.stats.gaps++;
    const tx = toServer ? this.reqTx : this.resTx;
    if (tx) tx.flags |= HttpTxFlag.GAP;
    if (f.untilClose) return 0;
    if (f.idle) {
      // between messages: resynchronizing on a guessed request line is not attempted
      this.stopSide(toServer);
      return 0;
    }
    if (!f.skip(length)) this.stopSide(toServer);
    this.flushBodyEvent(toServer);
    return this.eventCount - before;
  }

  /** Forgets the events read; transactions complete on both sides leave the parser. */
  clearEvents(): void {
    for (let i = 0; i < this.eventCount; i++) this.events[i].tx = PLACEHOLDER;
    this.eventCount = 0;
    let k = 0;
    while (k < this.txs.length && this.done(this.txs[k])) k++;
    if (k > 0) this.txs.splice(0, k);
  }

  /** Transactions still held (incomplete on one side, or with unread events), oldest first. */
  transactions(): readonly HttpTransaction[] {
    return this.txs;
  }

  /** Transactions started so far on this flow (the next tx id). */
  get txCount(): number {
    return this.nextId;
  }

  private done(tx: HttpTransaction): boolean {
    const reqDone = tx.requestComplete || this.requestStopped;
    const resDone = tx.responseComplete || this.responseStopped;
    return reqDone && resDone && tx !== this.reqTx && tx !== this.resTx;
  }

  private emit(kind: number, tx: HttpTransaction, toServer: boolean): void {
    let ev = this.events[this.eventCount];
    if (ev === undefined) {
      ev = { kind, tx, toServer };
      this.events.push(ev);
    } else {
      ev.kind = kind;
      ev.tx = tx;
      ev.toServer = toServer;
    }
    this.eventCount++;
  }

  private flushBodyEvent(toServer: boolean): void {
    if (toServer && this.reqGrew && this.reqTx) {
      this.reqGrew = false;
      this.reqTx.requestProgress = HttpProgress.REQUEST_BODY;
      this.emit(HttpProgress.REQUEST_BODY, this.reqTx, true);
    } else if (!toServer && this.resGrew && this.resTx) {
      this.resGrew = false;
      this.resTx.responseProgress = HttpProgress.RESPONSE_BODY;
      this.emit(HttpProgress.RESPONSE_BODY, this.resTx, false);
    }
  }

  private stopSide(toServer: boolean): void {
    if (toServer) {
      if (!this.requestStopped) this.stats.invalidDirections++;
      this.requestStopped = true;
      this.req.stop();
    } else {
      if (!this.responseStopped) this.stats.invalidDirections++;
      this.responseStopped = true;
      this.res.stop();
    }
  }

  private flag(tx: HttpTransaction, bits: number): void {
    if ((tx.flags & INVALID_FLAGS) === 0 && (bits & INVALID_FLAGS) !== 0) this.stats.invalidTransactions++;
    tx.flags |= bits;
  }

  // ---- FramingHandler ------------------------------------------------------------------

  /** @internal */
  onHead(toServer: boolean, head: Uint8Array): number {
    return toServer ? this.requestHead(head) : this.responseHead(head);
  }

  private requestHead(head: Uint8Array): number {
    const tx = new HttpTransaction(this.nextId++);
    this.txs.push(tx);
    this.reqTx = tx;
    this.stats.transactions++;
    this.stats.requests++;
    const req = tx.request;
    this.flag(tx, parseRequestHead(head, req));
    req.normalizedUri = normalizeUri(req.rawUri);
    tx.requestProgress = HttpProgress.REQUEST_HEADERS;
    this.emit(HttpProgress.REQUEST_HEADERS, tx, true);
    if ((tx.flags & HttpTxFlag.REQUEST_INVALID) !== 0) {
      this.stopSide(true);
      return Body.STOP;
    }
    this.reqBody = null;
    if (isChunked(req.headers)) return this.startBody(true, tx, Body.CHUNKED);
    const cl = headerValue(req.headers, 'content-length');
    if (cl !== undefined) {
      const n = this.contentLength(tx, req.headers, cl);
      if (n < 0) {
        this.stopSide(true);
        return Body.STOP;
      }
      return n === 0 ? Body.NONE : this.startBody(true, tx, n);
    }
    return Body.NONE;
  }

  /** The pending request's transaction for the next response, or null. */
  private nextResponseTx(): HttpTransaction | null {
    return this.txs.find((t) => t.responseProgress === 0 && t.requestProgress > 0) ?? null;
  }

  private responseHead(head: Uint8Array): number {
    // a response begun by junk lines (onJunkBody) gets its status line now, as in libhtp
    const tx = this.resTx ?? this.nextResponseTx() ?? this.orphanResponseTx();
    const resp = new HttpResponse();
    const flags = parseResponseHead(head, resp);
    this.flag(tx, flags);
    if ((flags & HttpTxFlag.RESPONSE_INVALID) !== 0) {
      tx.response = resp;
      this.resTx = tx;
      this.stopSide(false);
      return Body.STOP;
    }
    const status = resp.status;
    const te = hasHeader(resp.headers, 'transfer-encoding');
    const clValue = headerValue(resp.headers, 'content-length');
    // libhtp: a 100 with Transfer-Encoding or a positive Content-Length is a final response,
    // and a 101 / 204 / 304 / 1xx announcing a body gets one ("Unexpected Response body")
    const announcesBody = te || clValue !== undefined;
    const interim =
      status >= 100 &&
      status < 200 &&
      status !== 101 &&
      !(status === 100 && (te || (clValue !== undefined && parseContentLength(clValue) > 0)));
    if (interim) {
      // interim (100 Continue...): the final response follows for the same transaction
      tx.interimResponses++;
      return Body.NONE;
    }
    this.stats.responses++;
    tx.response = resp;
    this.resTx = tx;
    this.resBody = null;
    tx.responseProgress = HttpProgress.RESPONSE_HEADERS;
    this.emit(HttpProgress.RESPONSE_HEADERS, tx, false);
    const method = Buffer.from(tx.request.method).toString('latin1').toUpperCase();
    if ((status === 101 && !announcesBody) || (method === 'CONNECT' && status >= 200 && status < 300)) {
      // the connection leaves HTTP: neither side is parsed any further
      this.flag(tx, HttpTxFlag.TUNNEL);
      this.complete(false);
      this.requestStopped = true;
      this.responseStopped = true;
      this.req.stop();
      return Body.STOP;
    }
    if (method === 'HEAD') return Body.NONE;
    if ((status < 200 || status === 204 || status === 304) && !announcesBody) return Body.NONE;
    if (isChunked(resp.headers)) return this.startBody(false, tx, Body.CHUNKED);
    const cl = headerValue(resp.headers, 'content-length');
    if (cl !== undefined) {
      const n = this.contentLength(tx, resp.headers, cl);
      if (n < 0) {
        this.stopSide(false);
        return Body.STOP;
      }
      return n === 0 ? Body.NONE : this.startBody(false, tx, n);
    }
    return this.startBody(false, tx, Body.UNTIL_CLOSE);
  }

  private contentLength(tx: HttpTransaction, headers: HttpRequest['headers'], first: string): number {
    const n = parseContentLength(first);
    let differs = false;
    for (const h of headers) {
      const name = typeof h.name === 'string' ? h.name : Buffer.from(h.name).toString('latin1');
      if (name.toLowerCase() === 'content-length' && parseContentLength(h.value) !== n) differs = true;
    }
    if (n < 0 || differs) this.flag(tx, HttpTxFlag.CONTENT_LENGTH_INVALID);
    return n;
  }

  private startBody(toServer: boolean, tx: HttpTransaction, framing: number): number {
    if (!this.config.keepBodies) {
      if (toServer) this.reqBody = null;
      else this.resBody = null;
      return framing;
    }
    const msg = toServer ? tx.request : (tx.response as HttpResponse);
    // repeated Content-Encoding headers are one list, as libhtp merges them
    let ce: string | undefined;
    for (const h of msg.headers) {
      const name = typeof h.name === 'string' ? h.name : Buffer.from(h.name).toString('latin1');
      if (name.replaceAll('\0', '').toLowerCase() !== 'content-encoding') continue; // libhtp: NULs ignored
      const v = typeof h.value === 'string' ? h.value : Buffer.from(h.value).toString('latin1');
      ce = ce === undefined ? v : `${ce}, ${v}`;
    }
    const enc = this.config.decompress ? encodingLayers(ce, this.config.decompressLayerLimit) : [];
    const limit = toServer ? this.config.requestBodyLimit : this.config.responseBodyLimit;
    const body = new BodyBuffer(limit, enc, this.config.decompressLimit);
    if (toServer) this.reqBody = body;
    else this.resBody = body;
    return framing;
  }

  /** @internal */
  onBody(toServer: boolean, src: Uint8Array, from: number, to: number): void {
    const tx = toServer ? this.reqTx : this.resTx;
    const body = toServer ? this.reqBody : this.resBody;
    if (tx === null) return;
    if (body === null) {
      // bodies not kept: only their length is counted (EVE http `length`, fileinfo)
      if (!this.config.keepBodies)
        (toServer ? tx.request : (tx.response as HttpResponse)).bodyLength += to - from;
      return;
    }
    const msg = toServer ? tx.request : (tx.response as HttpResponse);
    msg.bodyLength += to - from;
    const before = body.length;
    body.add(src, from, to);
    if ((body.decodeError || body.passedThrough) && (tx.flags & HttpTxFlag.DECOMPRESS_FAILED) === 0) {
      this.flag(tx, HttpTxFlag.DECOMPRESS_FAILED);
      this.stats.decompressErrors++;
    }
    if (body.decodeLimitHit) tx.flags |= HttpTxFlag.DECOMPRESS_LIMIT;
    const limitFlag = toServer ? HttpTxFlag.REQUEST_BODY_LIMIT : HttpTxFlag.RESPONSE_BODY_LIMIT;
    if (body.dropped > 0 && (tx.flags & limitFlag) === 0) {
      tx.flags |= limitFlag;
      this.stats.bodyLimitReached++;
    }
    if (body.length > before) {
      msg.body = body.view();
      if (toServer) this.reqGrew = true;
      else this.resGrew = true;
    }
  }

  /** A transaction for a response no request is waiting for (counted and flagged). */
  private orphanResponseTx(): HttpTransaction {
    const tx = new HttpTransaction(this.nextId++);
    this.txs.push(tx);
    this.stats.transactions++;
    this.stats.unmatchedResponses++;
    this.flag(tx, HttpTxFlag.RESPONSE_WITHOUT_REQUEST);
    return tx;
  }

  /** @internal */
  onJunkBody(src: Uint8Array, from: number, to: number, last: boolean): void {
    let tx = this.resTx;
    if (tx === null) {
      tx = this.nextResponseTx() ?? this.orphanResponseTx();
      this.stats.responses++;
      this.flag(tx, HttpTxFlag.RESPONSE_INVALID);
      tx.response = new HttpResponse();
      this.resTx = tx;
      // libhtp hands these lines to the body hooks undecoded
      this.resBody = this.config.keepBodies
        ? new BodyBuffer(this.config.responseBodyLimit, [], this.config.decompressLimit)
        : null;
      tx.responseProgress = HttpProgress.RESPONSE_HEADERS;
      this.emit(HttpProgress.RESPONSE_HEADERS, tx, false);
    }
    this.onBody(false, src, from, to);
    if (last) this.complete(false);
  }

  /** @internal */
  onTrailers(toServer: boolean, block: Uint8Array): void {
    const tx = toServer ? this.reqTx : this.resTx;
    if (tx === null) return;
    const msg = toServer ? tx.request : tx.response;
    if (msg) this.flag(tx, parseHeaderLines(block, 0, block.length, msg.headers));
  }

  /** @internal */
  onComplete(toServer: boolean): void {
    this.complete(toServer);
  }

  private complete(toServer: boolean): void {
    const tx = toServer ? this.reqTx : this.resTx;
    if (tx === null) return;
    const body = toServer ? this.reqBody : this.resBody;
    if (body !== null) {
      const before = body.length;
      body.finish();
      if (body.passedThrough && (tx.flags & HttpTxFlag.DECOMPRESS_FAILED) === 0) {
        this.flag(tx, HttpTxFlag.DECOMPRESS_FAILED);
        this.stats.decompressErrors++;
      }
      if (body.length > before) {
        const msg = toServer ? tx.request : (tx.response as HttpResponse);
        msg.body = body.view();
        if (toServer) this.reqGrew = true;
        else this.resGrew = true;
      }
    }
    this.flushBodyEvent(toServer);
    if (toServer) {
      tx.requestProgress = HttpProgress.REQUEST_COMPLETE;
      this.reqTx = null;
      this.reqBody = null;
      this.emit(HttpProgress.REQUEST_COMPLETE, tx, true);
    } else {
      tx.responseProgress = HttpProgress.RESPONSE_COMPLETE;
      this.resTx = null;
      this.resBody = null;
      this.emit(HttpProgress.RESPONSE_COMPLETE, tx, false);
    }
  }

  /** @internal */
  onInvalid(toServer: boolean, what: 'head-too-long' | 'chunk-size'): void {
    const tx = toServer ? this.reqTx : this.resTx;
    if (tx)
      this.flag(
        tx,
        what === 'chunk-size'
          ? HttpTxFlag.CHUNK_INVALID
          : toServer
            ? HttpTxFlag.REQUEST_INVALID
            : HttpTxFlag.RESPONSE_INVALID,
      );
    this.stopSide(toServer);
  }
}

const PLACEHOLDER = new HttpTransaction(-1);

/**
 * Any Transfer-Encoding header (repeats included) contains "chunked", NUL bytes ignored
 * (libhtp's index_of_nocase_nozero: "x chunked" and "chu\0nked" are chunked; a body that
 * then has no valid chunk size is read as identity until close).
 */
function isChunked(headers: HttpRequest['headers']): boolean {
  for (const h of headers) {
    const name = typeof h.name === 'string' ? h.name : Buffer.from(h.name).toString('latin1');
    if (name.replaceAll('\0', '').toLowerCase() !== 'transfer-encoding') continue;
    const v = typeof h.value === 'string' ? h.value : Buffer.from(h.value).toString('latin1');
    if (/chunked/i.test(v.replaceAll('\0', ''))) return true;
  }
  return false;
}

function hasHeader(headers: HttpRequest['headers'], lower: string): boolean {
  for (const h of headers) {
    const name = typeof h.name === 'string' ? h.name : Buffer.from(h.name).toString('latin1');
    if (name.replaceAll('\0', '').toLowerCase() === lower) return true;
  }
  return false;
}
