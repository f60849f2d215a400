/**
 * HTTP/1.x message heads (request line or status line, then header lines), parsed in place.
 *
 * Sans-I/O: the parser reads a Buffer that already holds a complete head (up to and including
 * the blank line) and records offsets into it; it allocates no string on the hot path except
 * the method (interned for the common ones). Proxies forward the original bytes and only look
 * at the few headers that decide framing and hop-by-hop handling.
 *
 * It is strict where leniency lets two parsers disagree about where a message ends (request
 * smuggling): bare LF, obsolete line folding, whitespace before the colon, control characters,
 * Content-Length together with Transfer-Encoding, differing Content-Lengths, a request
 * transfer coding other than `chunked`, several Host headers. RFC 9112 allows refusing each.
 */

/** Header ids of the headers a proxy looks at; everything else is {@link H_OTHER}. */
export const H_OTHER = 0;
export const H_HOST = 1;
export const H_CONTENT_LENGTH = 2;
export const H_TRANSFER_ENCODING = 3;
export const H_CONNECTION = 4;
export const H_KEEP_ALIVE = 5;
export const H_PROXY_CONNECTION = 6;
export const H_TE = 7;
export const H_UPGRADE = 8;
export const H_PROXY_AUTHORIZATION = 9;
export const H_PROXY_AUTHENTICATE = 10;
export const H_X_FORWARDED_FOR = 11;
export const H_X_FORWARDED_PROTO = 12;
export const H_VIA = 13;
export const H_CACHE_CONTROL = 14;
export const H_EXPIRES = 15;
export const H_DATE = 16;
export const H_AGE = 17;
export const H_ETAG = 18;
export const H_LAST_MODIFIED = 19;
export const H_VARY = 20;
export const H_SET_COOKIE = 21;
export const H_PRAGMA = 22;
export const H_AUTHORIZATION = 23;
export const H_IF_NONE_MATCH = 24;
export const H_IF_MODIFIED_SINCE = 25;
export const H_EXPECT = 26;
const H_COUNT = 27;

const KNOWN_NAMES: [string, number][] = [
  ['host', H_HOST],
  ['content-length', H_CONTENT_LENGTH],
  ['transfer-encoding', H_TRANSFER_ENCODING],
  ['connection', H_CONNECTION],
  ['keep-alive', H_KEEP_ALIVE],
  ['proxy-connection', H_PROXY_CONNECTION],
  ['te', H_TE],
  ['upgrade', H_UPGRADE],
  ['proxy-authorization', H_PROXY_AUTHORIZATION],
  ['proxy-authenticate', H_PROXY_AUTHENTICATE],
  ['x-forwarded-for', H_X_FORWARDED_FOR],
  ['x-forwarded-proto', H_X_FORWARDED_PROTO],
  ['via', H_VIA],
  ['cache-control', H_CACHE_CONTROL],
  ['expires', H_EXPIRES],
  ['date', H_DATE],
  ['age', H_AGE],
  ['etag', H_ETAG],
  ['last-modified', H_LAST_MODIFIED],
  ['vary', H_VARY],
  ['set-cookie', H_SET_COOKIE],
  ['pragma', H_PRAGMA],
  ['authorization', H_AUTHORIZATION],
  ['if-none-match', H_IF_NONE_MATCH],
  ['if-modified-since', H_IF_MODIFIED_SINCE],
  ['expect', H_EXPECT],
];

/** Known names grouped by length, as lowercase bytes, so identification is a short compare. */
const KNOWN_BY_LENGTH: { bytes: Uint8Array; id: number }[][] = [];
for (const [name, id] of KNOWN_NAMES) {
  if (KNOWN_BY_LENGTH[name.length] === undefined) KNOWN_BY_LENGTH[name.length] = [];
  KNOWN_BY_LENGTH[name.length].push({ bytes: Buffer.from(name, 'latin1'), id });
}

/** RFC 9110 tchar: the bytes allowed in a method and a header name. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

const INTERNED_METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'].map(
  (m) => ({ m, b: Buffer.from(m, 'latin1') }),
);

const EMPTY = Buffer.alloc(0);

/** A parsed head. One instance is reused for every message of a connection. */
export class HttpHead {
  buf: Buffer = EMPTY;
  /** Offset of the start line in {@link buf}. */
  start = 0;
  /** Offset just past the blank line ending the head. */
  end = 0;
  /** Offset of the CR ending the start line. */
  lineEnd = 0;
  /** Request method (requests only). */
  method = '';
  targetStart = 0;
  targetEnd = 0;
  /** Status code (responses only). */
  status = 0;
  /** Minor HTTP version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor = 1;
  /** Number of header lines. */
  count = 0;
  /** Per header: line start, name end, value start, value end. */
  readonly pos: Int32Array;
  /** Per header: its id (H_*). */
  readonly ids: Uint8Array;
  /** Per header: 1 when a proxy must not forward it (hop-by-hop, RFC 9110 7.6.1). */
  readonly drop: Uint8Array;
  /** How many headers are marked in {@link drop}. */
  dropCount = 0;
  /** Index of the first header of each id, -1 when absent. */
  readonly first = new Int16Array(H_COUNT);
  /** Content-Length, or -1 when absent. */
  contentLength = -1;
  /** The body is chunked (Transfer-Encoding ends with `chunked`). */
  chunked = false;
  /** A Transfer-Encoding header is present. */
  hasTransferEncoding = false;
  connClose = false;
  connKeepAlive = false;
  connUpgrade = false;
  /** The Connection header names other headers, which are then marked in {@link drop}. */
  connOther = false;
  /** Why parsing failed (a short phrase sent to the client and logged). */
  error = '';

  constructor(maxHeaders: number) {
    this.pos = new Int32Array(maxHeaders * 4);
    this.ids = new Uint8Array(maxHeaders);
    this.drop = new Uint8Array(maxHeaders);
  }

  get maxHeaders(): number {
    return this.ids.length;
  }

  /** The request target as sent (origin-form, absolute-form or authority-form). */
  get target(): string {
    return this.buf.toString('latin1', this.targetStart, this.targetEnd);
  }

  /** Whether the sender wants the connection kept open after this message. */
  get keepAlive(): boolean {
    if (this.connClose) return false;
    return this.versionMinor >= 1 || this.connKeepAlive;
  }

  /** Offset of header `i`'s line. */
  lineStart(i: number): number {
    return this.pos[i * 4];
  }

  /** Offset just past header `i`'s CRLF. */
  lineEndWithCrlf(i: number): number {
    return i + 1 < this.count ? this.pos[(i + 1) * 4] : this.end - 2;
  }

  /** Header `i`'s name in lowercase. */
  name(i: number): string {
    return this.buf.toString('latin1', this.pos[i * 4], this.pos[i * 4 + 1]).toLowerCase();
  }

  /** Header `i`'s value (trimmed), as latin1 so every byte round-trips. */
  value(i: number): string {
    return this.buf.toString('latin1', this.pos[i * 4 + 2], this.pos[i * 4 + 3]);
  }

  /** The first value of a known header, or undefined. */
  get(id: number): string | undefined {
    const i = this.first[id];
    return i < 0 ? undefined : this.value(i);
  }

  /** All values of a known header joined by ", " (RFC 9110 5.3), or undefined. */
  getAll(id: number): string | undefined {
    const i0 = this.first[id];
    if (i0 < 0) return undefined;
    let out = this.value(i0);
    for (let i = i0 + 1; i < this.count; i++) if (this.ids[i] === id) out += ', ' + this.value(i);
    return out;
  }

  /** All values of any header by (case-insensitive) name joined by ", ", or undefined. */
  getByName(name: string): string | undefined {
    const lower = name.toLowerCase();
    let out: string | undefined;
    for (let i = 0; i < this.count; i++) {
      if (this.pos[i * 4 + 1] - this.pos[i * 4] !== lower.length) continue;
      if (this.name(i) !== lower) continue;
      out = out === undefined ? this.value(i) : out + ', ' + this.value(i);
    }
    return out;
  }

  /** Every header as lowercase name -> value (repeated headers joined by ", "). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.count; i++) {
      const n = this.name(i);
      const v = this.value(i);
      out[n] = out[n] === undefined ? v : out[n] + ', ' + v;
    }
    return out;
  }

  reset(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.method = '';
    this.status = 0;
    this.versionMinor = 1;
    this.count = 0;
    this.dropCount = 0;
    this.first.fill(-1);
    this.contentLength = -1;
    this.chunked = false;
    this.hasTransferEncoding = false;
    this.connClose = false;
    this.connKeepAlive = false;
    this.connUpgrade = false;
    this.connOther = false;
    this.error = '';
  }
}

function fail(h: HttpHead, status: number, why: string): number {
  h.error = why;
  return status;
}

/** Case-insensitive compare of buf[s, e) with lowercase ASCII bytes. */
function eqLower(buf: Buffer, s: number, e: number, lower: Uint8Array): boolean {
  if (e - s !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    // names are validated tokens, where `| 0x20` only folds A-Z onto a-z
    if ((buf[s + i] | 0x20) !== lower[i]) return false;
  }
  return true;
}

function identify(buf: Buffer, s: number, e: number): number {
  const list = KNOWN_BY_LENGTH[e - s];
  if (list === undefined) return H_OTHER;
  for (let k = 0; k < list.length; k++) if (eqLower(buf, s, e, list[k].bytes)) return list[k].id;
  return H_OTHER;
}

const CONN_CLOSE = Buffer.from('close');
const CONN_KEEP_ALIVE = Buffer.from('keep-alive');
const CONN_UPGRADE = Buffer.from('upgrade');
const CHUNKED = Buffer.from('chunked');

/** Applies the comma-separated tokens of a Connection (or Proxy-Connection) value. */
function connectionTokens(h: HttpHead, buf: Buffer, s: number, e: number, allowOther: boolean): void {
  let i = s;
  while (i < e) {
    while (i < e && (buf[i] === 44 || buf[i] === 32 || buf[i] === 9)) i++;
    const ts = i;
    while (i < e && buf[i] !== 44 && buf[i] !== 32 && buf[i] !== 9) i++;
    if (i === ts) continue;
    if (eqLower(buf, ts, i, CONN_CLOSE)) h.connClose = true;
    else if (eqLower(buf, ts, i, CONN_KEEP_ALIVE)) h.connKeepAlive = true;
    else if (eqLower(buf, ts, i, CONN_UPGRADE)) h.connUpgrade = true;
    else if (allowOther) h.connOther = true;
  }
}

/**
 * Reads a Transfer-Encoding value. Returns the number of codings, and sets `chunked` when the
 * last coding is chunked; `chunkedCount` counts chunked codings seen in the whole head.
 */
let chunkedCount = 0;
function transferCodings(h: HttpHead, buf: Buffer, s: number, e: number): number {
  let n = 0;
  let i = s;
  let last = false;
  while (i < e) {
    while (i < e && (buf[i] === 44 || buf[i] === 32 || buf[i] === 9)) i++;
    const ts = i;
    while (i < e && buf[i] !== 44 && buf[i] !== 32 && buf[i] !== 9 && buf[i] !== 59) i++;
    if (i === ts) continue;
    const te = i;
    // skip coding parameters (";q=..."), they do not change framing
    while (i < e && buf[i] !== 44) i++;
    n++;
    last = eqLower(buf, ts, te, CHUNKED);
    if (last) chunkedCount++;
  }
  if (n > 0) h.chunked = last;
  return n;
}

/** Parses a decimal Content-Length value; -1 when malformed. */
function parseLength(buf: Buffer, s: number, e: number): number {
  // 15 digits stay below 2^53 and far above any real body
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

let transferCodingCount = 0;

function parseHeaders(h: HttpHead, buf: Buffer, pos: number, isRequest: boolean): number {
  const stop = h.end - 2;
  const max = h.maxHeaders;
  chunkedCount = 0;
  transferCodingCount = 0;
  let hosts = 0;
  while (pos < stop) {
    const lf = buf.indexOf(10, pos);
    if (lf < 0 || lf > stop || buf[lf - 1] !== 13 || lf - 1 <= pos) {
      return fail(h, 400, 'header lines must end with CRLF');
    }
    const lineEnd = lf - 1;
    if (buf[pos] === 32 || buf[pos] === 9) return fail(h, 400, 'obsolete header line folding');
    let i = pos;
    while (i < lineEnd && TCHAR[buf[i]] === 1) i++;
    if (i === pos || buf[i] !== 58) return fail(h, 400, 'invalid header name');
    const nameEnd = i;
    i++;
    while (i < lineEnd && (buf[i] === 32 || buf[i] === 9)) i++;
    const vs = i;
    let ve = lineEnd;
    while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
    for (let k = vs; k < ve; k++) {
      const c = buf[k];
      if ((c < 32 && c !== 9) || c === 127) return fail(h, 400, 'invalid character in header value');
    }
    const n = h.count;
    if (n >= max) return fail(h, 400, 'too many header lines');
    h.pos[n * 4] = pos;
    h.pos[n * 4 + 1] = nameEnd;
    h.pos[n * 4 + 2] = vs;
    h.pos[n * 4 + 3] = ve;
    const id = identify(buf, pos, nameEnd);
    h.ids[n] = id;
    h.drop[n] = 0;
    if (id !== H_OTHER && h.first[id] < 0) h.first[id] = n;
    h.count = n + 1;
    switch (id) {
      case H_CONTENT_LENGTH: {
        const v = parseLength(buf, vs, ve);
        if (v < 0) return fail(h, isRequest ? 400 : 502, 'invalid Content-Length');
        if (h.contentLength >= 0 && h.contentLength !== v) {
          return fail(h, isRequest ? 400 : 502, 'conflicting Content-Length headers');
        }
        h.contentLength = v;
        break;
      }
      case H_TRANSFER_ENCODING:
        h.hasTransferEncoding = true;
        transferCodingCount += transferCodings(h, buf, vs, ve);
        break;
      case H_CONNECTION:
        connectionTokens(h, buf, vs, ve, true);
        h.drop[n] = 1;
        h.dropCount++;
        break;
      case H_PROXY_CONNECTION:
        // pre-RFC clients (old curl) say Proxy-Connection: keep-alive to a proxy
        if (isRequest) connectionTokens(h, buf, vs, ve, false);
        h.drop[n] = 1;
        h.dropCount++;
        break;
      case H_KEEP_ALIVE:
      case H_TE:
      case H_UPGRADE:
      case H_PROXY_AUTHORIZATION:
      case H_PROXY_AUTHENTICATE:
        h.drop[n] = 1;
        h.dropCount++;
        break;
      case H_HOST:
        hosts++;
        break;
    }
    pos = lf + 1;
  }
  if (h.hasTransferEncoding && h.contentLength >= 0) {
    return isRequest
      ? fail(h, 400, 'both Content-Length and Transfer-Encoding (request smuggling attempt)')
      : fail(h, 502, 'upstream sent both Content-Length and Transfer-Encoding');
  }
  if (isRequest) {
    if (hosts > 1) return fail(h, 400, 'more than one Host header');
    if (hosts === 0 && h.versionMinor >= 1) return fail(h, 400, 'HTTP/1.1 request without Host header');
    if (h.hasTransferEncoding) {
      if (h.versionMinor === 0) return fail(h, 400, 'Transfer-Encoding in an HTTP/1.0 request');
      if (!h.chunked) return fail(h, 400, 'request transfer coding does not end with chunked');
      if (transferCodingCount !== 1 || chunkedCount !== 1) {
        return fail(h, 501, 'request transfer codings other than chunked are not supported');
      }
    }
  }
  if (h.connOther) markConnectionNamed(h);
  return 0;
}

/** Marks the headers named in Connection as hop-by-hop (rare: allocation is fine here). */
function markConnectionNamed(h: HttpHead): void {
  const names = new Set<string>();
  for (let i = 0; i < h.count; i++) {
    if (h.ids[i] !== H_CONNECTION) continue;
    for (const t of h.value(i).split(',')) names.add(t.trim().toLowerCase());
  }
  for (let i = 0; i < h.count; i++) {
    if (h.drop[i] === 0 && names.has(h.name(i))) {
      // never let Connection strip the framing headers: that is a known desync trick
      if (h.ids[i] === H_CONTENT_LENGTH || h.ids[i] === H_TRANSFER_ENCODING || h.ids[i] === H_HOST) continue;
      h.drop[i] = 1;
      h.dropCount++;
    }
  }
}

/** Reads `HTTP/1.x` at `i`; returns the minor version, -1 if not HTTP/1.x, -2 if another HTTP version. */
function httpVersion(buf: Buffer, i: number): number {
  if (buf[i] !== 72 || buf[i + 1] !== 84 || buf[i + 2] !== 84 || buf[i + 3] !== 80 || buf[i + 4] !== 47) {
    return -1;
  }
  const major = buf[i + 5] - 48;
  const minor = buf[i + 7] - 48;
  if (major < 0 || major > 9 || buf[i + 6] !== 46 || minor < 0 || minor > 9) return -1;
  if (major !== 1) return -2;
  // HTTP/1.2+ does not exist; RFC 9110 says to answer it as the highest 1.x we speak
  return minor >= 1 ? 1 : 0;
}

/**
 * Parses a request head occupying `buf[start, end)` (end is just past the blank line).
 * Returns 0, or the status code to answer with (400, 501, 505); the reason is in `h.error`.
 */
export function parseRequestHead(h: HttpHead, buf: Buffer, start: number, end: number): number {
  h.reset(buf, start, end);
  const lf = buf.indexOf(10, start);
  if (lf <= start || lf >= end || buf[lf - 1] !== 13) return fail(h, 400, 'request line must end with CRLF');
  const lineEnd = lf - 1;
  h.lineEnd = lineEnd;
  let i = start;
  while (i < lineEnd && TCHAR[buf[i]] === 1) i++;
  if (i === start || buf[i] !== 32) return fail(h, 400, 'malformed request line');
  h.method = methodName(buf, start, i);
  i++;
  h.targetStart = i;
  while (i < lineEnd && buf[i] > 32 && buf[i] < 127) i++;
  if (i === h.targetStart || buf[i] !== 32) return fail(h, 400, 'malformed request target');
  h.targetEnd = i;
  i++;
  if (lineEnd - i !== 8) return fail(h, 400, 'malformed request line');
  const minor = httpVersion(buf, i);
  if (minor === -2) return fail(h, 505, 'only HTTP/1.0 and HTTP/1.1 are supported');
  if (minor < 0) return fail(h, 400, 'malformed HTTP version');
  h.versionMinor = minor;
  return parseHeaders(h, buf, lf + 1, true);
}

/**
 * Parses a response head occupying `buf[start, end)`. Returns 0, or 502 when the upstream's
 * response is malformed; the reason is in `h.error`.
 */
export function parseResponseHead(h: HttpHead, buf: Buffer, start: number, end: number): number {
  h.reset(buf, start, end);
  const lf = buf.indexOf(10, start);
  if (lf <= start || lf >= end || buf[lf - 1] !== 13)
    return fail(h, 502, 'upstream status line without CRLF');
  const lineEnd = lf - 1;
  h.lineEnd = lineEnd;
  if (lineEnd - start < 12) return fail(h, 502, 'malformed upstream status line');
  const minor = httpVersion(buf, start);
  if (minor < 0 || buf[start + 8] !== 32) return fail(h, 502, 'malformed upstream status line');
  h.versionMinor = minor;
  const d0 = buf[start + 9] - 48;
  const d1 = buf[start + 10] - 48;
  const d2 = buf[start + 11] - 48;
  if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
    return fail(h, 502, 'malformed upstream status code');
  }
  if (lineEnd > start + 12 && buf[start + 12] !== 32) return fail(h, 502, 'malformed upstream status line');
  h.status = d0 * 100 + d1 * 10 + d2;
  return parseHeaders(h, buf, lf + 1, false);
}

function methodName(buf: Buffer, s: number, e: number): string {
  const len = e - s;
  for (let k = 0; k < INTERNED_METHODS.length; k++) {
    const b = INTERNED_METHODS[k].b;
    if (b.length !== len) continue;
    let same = true;
    for (let j = 0; j < len; j++) {
      if (buf[s + j] !== b[j]) {
        same = false;
        break;
      }
    }
    if (same) return INTERNED_METHODS[k].m;
  }
  return buf.toString('latin1', s, e);
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Finds the end of a head starting at `start`: the offset just past CRLFCRLF, -1 when more
 * bytes are needed, or -2 when the bytes can never form a valid head (a bare LF blank line,
 * which some servers accept and we must not).
 */
export function findHeadEnd(buf: Buffer, start: number, from: number): number {
  const i = buf.indexOf(CRLFCRLF, Math.max(start, from));
  // a bare LF inside a complete head is refused by the line parser
  if (i >= 0) return i + 4;
  if (buf.indexOf('\n\n', start, 'latin1') >= 0 || buf.indexOf('\n\r\n', start, 'latin1') >= 0) return -2;
  return -1;
}
