/**
 * HTTP caching rules for a shared cache (RFC 9111), as pure functions: Cache-Control parsing,
 * which responses may be stored, freshness lifetime (s-maxage, max-age, Expires, then the
 * Last-Modified heuristic) and age.
 */

export interface CacheControl {
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  public: boolean;
  mustRevalidate: boolean;
  /** -1 when absent. */
  maxAge: number;
  /** -1 when absent. */
  sMaxAge: number;
  onlyIfCached: boolean;
}

function seconds(v: string | undefined): number {
  if (v === undefined) return -1;
  const t = v.replace(/^"|"$/g, '');
  if (!/^\d{1,10}$/.test(t)) return -1;
  return Number(t);
}

export function parseCacheControl(value: string | undefined): CacheControl {
  const cc: CacheControl = {
    noStore: false,
    noCache: false,
    private: false,
    public: false,
    mustRevalidate: false,
    maxAge: -1,
    sMaxAge: -1,
    onlyIfCached: false,
  };
  if (!value) return cc;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const arg = eq < 0 ? undefined : part.slice(eq + 1).trim();
    switch (name) {
      case 'no-store':
        cc.noStore = true;
        break;
      case 'no-cache':
        cc.noCache = true;
        break;
      case 'private':
        cc.private = true;
        break;
      case 'public':
        cc.public = true;
        break;
      case 'must-revalidate':
      case 'proxy-revalidate':
        cc.mustRevalidate = true;
        break;
      case 'max-age':
        cc.maxAge = seconds(arg);
        break;
      case 's-maxage':
        cc.sMaxAge = seconds(arg);
        break;
      case 'only-if-cached':
        cc.onlyIfCached = true;
        break;
    }
  }
  return cc;
}

/** Parses an HTTP date; null when absent or invalid. */
export function parseHttpDate(v: string | undefined): number | null {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** Statuses a cache may store without explicit freshness (RFC 9110 15.1 "heuristically cacheable"). */
const HEURISTIC_STATUSES = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

export function isCacheableStatus(status: number): boolean {
  return HEURISTIC_STATUSES.has(status);
}

/** Longest heuristic lifetime (RFC 9111 4.2.2 suggests 10% of the age since modification). */
export const MAX_HEURISTIC_MS = 24 * 3600 * 1000;

export interface ResponseTimes {
  cc: CacheControl;
  date: number | null;
  expires: string | undefined;
  lastModified: number | null;
}

/** Freshness lifetime in ms (0 = stale at once). */
export function freshnessLifetimeMs(r: ResponseTimes, responseTime: number): number {
  if (r.cc.sMaxAge >= 0) return r.cc.sMaxAge * 1000;
  if (r.cc.maxAge >= 0) return r.cc.maxAge * 1000;
  if (r.expires !== undefined) {
    const exp = parseHttpDate(r.expires);
    // an invalid Expires (e.g. "0") means already expired
    if (exp === null) return 0;
    return Math.max(0, exp - (r.date ?? responseTime));
  }
  if (r.lastModified !== null) {
    const since = (r.date ?? responseTime) - r.lastModified;
    if (since > 0) return Math.min(MAX_HEURISTIC_MS, Math.floor(since / 10));
  }
  return 0;
}

/** RFC 9111 4.2.3: the age a response had when received. */
export function correctedInitialAgeMs(
  ageHeader: string | undefined,
  date: number | null,
  requestTime: number,
  responseTime: number,
): number {
  const apparent = date === null ? 0 : Math.max(0, responseTime - date);
  const ageValue = seconds(ageHeader?.trim());
  const corrected = (ageValue < 0 ? 0 : ageValue * 1000) + (responseTime - requestTime);
  return Math.max(apparent, corrected);
}

/** True when the `If-None-Match` list matches `etag` (weak comparison, RFC 9110 13.1.2). */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  if (ifNoneMatch.trim() === '*') return true;
  const want = strip(etag);
  return ifNoneMatch.split(',').some((t) => strip(t) === want);
}
