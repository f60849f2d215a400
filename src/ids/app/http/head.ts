/**
 * Parses a message head (start line, header lines, the empty line) the way libhtp's generic
 * personality does: tolerant of bare LF line ends, of whitespace around the colon, of folded
 * continuation lines (joined to the header before them), and of a request URI that contains
 * spaces (the protocol is the last word when it starts with "HTTP/").
 */
import type { HttpHeader } from '../../match/http-buffers.js';
import type { HttpRequest, HttpResponse } from './transaction.js';
import { HttpTxFlag } from './transaction.js';

const SP = 0x20;
const HT = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

const isWs = (c: number) => c === SP || c === HT;
/** C isspace(): header names are trimmed of these (libhtp), so "Name\f:" is "Name". */
const isSpace = (c: number) => c === SP || (c >= HT && c <= CR);

/**
 * End of the line starting at `i` (index of its LF, or `end`). With `bareCr`, a CR not
 * followed by LF also ends a line (libhtp reads response heads so: http-evader-182, -400).
 */
function lineEnd(b: Uint8Array, i: number, end: number, bareCr = false): number {
  const lf = b.indexOf(LF, i);
  const e = lf < 0 || lf >= end ? end : lf;
  if (bareCr) {
    // CRs (and blanks) that open a line are junk before it, not an empty line (http-evader-286, -405, -490, -491)
    let k = i;
    while (k < e && (b[k] === CR || b[k] === SP || b[k] === HT)) k++;
    for (; k < e; k++) if (b[k] === CR && k + 1 < e) return k;
  }
  return e;
}

/** `b[from, to)` without a final CR. */
function trimCr(b: Uint8Array, from: number, to: number): number {
  return to > from && b[to - 1] === CR ? to - 1 : to;
}

const HTTP_ = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

function startsWithHttp(b: Uint8Array, i: number, end: number): boolean {
  if (end - i < 5) return false;
  for (let k = 0; k < 5; k++)
    if ((b[i + k] & 0xdf) !== (HTTP_[k] & 0xdf) && b[i + k] !== HTTP_[k]) return false;
  return true;
}

/**
 * Parses the header lines of `b[from, end)` (which ends with the empty line) into `out`.
 * Returns HttpTxFlag bits for what was unusual.
 */
export function parseHeaderLines(
  b: Uint8Array,
  from: number,
  end: number,
  out: HttpHeader[],
  bareCr = false,
): number {
  let flags = 0;
  let i = from;
  while (i < end) {
    const le = lineEnd(b, i, end, bareCr);
    const te = trimCr(b, i, le);
    if (te === i) break; // the empty line
    // response heads: "\n\r" is one line end (libhtp), so "\r\r\n" after a bare LF is the empty line
    if (bareCr && onlyCr(b, i, te) && i >= 2 && b[i - 1] === LF && b[i - 2] !== CR) break;
    let line: Uint8Array = b.subarray(i, te);
    let colon = line.indexOf(COLON);
    // folded continuation lines (starting with SP, HT or NUL: libhtp's folding_lws) belong to
    // this header, its name too while no colon was seen ("Transfer-Encoding\n :chunked")
    let next = le + 1;
    while (next < end && isFold(b[next])) {
      const le2 = lineEnd(b, next, end, bareCr);
      const te2 = trimCr(b, next, le2);
      if (te2 === next) break;
      let from = next;
      if (colon > 0) {
        // responses: a folded line that reads "name:" is a new header (libhtp's look-ahead
        // for "name with leading whitespace vs. folded value", http-evader-268, -269)
        if (bareCr && looksLikeHeaderName(b, next + 1, te2)) {
          next++;
          break;
        }
        // libhtp joins with the fold character unless the value is still empty
        // ("Transfer-Encoding:\n\0chunked" is "chunked", http-evader-307)
        if (allWs(line, colon + 1)) from++;
      }
      line = concat(line, b.subarray(from, te2));
      if (colon <= 0) colon = line.indexOf(COLON);
      flags |= HttpTxFlag.HEADER_FOLDING;
      next = le2 + 1;
    }
    if (colon <= 0) {
      // no name: libhtp keeps the line as a header without value and flags it
      flags |= HttpTxFlag.HEADER_INVALID;
      out.push({ name: line, value: line.subarray(line.length) });
    } else {
      // names are trimmed of whitespace on both sides and of trailing NULs (libhtp tolerates
      // " Name:" and "Name\0:", http-evader-268, -293)
      let ns = 0;
      while (ns < colon && isSpace(line[ns])) ns++;
      let ne = colon;
      while (ne > ns && (isSpace(line[ne - 1]) || line[ne - 1] === 0)) ne--;
      let vs = colon + 1;
      let ve = line.length;
      while (vs < ve && isWs(line[vs])) vs++;
      while (ve > vs && isWs(line[ve - 1])) ve--;
      out.push({ name: line.subarray(ns, ne), value: line.subarray(vs, ve) });
    }
    i = next;
  }
  return flags;
}

const isFold = (c: number) => c === SP || c === HT || c === 0;

function allWs(b: Uint8Array, from: number): boolean {
  for (let k = from; k < b.length; k++) if (!isWs(b[k])) return false;
  return true;
}

function onlyCr(b: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (b[k] !== CR) return false;
  return true;
}

function concat(a: Uint8Array, c: Uint8Array): Uint8Array {
  const j = new Uint8Array(a.length + c.length);
  j.set(a, 0);
  j.set(c, a.length);
  return j;
}

/** RFC 7230 token characters (libhtp's is_token: 32-126 without separators). */
const TOKEN = new Uint8Array(256);
for (let c = 33; c < 127; c++) TOKEN[c] = 1;
for (const c of '()<>@,;:\\"/[]?={}') TOKEN[c.charCodeAt(0)] = 0;
const isToken = (c: number) => TOKEN[c] === 1;

/** `b[from, to)` reads `[ \t]*token+[ \t]*:` (libhtp: token_chars then separator). */
function looksLikeHeaderName(b: Uint8Array, from: number, to: number): boolean {
  let k = from;
  while (k < to && isWs(b[k])) k++;
  const ts = k;
  while (k < to && isToken(b[k])) k++;
  if (k === ts) return false;
  while (k < to && isWs(b[k])) k++;
  return k < to && b[k] === COLON;
}

/**
 * Fills `req` from a request head (`head` is owned by the request from now on). Returns
 * HttpTxFlag bits; REQUEST_INVALID when the request line has no method or URI.
 */
export function parseRequestHead(head: Uint8Array, req: HttpRequest): number {
  const end = head.length;
  const le = lineEnd(head, 0, end);
  const te = trimCr(head, 0, le);
  req.requestLine = head.subarray(0, te);
  // leading whitespace before the method is ignored (IDS personality)
  let i = 0;
  while (i < te && isWs(head[i])) i++;
  const ms = i;
  while (i < te && !isWs(head[i])) i++;
  req.method = head.subarray(ms, i);
  while (i < te && isWs(head[i])) i++;
  // protocol: the last word, when it looks like one; the URI is what lies between
  let pe = te;
  while (pe > i && isWs(head[pe - 1])) pe--;
  let ps = pe;
  while (ps > i && !isWs(head[ps - 1])) ps--;
  let ue = pe;
  if (ps > i && startsWithHttp(head, ps, pe)) {
    req.protocol = head.subarray(ps, pe);
    ue = ps;
    while (ue > i && isWs(head[ue - 1])) ue--;
  } else {
    req.protocol = head.subarray(pe, pe);
  }
  req.rawUri = head.subarray(i, ue);
  const hs = Math.min(le + 1, end);
  req.rawHeaders = head.subarray(hs);
  let flags = parseHeaderLines(head, hs, end, req.headers);
  if (req.method.length === 0 || req.rawUri.length === 0) flags |= HttpTxFlag.REQUEST_INVALID;
  return flags;
}

/** True when the first line of a request (`b[0, end)`) has no protocol: HTTP/0.9, no headers follow. */
export function isHttp09RequestLine(b: Uint8Array, end: number): boolean {
  let te = trimCr(b, 0, end);
  while (te > 0 && isWs(b[te - 1])) te--;
  let ps = te;
  while (ps > 0 && !isWs(b[ps - 1])) ps--;
  // a single word (no URI) is not a request line at all; let the head parser flag it
  let k = 0;
  while (k < ps && isWs(b[k])) k++;
  return ps > k && !startsWithHttp(b, ps, te);
}

/** Fills `resp` from a response head. Returns HttpTxFlag bits (RESPONSE_INVALID: bad status line). */
export function parseResponseHead(head: Uint8Array, resp: HttpResponse): number {
  const end = head.length;
  const le = lineEnd(head, 0, end, true);
  const te = trimCr(head, 0, le);
  resp.responseLine = head.subarray(0, te);
  let i = 0;
  // blanks and NULs before the protocol are skipped (libhtp: take_is_space_or_null, http-evader-390)
  while (i < te && (isSpace(head[i]) || head[i] === 0)) i++;
  const ps = i;
  while (i < te && !isSpace(head[i])) i++;
  resp.protocol = head.subarray(ps, i);
  while (i < te && isSpace(head[i])) i++;
  const cs = i;
  while (i < te && !isSpace(head[i])) i++;
  resp.statusCode = head.subarray(cs, i);
  while (i < te && isSpace(head[i])) i++;
  resp.statusMsg = head.subarray(i, te);
  // the leading digits of the code (libhtp reads "200\0" as 200); 100-999 is valid
  let status = 0;
  let digits = 0;
  for (const c of resp.statusCode) {
    if (c < 0x30 || c > 0x39 || digits === 3) break;
    status = status * 10 + (c - 0x30);
    digits++;
  }
  resp.status = digits === 0 ? -1 : status;
  const hs = Math.min(le + 1, end);
  resp.rawHeaders = head.subarray(hs);
  let flags = parseHeaderLines(head, hs, end, resp.headers, true);
  if (!startsWithHttp(head, ps, ps + resp.protocol.length)) flags |= HttpTxFlag.RESPONSE_INVALID;
  else if (resp.status < 100 || resp.status > 999 || digits !== resp.statusCode.length) {
    flags |= HttpTxFlag.STATUS_INVALID;
  }
  return flags;
}

/**
 * Content-Length value as libhtp reads it: the first run of digits, whatever comes before or
 * after it ignored with a warning ("68," and "(68) 34" both read as 68, http-evader-253).
 * -1 when there is no digit.
 */
export function parseContentLength(v: Uint8Array | string): number {
  const s = typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
  const m = /[0-9]+/.exec(s);
  if (!m) return -1;
  const n = Number(m[0]);
  return Number.isSafeInteger(n) ? n : -1;
}
