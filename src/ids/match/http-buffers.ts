/**
 * Fills Suricata's HTTP inspection buffers from a parsed request or response, so that the
 * engine's HTTP parser only has to hand over what it parsed. Buffer contents follow
 * Suricata's documentation (rules/http-keywords):
 *
 * - http.header: "Name: value\r\n" per header, Cookie / Set-Cookie left out, values without
 *   trailing spaces/tabs; repeated headers are merged into one with ", " (as libhtp does);
 * - http.header_names: "\r\n", each name + "\r\n", then "\r\n";
 * - single-header buffers (user_agent, accept, ...): the value only, repeats joined by ", ";
 * - http.host: host from the URI or Host header, lower-cased, without port;
 * - http.start: the start line, "\r\n", the raw header block (ending with the empty line).
 *
 * URI normalization and body de-chunking / decompression are the parser's job: pass the
 * results in `normalizedUri` and `body`.
 */
import { type BufferSet, bufferIdByName } from './buffers.js';

export interface HttpHeader {
  name: Uint8Array | string;
  value: Uint8Array | string;
}

export interface HttpRequestView {
  method: Uint8Array | string;
  /** URI as on the request line. */
  rawUri: Uint8Array | string;
  /** URI after the parser's normalization (percent-decoding, path clean-up). */
  normalizedUri: Uint8Array | string;
  protocol: Uint8Array | string;
  headers: readonly HttpHeader[];
  /** Header block as received: header lines and the empty line ending them. */
  rawHeaders?: Uint8Array;
  /** Request line as received, without CRLF (default: method SP rawUri SP protocol). */
  requestLine?: Uint8Array | string;
  /** De-chunked (and decompressed) body received so far. */
  body?: Uint8Array;
}

export interface HttpResponseView {
  protocol: Uint8Array | string;
  statusCode: Uint8Array | string;
  statusMsg: Uint8Array | string;
  headers: readonly HttpHeader[];
  rawHeaders?: Uint8Array;
  /** Status line as received, without CRLF (default: protocol SP code SP message). */
  responseLine?: Uint8Array | string;
  body?: Uint8Array;
}

const id = (name: string) => {
  const v = bufferIdByName(name);
  if (v === undefined) throw new Error(`no buffer ${name}`);
  return v;
};

const B = {
  method: id('http.method'),
  uri: id('http.uri'),
  uriRaw: id('http.uri.raw'),
  requestLine: id('http.request_line'),
  protocol: id('http.protocol'),
  start: id('http.start'),
  header: id('http.header'),
  headerRaw: id('http.header.raw'),
  headerNames: id('http.header_names'),
  cookie: id('http.cookie'),
  userAgent: id('http.user_agent'),
  host: id('http.host'),
  hostRaw: id('http.host.raw'),
  accept: id('http.accept'),
  acceptEnc: id('http.accept_enc'),
  acceptLang: id('http.accept_lang'),
  connection: id('http.connection'),
  contentType: id('http.content_type'),
  contentLen: id('http.content_len'),
  referer: id('http.referer'),
  location: id('http.location'),
  server: id('http.server'),
  requestBody: id('http.request_body'),
  responseBody: id('http.response_body'),
  fileData: id('file.data'),
  statCode: id('http.stat_code'),
  statMsg: id('http.stat_msg'),
  responseLine: id('http.response_line'),
} as const;

const bytes = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? Buffer.from(v, 'latin1') : v);
const text = (v: Uint8Array | string): string =>
  typeof v === 'string' ? v : Buffer.from(v).toString('latin1');

/** Headers merged by case-insensitive name, first-seen order, values trimmed at the end. */
function mergeHeaders(headers: readonly HttpHeader[]): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  const byName = new Map<string, { name: string; value: string }>();
  for (const h of headers) {
    const name = text(h.name);
    const value = text(h.value).replace(/[ \t]+$/, '');
    const k = name.toLowerCase();
    const prev = byName.get(k);
    if (prev) prev.value += ', ' + value;
    else {
      const e = { name, value };
      byName.set(k, e);
      out.push(e);
    }
  }
  return out;
}

/** Where head buffers go: a BufferSet, or a recorder that keeps them for the next event. */
interface Sink {
  set(id: number, toServer: boolean, data: Uint8Array): void;
}

function common(
  set: Sink,
  toServer: boolean,
  headers: readonly HttpHeader[],
  startLine: string,
  raw?: Uint8Array,
): Map<string, string> {
  const merged = mergeHeaders(headers);
  const byName = new Map(merged.map((h) => [h.name.toLowerCase(), h.value]));
  const cookieName = toServer ? 'cookie' : 'set-cookie';
  let hdr = '';
  let names = '\r\n';
  for (const h of merged) {
    names += h.name + '\r\n';
    if (h.name.toLowerCase() === cookieName) continue;
    hdr += `${h.name}: ${h.value}\r\n`;
  }
  names += '\r\n';
  set.set(B.header, toServer, bytes(hdr));
  set.set(B.headerNames, toServer, bytes(names));
  if (raw) {
    set.set(B.headerRaw, toServer, raw);
    const start = Buffer.concat([Buffer.from(startLine + '\r\n', 'latin1'), raw]);
    set.set(B.start, toServer, start);
  }
  const single = (buffer: number, name: string) => {
    const v = byName.get(name);
    if (v !== undefined) set.set(buffer, toServer, bytes(v));
  };
  single(B.cookie, cookieName);
  single(B.contentType, 'content-type');
  single(B.contentLen, 'content-length');
  return byName;
}

/**
 * The head buffers of a request or response, kept per view object: the engine sets a
 * transaction's buffers again at each of its events (request, body chunks, response), and
 * the head does not change between them. The cache is checked against every head field (a
 * header array that grew, trailers, a new URI) and rebuilt when one differs.
 */
class HeadRecord implements Sink {
  readonly ids: number[] = [];
  readonly sides: boolean[] = [];
  readonly data: Uint8Array[] = [];
  constructor(
    readonly key: ReadonlyArray<unknown>,
    readonly headerCount: number,
  ) {}

  set(id: number, toServer: boolean, data: Uint8Array): void {
    this.ids.push(id);
    this.sides.push(toServer);
    this.data.push(data);
  }

  replay(set: BufferSet): void {
    for (let i = 0; i < this.ids.length; i++) set.set(this.ids[i], this.sides[i], this.data[i]);
  }

  matches(key: ReadonlyArray<unknown>, headerCount: number): boolean {
    if (headerCount !== this.headerCount) return false;
    for (let i = 0; i < key.length; i++) if (key[i] !== this.key[i]) return false;
    return true;
  }
}

const requestHeads = new WeakMap<HttpRequestView, HeadRecord>();
const responseHeads = new WeakMap<HttpResponseView, HeadRecord>();

/** Sets the request-side buffers of one transaction. */
export function setHttpRequestBuffers(set: BufferSet, req: HttpRequestView): void {
  const key = [
    req.method,
    req.rawUri,
    req.normalizedUri,
    req.protocol,
    req.headers,
    req.rawHeaders,
    req.requestLine,
  ];
  let rec = requestHeads.get(req);
  if (rec === undefined || !rec.matches(key, req.headers.length)) {
    rec = new HeadRecord(key, req.headers.length);
    requestHead(rec, req);
    requestHeads.set(req, rec);
  }
  rec.replay(set);
  if (req.body !== undefined) {
    set.set(B.requestBody, true, req.body);
    set.set(B.fileData, true, req.body);
  }
}

function requestHead(set: Sink, req: HttpRequestView): void {
  const line =
    req.requestLine !== undefined
      ? text(req.requestLine)
      : `${text(req.method)} ${text(req.rawUri)} ${text(req.protocol)}`;
  set.set(B.method, true, bytes(req.method));
  set.set(B.uriRaw, true, bytes(req.rawUri));
  set.set(B.uri, true, bytes(req.normalizedUri));
  set.set(B.requestLine, true, bytes(line));
  set.set(B.protocol, true, bytes(req.protocol));
  const h = common(set, true, req.headers, line, req.rawHeaders);
  const single = (buffer: number, name: string) => {
    const v = h.get(name);
    if (v !== undefined) set.set(buffer, true, bytes(v));
  };
  single(B.userAgent, 'user-agent');
  single(B.accept, 'accept');
  single(B.acceptEnc, 'accept-encoding');
  single(B.acceptLang, 'accept-language');
  single(B.connection, 'connection');
  single(B.referer, 'referer');
  single(B.hostRaw, 'host');
  // the host of an absolute URI wins over the Host header, as in libhtp
  const abs = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text(req.rawUri));
  const hostSrc = abs ? abs[1].replace(/^.*@/, '') : h.get('host');
  if (hostSrc !== undefined) set.set(B.host, true, bytes(hostOnly(hostSrc)));
}

/** Host part of an authority, lower-cased, without port (IPv6 literals keep their brackets). */
export function hostOnly(authority: string): string {
  const a = authority.trim();
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    return (close > 0 ? a.slice(0, close + 1) : a).toLowerCase();
  }
  const colon = a.lastIndexOf(':');
  return (colon >= 0 ? a.slice(0, colon) : a).toLowerCase();
}

/** Sets the response-side buffers of one transaction. */
export function setHttpResponseBuffers(set: BufferSet, resp: HttpResponseView): void {
  const key = [
    resp.protocol,
    resp.statusCode,
    resp.statusMsg,
    resp.headers,
    resp.rawHeaders,
    resp.responseLine,
  ];
  let rec = responseHeads.get(resp);
  if (rec === undefined || !rec.matches(key, resp.headers.length)) {
    rec = new HeadRecord(key, resp.headers.length);
    responseHead(rec, resp);
    responseHeads.set(resp, rec);
  }
  rec.replay(set);
  if (resp.body !== undefined) {
    set.set(B.responseBody, false, resp.body);
    set.set(B.fileData, false, resp.body);
  }
}

function responseHead(set: Sink, resp: HttpResponseView): void {
  const line =
    resp.responseLine !== undefined
      ? text(resp.responseLine)
      : `${text(resp.protocol)} ${text(resp.statusCode)} ${text(resp.statusMsg)}`;
  set.set(B.protocol, false, bytes(resp.protocol));
  set.set(B.statCode, false, bytes(resp.statusCode));
  set.set(B.statMsg, false, bytes(resp.statusMsg));
  set.set(B.responseLine, false, bytes(line));
  const h = common(set, false, resp.headers, line, resp.rawHeaders);
  const single = (buffer: number, name: string) => {
    const v = h.get(name);
    if (v !== undefined) set.set(buffer, false, bytes(v));
  };
  single(B.location, 'location');
  single(B.server, 'server');
}
