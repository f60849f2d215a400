/**
 * How the forward proxy uses its cache for one exchange: decide (hit, revalidate, miss,
 * bypass) from the request, serve an entry (or 304 to a client's own conditional), decide
 * whether a response may be stored, and refresh an entry from a 304.
 */

import { idBit, keptHeaderLines } from '../../core/rewrite.js';
import {
  H_AGE,
  H_AUTHORIZATION,
  H_CACHE_CONTROL,
  H_CONTENT_LENGTH,
  H_DATE,
  H_ETAG,
  H_EXPIRES,
  H_IF_MODIFIED_SINCE,
  H_IF_NONE_MATCH,
  H_LAST_MODIFIED,
  H_PRAGMA,
  H_SET_COOKIE,
  H_TRANSFER_ENCODING,
  type HttpHead,
} from '../../http/head.js';
import {
  correctedInitialAgeMs,
  etagMatches,
  freshnessLifetimeMs,
  isCacheableStatus,
  parseCacheControl,
  parseHttpDate,
} from './freshness.js';
import { type CacheEntry, type HttpCache, varyNamesOf, varyValuesOf } from './store.js';

export type CacheDecision =
  | { kind: 'hit'; entry: CacheEntry }
  | { kind: 'revalidate'; entry: CacheEntry }
  | { kind: 'miss' }
  | { kind: 'bypass' };

/** What the request allows: may it be answered from the cache, may its response be stored. */
export function decide(cache: HttpCache, key: string, req: HttpHead, now: number): CacheDecision {
  if (req.method !== 'GET') return { kind: 'bypass' };
  const cc = parseCacheControl(req.getAll(H_CACHE_CONTROL));
  if (cc.noStore || req.first[H_AUTHORIZATION] >= 0) return { kind: 'bypass' };
  const entry = cache.lookup(key, req);
  if (entry === null) return { kind: 'miss' };
  const pragmaNoCache = req.first[H_CACHE_CONTROL] < 0 && /no-cache/i.test(req.getAll(H_PRAGMA) ?? '');
  const wantsFresh = cc.noCache || cc.maxAge === 0 || pragmaNoCache;
  const age = currentAgeMs(entry, now);
  const fresh = !entry.noCache && age < entry.lifetimeMs && (cc.maxAge < 0 || age < cc.maxAge * 1000);
  if (fresh && !wantsFresh) return { kind: 'hit', entry };
  const clientConditional = req.first[H_IF_NONE_MATCH] >= 0 || req.first[H_IF_MODIFIED_SINCE] >= 0;
  if ((entry.etag !== undefined || entry.lastModified !== undefined) && !clientConditional) {
    return { kind: 'revalidate', entry };
  }
  return { kind: 'miss' };
}

export function currentAgeMs(e: CacheEntry, now: number): number {
  return e.initialAgeMs + Math.max(0, now - e.responseTime);
}

/** Conditional header lines to revalidate `e` with its origin. */
export function conditionalLines(e: CacheEntry): string {
  let out = '';
  if (e.etag !== undefined) out += `If-None-Match: ${e.etag}\r\n`;
  if (e.lastModified !== undefined) out += `If-Modified-Since: ${e.lastModified}\r\n`;
  return out;
}

/** Head lines (no Connection, no blank line) and body answering `req` from `e`. */
export function serveEntry(
  e: CacheEntry,
  req: HttpHead,
  now: number,
  xCache: string,
): { status: number; headLines: string; body: Buffer | null } {
  const age = Math.floor(currentAgeMs(e, now) / 1000);
  if (e.status === 200 && clientConditionalMatches(e, req)) {
    let head = 'HTTP/1.1 304 Not Modified\r\n';
    for (const line of e.headerLines.split('\r\n')) {
      if (/^(etag|cache-control|expires|date|vary|last-modified):/i.test(line)) head += line + '\r\n';
    }
    return { status: 304, headLines: `${head}Age: ${age}\r\nX-Cache: ${xCache}\r\n`, body: null };
  }
  return {
    status: e.status,
    headLines:
      `HTTP/1.1 ${e.status}${e.statusRest}\r\n${e.headerLines}` +
      `Age: ${age}\r\nContent-Length: ${e.body.length}\r\nX-Cache: ${xCache}\r\n`,
    body: e.body,
  };
}

function clientConditionalMatches(e: CacheEntry, req: HttpHead): boolean {
  const inm = req.getAll(H_IF_NONE_MATCH);
  if (inm !== undefined) return e.etag !== undefined && etagMatches(inm, e.etag);
  const ims = parseHttpDate(req.get(H_IF_MODIFIED_SINCE));
  const lm = parseHttpDate(e.lastModified);
  return ims !== null && lm !== null && lm <= ims;
}

const STORE_DROP = idBit(H_AGE) | idBit(H_CONTENT_LENGTH) | idBit(H_TRANSFER_ENCODING);

/**
 * A new entry for `res` (body still to be captured) when a shared cache may store it, else
 * null: GET, a cacheable status, no no-store/private, no Set-Cookie, not `Vary: *`, a known
 * size within the limit, and some freshness or a validator.
 */
export function storableEntry(
  cache: HttpCache,
  key: string,
  req: HttpHead,
  res: HttpHead,
  requestTime: number,
  now: number,
): CacheEntry | null {
  if (req.method !== 'GET' || !isCacheableStatus(res.status)) return null;
  const cc = parseCacheControl(res.getAll(H_CACHE_CONTROL));
  if (cc.noStore || cc.private || res.first[H_SET_COOKIE] >= 0) return null;
  if (req.first[H_AUTHORIZATION] >= 0 && !cc.public && cc.sMaxAge < 0 && !cc.mustRevalidate) return null;
  if (res.contentLength > cache.maxEntryBytes) return null;
  const varyNames = varyNamesOf(res);
  if (varyNames === null) return null;
  const date = parseHttpDate(res.get(H_DATE));
  const lastModifiedText = res.get(H_LAST_MODIFIED);
  const lifetimeMs = freshnessLifetimeMs(
    { cc, date, expires: res.get(H_EXPIRES), lastModified: parseHttpDate(lastModifiedText) },
    now,
  );
  const etag = res.get(H_ETAG);
  if (lifetimeMs === 0 && etag === undefined && lastModifiedText === undefined) return null;
  const headerLines = keptHeaderLines(res, STORE_DROP);
  return {
    key,
    status: res.status,
    statusRest: res.buf.toString('latin1', res.start + 12, res.lineEnd),
    headerLines,
    body: Buffer.alloc(0),
    varyNames,
    varyValues: varyValuesOf(req, varyNames),
    responseTime: now,
    initialAgeMs: correctedInitialAgeMs(res.get(H_AGE), date, requestTime, now),
    lifetimeMs,
    noCache: cc.noCache,
    etag,
    lastModified: lastModifiedText,
    size: headerLines.length,
  };
}

/** Updates `e` with the headers of a 304 that confirmed it (RFC 9111 4.3.4). */
export function refreshFrom304(e: CacheEntry, res: HttpHead, requestTime: number, now: number): void {
  const updated = new Map<string, string>();
  for (let i = 0; i < res.count; i++) {
    if (res.drop[i] === 1) continue;
    const name = res.name(i);
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'age') continue;
    updated.set(name, `${res.buf.toString('latin1', res.pos[i * 4], res.pos[i * 4 + 1])}: ${res.value(i)}`);
  }
  const kept: string[] = [];
  for (const line of e.headerLines.split('\r\n')) {
    if (line === '') continue;
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    if (!updated.has(name)) kept.push(line);
  }
  for (const line of updated.values()) kept.push(line);
  e.headerLines = kept.map((l) => l + '\r\n').join('');
  const cc = parseCacheControl(res.getAll(H_CACHE_CONTROL) ?? headerValue(e.headerLines, 'cache-control'));
  const date = parseHttpDate(res.get(H_DATE));
  e.responseTime = now;
  e.initialAgeMs = correctedInitialAgeMs(res.get(H_AGE), date, requestTime, now);
  e.lifetimeMs = freshnessLifetimeMs(
    {
      cc,
      date,
      expires: res.get(H_EXPIRES) ?? headerValue(e.headerLines, 'expires'),
      lastModified: parseHttpDate(e.lastModified),
    },
    now,
  );
  e.noCache = cc.noCache;
  e.etag = res.get(H_ETAG) ?? e.etag;
  e.lastModified = res.get(H_LAST_MODIFIED) ?? e.lastModified;
}

function headerValue(lines: string, name: string): string | undefined {
  for (const line of lines.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}
