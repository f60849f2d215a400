/**
 * Request filters of the forward proxy are small plug-in objects (mitmproxy's addons, in
 * spirit): each looks at a request and either lets it pass or blocks it with a reason. The
 * first filter that blocks wins; a blocked request is answered 403 with the reason.
 */

/** What a filter sees of a request. Headers are materialised only when read. */
export interface ProxyRequest {
  /** `GET`, `POST`, ... or `CONNECT` for HTTPS tunnels. */
  readonly method: string;
  /** Absolute URL, or `host:port` for CONNECT. */
  readonly url: string;
  /** Lowercase destination host (no brackets, no trailing dot). */
  readonly host: string;
  readonly port: number;
  /** Path and query (`/` for CONNECT). */
  readonly path: string;
  /** `http`, `https` (absolute https URL) or `connect`. */
  readonly scheme: 'http' | 'https' | 'connect';
  /** Client address. */
  readonly client: string;
  /** Request headers, lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A filter function's answer: `true`/`undefined`/`null`/`'allow'` lets the request pass;
 * `false` blocks it; any other string blocks it with that string as the reason; an object
 * `{ block: true, reason }` (or `{ allow: false, reason }`) blocks it with a reason.
 */
export type FilterVerdict =
  | boolean
  | string
  | null
  | undefined
  | void
  | { block?: boolean; allow?: boolean; reason?: string };

/** A filter function (TypeScript callers and the Sentra-script layer pass these). */
export type FilterFunction = (req: ProxyRequest) => FilterVerdict | Promise<FilterVerdict>;

export interface ProxyFilter {
  /** Name shown in block reasons and listings. */
  readonly name: string;
  /** Returns a block reason, or null to let the request pass (maybe asynchronously). */
  check(req: ProxyRequest): string | null | Promise<string | null>;
}

/** Turns a verdict into a block reason or null. */
export function verdictReason(v: FilterVerdict, filterName: string): string | null {
  if (v === true || v === undefined || v === null || v === 'allow') return null;
  if (v === false) return `blocked by filter ${filterName}`;
  if (typeof v === 'string') return v.length > 0 ? v : `blocked by filter ${filterName}`;
  if (typeof v === 'object') {
    const blocked = v.block === true || v.allow === false;
    if (!blocked) return null;
    return typeof v.reason === 'string' && v.reason.length > 0 ? v.reason : `blocked by filter ${filterName}`;
  }
  return null;
}
