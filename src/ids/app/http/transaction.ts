/**
 * One HTTP transaction (a request and its response) as the parser builds it. The request and
 * response objects are the `HttpRequestView` / `HttpResponseView` that
 * `setHttpRequestBuffers` / `setHttpResponseBuffers` (src/ids/match/http-buffers.ts) read.
 */
import type { HttpHeader, HttpRequestView, HttpResponseView } from '../../match/http-buffers.js';

/** Progress points of a transaction: the engine runs detection at each. */
export const HttpProgress = {
  /** Request line and headers parsed: every request buffer but the body is present. */
  REQUEST_HEADERS: 1,
  /** The request body grew (de-chunked, decompressed bytes appended to `request.body`). */
  REQUEST_BODY: 2,
  /** The request is complete (body and trailers included). */
  REQUEST_COMPLETE: 3,
  /** Status line and headers parsed. */
  RESPONSE_HEADERS: 4,
  /** The response body grew. */
  RESPONSE_BODY: 5,
  /** The response is complete. */
  RESPONSE_COMPLETE: 6,
} as const;

/** Anomalies recorded on a transaction (bits of {@link HttpTransaction.flags}). */
export const HttpTxFlag = {
  /** The request line or a request header did not parse. */
  REQUEST_INVALID: 0x1,
  /** The status line or a response header did not parse. */
  RESPONSE_INVALID: 0x2,
  /** A chunk size line did not parse: the body stops there. */
  CHUNK_INVALID: 0x4,
  /** Content-Length did not parse, or several different values. */
  CONTENT_LENGTH_INVALID: 0x8,
  /** Decompression failed: the body holds what decoded before the error. */
  DECOMPRESS_FAILED: 0x10,
  /** The request body went beyond the request body limit (truncated). */
  REQUEST_BODY_LIMIT: 0x20,
  /** The response body went beyond the response body limit (truncated). */
  RESPONSE_BODY_LIMIT: 0x40,
  /** Decompressed output reached the decompression limit. */
  DECOMPRESS_LIMIT: 0x80,
  /** Header lines continued with folding (obs-fold). */
  HEADER_FOLDING: 0x100,
  /** A response came without a request (not matched to any request). */
  RESPONSE_WITHOUT_REQUEST: 0x200,
  /** A gap in the stream fell inside this transaction. */
  GAP: 0x400,
  /** A header line without a name (no colon, or nothing before it). */
  HEADER_INVALID: 0x800,
  /** The message was cut: its direction ended or stopped before it was complete. */
  INCOMPLETE: 0x1000,
  /** CONNECT accepted or protocol switched (101): the rest of the flow is not HTTP. */
  TUNNEL: 0x2000,
  /** The status code is not three digits in 100-999 (the response is still parsed). */
  STATUS_INVALID: 0x4000,
} as const;

/** The parsed request of a transaction. */
export class HttpRequest implements HttpRequestView {
  method: Uint8Array = EMPTY;
  rawUri: Uint8Array = EMPTY;
  /** Path normalized like libhtp under Suricata's defaults, plus the raw query (docs/ids-stream-http.md). */
  normalizedUri: Uint8Array = EMPTY;
  /** "HTTP/1.1"; empty for HTTP/0.9 requests. */
  protocol: Uint8Array = EMPTY;
  headers: HttpHeader[] = [];
  rawHeaders?: Uint8Array;
  requestLine?: Uint8Array;
  /** De-chunked, decompressed body so far (at most the request body limit). */
  body?: Uint8Array;
  /** Body bytes on the wire after de-chunking, before decompression (not limited). */
  bodyLength = 0;
}

/** The parsed response of a transaction. */
export class HttpResponse implements HttpResponseView {
  protocol: Uint8Array = EMPTY;
  statusCode: Uint8Array = EMPTY;
  statusMsg: Uint8Array = EMPTY;
  /** The status code as a number (-1 when it did not parse). */
  status = -1;
  headers: HttpHeader[] = [];
  rawHeaders?: Uint8Array;
  responseLine?: Uint8Array;
  body?: Uint8Array;
  /** Body bytes after de-chunking, before decompression (EVE `length`). */
  bodyLength = 0;
}

const EMPTY = new Uint8Array(0);

export class HttpTransaction {
  /** Transaction id within its flow: 0, 1, 2... in request order (EVE `tx_id`). */
  readonly id: number;
  readonly request = new HttpRequest();
  /** Null until the response line arrives. */
  response: HttpResponse | null = null;
  /** Last request / response {@link HttpProgress} reached (0 = not started). */
  requestProgress = 0;
  responseProgress = 0;
  /** {@link HttpTxFlag} bits. */
  flags = 0;
  /** Interim (1xx) responses seen before the final one (100-continue...). */
  interimResponses = 0;

  constructor(id: number) {
    this.id = id;
  }

  get requestComplete(): boolean {
    return this.requestProgress === HttpProgress.REQUEST_COMPLETE;
  }

  get responseComplete(): boolean {
    return this.responseProgress === HttpProgress.RESPONSE_COMPLETE;
  }

  /** First value of a request header (case-insensitive name), as latin1 text; undefined when absent. */
  requestHeader(name: string): string | undefined {
    return headerValue(this.request.headers, name);
  }

  /** First value of a response header; undefined when absent or no response yet. */
  responseHeader(name: string): string | undefined {
    return this.response ? headerValue(this.response.headers, name) : undefined;
  }
}

/** First header named `name` (ASCII case-insensitive), value as latin1 text. */
export function headerValue(headers: readonly HttpHeader[], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const h of headers) {
    const n = typeof h.name === 'string' ? h.name : Buffer.from(h.name).toString('latin1');
    if (n.toLowerCase() === want)
      return typeof h.value === 'string' ? h.value : Buffer.from(h.value).toString('latin1');
  }
  return undefined;
}
