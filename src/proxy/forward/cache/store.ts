/**
 * The forward proxy's response cache: bounded in total bytes and per entry, least recently
 * used entries evicted first (a Map's insertion order, refreshed on use). Variants by `Vary`
 * are kept side by side under one URL.
 */
import { ErrorCodes, SentraError } from '../../../errors.js';
import { H_VARY, type HttpHead } from '../../http/head.js';

export interface CacheOptions {
  /** Total body + header bytes kept (default 64 MiB). */
  maxBytes?: number;
  /** Largest single response stored (default 1 MiB). */
  maxEntryBytes?: number;
}

export interface CacheEntry {
  key: string;
  status: number;
  /** Rest of the status line after the code (e.g. ` OK`). */
  statusRest: string;
  /** Stored header lines, each ending in CRLF (no hop-by-hop, framing or Age lines). */
  headerLines: string;
  body: Buffer;
  /** Lowercase names listed in Vary, and the request's values for them when stored. */
  varyNames: string[];
  varyValues: (string | undefined)[];
  /** When the response was received (ms). */
  responseTime: number;
  /** Its age when received (ms). */
  initialAgeMs: number;
  lifetimeMs: number;
  /** Always revalidate before use (no-cache). */
  noCache: boolean;
  etag: string | undefined;
  lastModified: string | undefined;
  size: number;
}

export class HttpCache {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  bytes = 0;
  entries = 0;
  evictions = 0;
  private readonly map = new Map<string, CacheEntry[]>();

  constructor(o: CacheOptions = {}) {
    this.maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = o.maxEntryBytes ?? 1024 * 1024;
    if (!(this.maxBytes > 0) || !(this.maxEntryBytes > 0)) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'cache sizes must be positive numbers of bytes');
    }
  }

  /** The stored variant of `key` that matches the request's Vary'd headers, or null. */
  lookup(key: string, req: HttpHead): CacheEntry | null {
    const list = this.map.get(key);
    if (list === undefined) return null;
    for (const e of list) {
      if (varyMatches(e, req)) {
        // refresh LRU position
        this.map.delete(key);
        this.map.set(key, list);
        return e;
      }
    }
    return null;
  }

  store(e: CacheEntry): boolean {
    if (e.size > this.maxEntryBytes || e.size > this.maxBytes) return false;
    const list = this.map.get(e.key) ?? [];
    // replace the variant with the same Vary values
    for (let i = 0; i < list.length; i++) {
      if (sameVariant(list[i], e)) {
        this.bytes -= list[i].size;
        this.entries--;
        list.splice(i, 1);
        break;
      }
    }
    list.push(e);
    this.map.delete(e.key);
    this.map.set(e.key, list);
    this.bytes += e.size;
    this.entries++;
    this.evict();
    return true;
  }

  /** Drops every variant of `key`. */
  delete(key: string): void {
    const list = this.map.get(key);
    if (list === undefined) return;
    for (const e of list) this.bytes -= e.size;
    this.entries -= list.length;
    this.map.delete(key);
  }

  /** Accounts for an entry whose headers were replaced in place (after a 304). */
  resize(e: CacheEntry, newSize: number): void {
    this.bytes += newSize - e.size;
    e.size = newSize;
    this.evict();
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
    this.entries = 0;
  }

  private evict(): void {
    while (this.bytes > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      const list = this.map.get(oldest.value)!;
      const e = list.shift()!;
      this.bytes -= e.size;
      this.entries--;
      this.evictions++;
      if (list.length === 0) this.map.delete(oldest.value);
    }
  }
}

function normalizeVaryValue(v: string | undefined): string | undefined {
  return v === undefined ? undefined : v.replace(/\s+/g, ' ').trim();
}

/** Lowercase header names listed in a response's Vary, or null for `Vary: *`. */
export function varyNamesOf(res: HttpHead): string[] | null {
  const v = res.getAll(H_VARY);
  if (v === undefined) return [];
  const names = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  return names.includes('*') ? null : names;
}

export function varyValuesOf(req: HttpHead, names: string[]): (string | undefined)[] {
  return names.map((n) => normalizeVaryValue(req.getByName(n)));
}

function varyMatches(e: CacheEntry, req: HttpHead): boolean {
  for (let i = 0; i < e.varyNames.length; i++) {
    if (normalizeVaryValue(req.getByName(e.varyNames[i])) !== e.varyValues[i]) return false;
  }
  return true;
}

function sameVariant(a: CacheEntry, b: CacheEntry): boolean {
  if (a.varyNames.join(',') !== b.varyNames.join(',')) return false;
  return a.varyValues.every((v, i) => v === b.varyValues[i]);
}
