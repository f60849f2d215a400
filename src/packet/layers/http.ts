/**
 * HTTP/1.x message heads (RFC 9112) from a single TCP segment or SSDP datagram: the request
 * line or status line and the header fields that follow, up to the blank line or the end of
 * the bytes; several pipelined messages in one segment are all read. Recognised by shape, not
 * by port: a request line starts with a registered method and a space (the version may be
 * missing, as in HTTP/0.9 and in lines cut by the segment end); a status line starts with
 * `HTTP/` and a version. These are the rules tshark applies, so both read the same messages.
 */

export interface HttpMessage {
  kind: 'request' | 'response';
  /** Request method (GET, POST, M-SEARCH...), '' for a response. */
  method: string;
  /** Request target: the text between the method and the next space; '' for a response. */
  uri: string;
  /** "HTTP/1.1", "HTTP/1.0"..., or '' when the request line has none. */
  version: string;
  /** Response status code (the digits after the version), 0 for a request. */
  statusCode: number;
  /** Response reason phrase, '' for a request. */
  reason: string;
  /** Header fields in order, names as sent. */
  headers: [name: string, value: string][];
  /** The blank line ending the head was in these bytes. */
  complete: boolean;
  /** First value of the header `name` (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  /** Every value of the header `name` (case-insensitive), in order. */
  headerAll(name: string): string[];
}

/** A head longer than this is not parsed further (headers after it are ignored). */
const MAX_HEAD = 64 * 1024;
/** Pipelined messages read from one segment: bounds the work per packet. */
const MAX_MESSAGES = 16;

/**
 * Methods that start a request: RFC 9110, WebDAV and its extensions (IANA registry), SSDP/UPnP
 * (M-SEARCH, NOTIFY, SUBSCRIBE), Microsoft's RPC over HTTP and WebDAV extensions.
 */
const METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'ACL',
  'BASELINE-CONTROL',
  'BIND',
  'CHECKIN',
  'CHECKOUT',
  'COPY',
  'LABEL',
  'LINK',
  'LOCK',
  'MERGE',
  'MKACTIVITY',
  'MKCALENDAR',
  'MKCOL',
  'MKREDIRECTREF',
  'MKWORKSPACE',
  'MOVE',
  'ORDERPATCH',
  'PROPFIND',
  'PROPPATCH',
  'REBIND',
  'REPORT',
  'SEARCH',
  'UNBIND',
  'UNCHECKOUT',
  'UNLINK',
  'UNLOCK',
  'UPDATE',
  'UPDATEREDIRECTREF',
  'VERSION-CONTROL',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'POLL',
  'BCOPY',
  'BDELETE',
  'BMOVE',
  'BPROPFIND',
  'BPROPPATCH',
  'RPC_IN_DATA',
  'RPC_OUT_DATA',
  'X-MS-ENUMATTS',
  'CCM_POST',
]);
const MAX_METHOD = 20;

const latin1 = new TextDecoder('latin1');

class Head implements HttpMessage {
  kind: 'request' | 'response' = 'request';
  method = '';
  uri = '';
  version = '';
  statusCode = 0;
  reason = '';
  headers: [string, string][] = [];
  complete = false;
  header(name: string): string | undefined {
    const n = name.toLowerCase();
    for (const [k, v] of this.headers) if (k.toLowerCase() === n) return v;
    return undefined;
  }
  headerAll(name: string): string[] {
    const n = name.toLowerCase();
    return this.headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
  }
}

/** "HTTP/" and a digit. */
function isVersion(b: Uint8Array, o: number, end: number): boolean {
  return (
    end - o >= 6 &&
    b[o] === 0x48 &&
    b[o + 1] === 0x54 &&
    b[o + 2] === 0x54 &&
    b[o + 3] === 0x50 &&
    b[o + 4] === 0x2f &&
    isDigit(b[o + 5])
  );
}

/** End of the version token at `o` (the next space or the line end). */
function tokenEnd(b: Uint8Array, o: number, stop: number): number {
  while (o < stop && b[o] !== 0x20) o++;
  return o;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Index of the next LF at or after `o`, or -1. */
function findLf(b: Uint8Array, o: number, end: number): number {
  for (let i = o; i < end; i++) if (b[i] === 0x0a) return i;
  return -1;
}

/**
 * Every HTTP message head in `buf[off, off+len)`, in order; empty when it holds none.
 * `requireVersion`: a request line must end with `HTTP/x` (off the well-known HTTP ports, a
 * line like `CONNECT {...}` is another protocol, not HTTP/0.9).
 */
export function parseHttp(buf: Uint8Array, off: number, len: number, requireVersion = true): HttpMessage[] {
  const out: HttpMessage[] = [];
  const end = off + len;
  let o = off;
  while (o < end && out.length < MAX_MESSAGES) {
    if (out.length > 0) {
      // blank lines between pipelined messages are tolerated
      while (o < end && (buf[o] === 0x0d || buf[o] === 0x0a)) o++;
      if (o >= end) break;
    }
    const r = parseOne(buf, o, end, requireVersion);
    if (r === null) break;
    out.push(r.head);
    if (!r.head.complete || r.next < 0 || r.next >= end) break;
    o = r.next;
  }
  return out;
}

function parseOne(
  b: Uint8Array,
  off: number,
  end0: number,
  requireVersion: boolean,
): { head: Head; next: number } | null {
  const end = end0 - off > MAX_HEAD ? off + MAX_HEAD : end0;
  const head = new Head();
  let lf = findLf(b, off, end);
  let stop = lf < 0 ? end : lf > off && b[lf - 1] === 0x0d ? lf - 1 : lf;
  // the first line ends at a NUL byte, as it does for tshark (and for C servers)
  for (let i = off; i < stop; i++) {
    if (b[i] === 0) {
      stop = i;
      break;
    }
  }
  if (isVersion(b, off, stop)) {
    const ve = tokenEnd(b, off, stop);
    head.kind = 'response';
    head.version = latin1.decode(b.subarray(off, ve));
    // status code: three digits, or fewer when they end the line (tshark's reading)
    let i = ve;
    while (i < stop && b[i] === 0x20) i++;
    let code = 0;
    let digits = 0;
    while (i < stop && digits < 3 && isDigit(b[i])) {
      code = code * 10 + (b[i] - 0x30);
      i++;
      digits++;
    }
    if (digits === 0 || (digits < 3 && i < stop) || (i < stop && b[i] !== 0x20)) return null;
    head.statusCode = code;
    if (i < stop && b[i] === 0x20) i++;
    head.reason = latin1.decode(b.subarray(i, stop));
  } else {
    let i = off;
    while (i < stop && i - off <= MAX_METHOD && b[i] !== 0x20) i++;
    if (i >= stop || b[i] !== 0x20) return null;
    const method = latin1.decode(b.subarray(off, i));
    if (!METHODS.has(method)) return null;
    // the target runs to the next space (it may be empty); the version ends the line
    const us = i + 1;
    const ue = tokenEnd(b, us, stop);
    let vs = stop;
    while (vs > ue && b[vs - 1] !== 0x20) vs--;
    const hasVersion = vs > ue && isVersion(b, vs, stop);
    if (requireVersion && !hasVersion) return null;
    head.kind = 'request';
    head.method = method;
    head.uri = latin1.decode(b.subarray(us, ue));
    if (hasVersion) head.version = latin1.decode(b.subarray(vs, stop));
  }
  // header fields: name ":" OWS value OWS, one per line, until an empty line
  let o = lf < 0 ? end : lf + 1;
  let contentLength = -1;
  while (o < end) {
    lf = findLf(b, o, end);
    stop = lf < 0 ? end : lf > o && b[lf - 1] === 0x0d ? lf - 1 : lf;
    if (stop === o) {
      if (lf >= 0) {
        head.complete = true;
        o = lf + 1;
      }
      break;
    }
    let colon = o;
    while (colon < stop && b[colon] !== 0x3a) colon++;
    if (colon < stop && colon > o) {
      let vs = colon + 1;
      while (vs < stop && (b[vs] === 0x20 || b[vs] === 0x09)) vs++;
      let ve = stop;
      while (ve > vs && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
      const name = latin1.decode(b.subarray(o, colon));
      const value = latin1.decode(b.subarray(vs, ve));
      head.headers.push([name, value]);
      if (name.length === 14 && name.toLowerCase() === 'content-length') {
        const n = /^\d{1,15}$/.test(value) ? Number(value) : -1;
        if (n >= 0) contentLength = n;
      }
    }
    if (lf < 0) {
      o = end;
      break;
    }
    o = lf + 1;
  }
  // the next message starts after this one's body, when the body's length is known
  let next = -1;
  if (head.complete) {
    if (contentLength >= 0) next = o + contentLength;
    else if (head.kind === 'request') next = o;
  }
  return { head, next };
}
