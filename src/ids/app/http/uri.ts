/**
 * http.uri normalization as libhtp does it under Suricata's defaults: the IDS personality
 * (backslash to slash, %-decoding including separators and %u, `//` compaction, dot-segment
 * removal) with the path's lower-casing turned off, as Suricata turns it off. The normalized
 * URI is the path, then `?query` and `#fragment` as received (Suricata's
 * SCHTPGenerateNormalizedUri with `uri-include-all: false`). Not done: libhtp's best-fit
 * mapping of UTF-8 and of %u code points above U+00FF to single bytes (they become `?`).
 */

const PERCENT = 0x25;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const QMARK = 0x3f;
const HASH = 0x23;
const DOT = 0x2e;

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

/** The normalized form of a raw request URI (a fresh array). */
export function normalizeUri(raw: Uint8Array): Uint8Array {
  let pathStart = 0;
  // absolute form: scheme://authority/path -> the path (the authority goes to http.host)
  const sep = findSchemeSep(raw);
  if (sep > 0) {
    const p = raw.indexOf(SLASH, sep + 3);
    const q = raw.indexOf(QMARK, sep + 3);
    pathStart = p < 0 ? raw.length : q >= 0 && q < p ? q : p;
  }
  let pathEnd = raw.length;
  for (let i = pathStart; i < raw.length; i++) {
    if (raw[i] === QMARK || raw[i] === HASH) {
      pathEnd = i;
      break;
    }
  }
  const path = normalizePath(raw.subarray(pathStart, pathEnd));
  const rest = raw.subarray(pathEnd);
  const out = new Uint8Array(path.length + rest.length);
  out.set(path, 0);
  out.set(rest, path.length);
  return out;
}

/** Index of "://" after a valid scheme at the start, or -1. */
function findSchemeSep(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    const alpha = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (alpha || (i > 0 && ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === DOT))) continue;
    if (c === 0x3a && i > 0 && b[i + 1] === SLASH && b[i + 2] === SLASH) return i;
    return -1;
  }
  return -1;
}

/** %-decoding, separators, then dot segments. */
export function normalizePath(p: Uint8Array): Uint8Array {
  const d = new Uint8Array(p.length);
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    let c = p[i];
    if (c === PERCENT) {
      if (i + 2 < p.length && hex(p[i + 1]) >= 0 && hex(p[i + 2]) >= 0) {
        c = (hex(p[i + 1]) << 4) | hex(p[i + 2]);
        i += 2;
      } else if (
        i + 5 < p.length &&
        (p[i + 1] | 0x20) === 0x75 &&
        hex(p[i + 2]) >= 0 &&
        hex(p[i + 3]) >= 0 &&
        hex(p[i + 4]) >= 0 &&
        hex(p[i + 5]) >= 0
      ) {
        const hi = (hex(p[i + 2]) << 4) | hex(p[i + 3]);
        const lo = (hex(p[i + 4]) << 4) | hex(p[i + 5]);
        c = hi === 0 ? lo : QMARK;
        i += 5;
      }
      // an invalid %-sequence stays as it is (libhtp: preserve percent)
    }
    if (c === BACKSLASH) c = SLASH;
    // compact separators
    if (c === SLASH && n > 0 && d[n - 1] === SLASH) continue;
    d[n++] = c;
  }
  return removeDotSegments(d.subarray(0, n));
}

/** RFC 3986 5.2.4 on an already decoded path. */
function removeDotSegments(input: Uint8Array): Uint8Array {
  const segs: Uint8Array[] = [];
  const absolute = input.length > 0 && input[0] === SLASH;
  let i = absolute ? 1 : 0;
  let trailing = false;
  while (i <= input.length) {
    let j = input.indexOf(SLASH, i);
    if (j < 0) j = input.length;
    const seg = input.subarray(i, j);
    const last = j >= input.length;
    if (seg.length === 1 && seg[0] === DOT) {
      trailing = last;
    } else if (seg.length === 2 && seg[0] === DOT && seg[1] === DOT) {
      segs.pop();
      trailing = last;
    } else {
      segs.push(seg);
      trailing = false;
    }
    i = j + 1;
    if (last) break;
  }
  let len = absolute ? 1 : 0;
  for (const s of segs) len += s.length + 1;
  if (segs.length > 0) len--;
  if (trailing && segs.length > 0) len++;
  const out = new Uint8Array(len);
  let o = 0;
  if (absolute) out[o++] = SLASH;
  segs.forEach((s, k) => {
    if (k > 0) out[o++] = SLASH;
    out.set(s, o);
    o += s.length;
  });
  if (trailing && segs.length > 0) out[o++] = SLASH;
  return out.subarray(0, o);
}
