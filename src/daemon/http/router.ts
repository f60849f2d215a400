/**
 * A small router over node:http: routes are data (method, path with `:params`, whether the
 * token is needed, and an OpenAPI description), so the OpenAPI document is generated from the
 * same table that dispatches. Handlers return a value (sent as JSON) or {@link HANDLED} when
 * they wrote the response themselves (SSE, files). Every error leaves as JSON
 * `{"error": {"code": "SENTRA_ERR_...", "message", "details"}}` with a status from its code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorCode, ErrorCodes, SentraError, toSentraError } from '../../errors.js';

export const HANDLED = Symbol('handled');

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (at most `maxJsonBytes`); undefined when there is none. */
  json(): Promise<unknown>;
}

/** OpenAPI description of one route (parameters by name; bodies and results as JSON Schema). */
export interface RouteDoc {
  summary: string;
  tags?: string[];
  query?: Record<string, { type: string; description: string; enum?: string[] }>;
  body?: { contentType?: string; schema: Record<string, unknown>; description?: string };
  response?: Record<string, unknown>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Default true: needs the token. */
  auth?: boolean;
  doc: RouteDoc;
  handler(ctx: RequestContext): unknown | Promise<unknown>;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.PERMISSION_DENIED]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.INVALID_STATE]: 409,
  [ErrorCodes.FIREWALL_CONFLICT]: 409,
  [ErrorCodes.REQUEST_TOO_LARGE]: 413,
  [ErrorCodes.PCAP_BAD_MAGIC]: 422,
  [ErrorCodes.PCAP_CORRUPT]: 422,
  [ErrorCodes.PCAP_TRUNCATED]: 422,
  [ErrorCodes.PCAP_UNSUPPORTED_LINKTYPE]: 422,
  [ErrorCodes.DEPENDENCY_MISSING]: 503,
  [ErrorCodes.CAPTURE_UNAVAILABLE]: 503,
  [ErrorCodes.BACKEND_UNAVAILABLE]: 503,
  [ErrorCodes.TIMEOUT]: 504,
  [ErrorCodes.INTERNAL]: 500,
  [ErrorCodes.IO]: 500,
  [ErrorCodes.COMMAND_FAILED]: 500,
  [ErrorCodes.FIREWALL_BACKEND]: 500,
  [ErrorCodes.CAPTURE_FAILED]: 500,
};

/** HTTP status of a SentraError code: 4xx for what the caller can fix, 5xx for the rest. */
export function statusOf(code: ErrorCode): number {
  const s = STATUS[code];
  if (s !== undefined) return s;
  return /INVALID|SYNTAX|UNSUPPORTED|PROTECTED|UNSAFE|TOO_LARGE/.test(code) ? 400 : 500;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = toSentraError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, statusOf(err.code), { error: err.toJSON() });
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBytes) {
      throw new SentraError(ErrorCodes.REQUEST_TOO_LARGE, `the JSON body is larger than ${maxBytes} bytes`);
    }
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `the body is not valid JSON: ${(e as Error).message}`);
  }
}

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: Compiled[] = [];
  readonly routes: Route[] = [];

  constructor(private readonly maxJsonBytes = 16 << 20) {}

  add(...routes: Route[]): void {
    for (const route of routes) {
      const names: string[] = [];
      const re = new RegExp(
        `^${route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z_]+)/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      this.compiled.push({ route, re, names });
      this.routes.push(route);
    }
  }

  /** Finds the route; `methodMismatch` when the path exists under another method. */
  match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | 'methodMismatch' | null {
    let other = false;
    for (const c of this.compiled) {
      const m = c.re.exec(pathname);
      if (!m) continue;
      if (c.route.method !== method && !(method === 'HEAD' && c.route.method === 'GET')) {
        other = true;
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      return { route: c.route, params };
    }
    return other ? 'methodMismatch' : null;
  }

  /** Runs a matched route and writes its result. */
  async run(
    route: Route,
    params: Record<string, string>,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const ctx: RequestContext = {
      req,
      res,
      params,
      query: url.searchParams,
      json: () => readJson(req, this.maxJsonBytes),
    };
    try {
      const out = await route.handler(ctx);
      if (out === HANDLED) return;
      sendJson(res, route.method === 'POST' && out !== undefined ? 200 : 200, out ?? { ok: true });
    } catch (e) {
      sendError(res, e);
    }
  }
}

/** Query helpers that refuse malformed values with the parameter's name. */
export const q = {
  int(query: URLSearchParams, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = query.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `query parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`,
        {
          details: { parameter: name },
        },
      );
    }
    return n;
  },
  str(query: URLSearchParams, name: string): string | undefined {
    const v = query.get(name);
    return v === null || v === '' ? undefined : v;
  },
  /** Repeated or comma-separated values. */
  list(query: URLSearchParams, name: string, allowed?: readonly string[]): string[] | undefined {
    const vals = query
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (vals.length === 0) return undefined;
    if (allowed) {
      for (const v of vals) {
        if (!allowed.includes(v)) {
          throw new SentraError(
            ErrorCodes.INVALID_ARGUMENT,
            `query parameter ${name} must be among ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
            {
              details: { parameter: name },
            },
          );
        }
      }
    }
    return vals;
  },
};
