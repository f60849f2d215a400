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
import { type HttpConfig, httpConfig } from './config.js';
import { HttpStats } from './stats.js';
import type { HttpTransaction } from './transaction.js';

/** One progress event. The objects are reused: read them before {@link HttpParser.clearEvents}. */
export interface HttpEvent {
  /** {@link HttpProgress} value. */
  kind: number;
  tx: HttpTransaction;
  /** The side that progressed (request side = true). */
  toServer: boolean;
}

export class HttpParser {
  readonly config: HttpConfig;
  readonly stats: HttpStats;
  /** Events since the last {@link clearEvents}, in order; entries past {@link eventCount} are stale. */
  readonly events: HttpEvent[] = [];
  eventCount = 0;
  /** The request (to-server) side stopped parsing on malformed input. */
  requestStopped = false;
  /** The response side stopped parsing. */
  responseStopped = false;

  constructor(config: Partial<HttpConfig> | HttpConfig = {}, stats: HttpStats = new HttpStats()) {
    this.config = httpConfig(config);
    this.stats = stats;
  }

  /**
   * Parses the next bytes of one direction. `data` is read during the call only (copied where
   * kept). Returns the number of events added.
   */
  feed(toServer: boolean, data: Uint8Array): number {
    void toServer;
    void data;
    throw new Error('not implemented');
  }

  /**
   * The direction ended (FIN, RST, end of flow): a response body read until close completes,
   * an unfinished message is flagged. Returns the number of events added.
   */
  end(toServer: boolean): number {
    void toServer;
    throw new Error('not implemented');
  }

  /**
   * `length` bytes of the direction were lost (a stream gap). Inside a body of known length
   * the body continues after the hole (flagged GAP); anywhere else the direction stops.
   */
  gap(toServer: boolean, length: number): number {
    void toServer;
    void length;
    throw new Error('not implemented');
  }

  /** Forgets the events read; transactions complete on both sides leave the parser. */
  clearEvents(): void {
    throw new Error('not implemented');
  }

  /** Transactions still held (incomplete on one side, or with unread events), oldest first. */
  transactions(): readonly HttpTransaction[] {
    throw new Error('not implemented');
  }

  /** Transactions started so far on this flow (the next tx id). */
  get txCount(): number {
    throw new Error('not implemented');
  }
}
