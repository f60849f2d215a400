/**
 * The daemon's request handler: the dashboard's static files (no token: they hold no data),
 * /metrics, /api/openapi.json and the API routes. The API takes the token as
 * `Authorization: Bearer` (scripts, Prometheus) or as the session cookie the dashboard gets
 * at sign-in; a cookie-authenticated request that changes something must also carry the
 * `x-sentra-csrf` header, which a cross-site form cannot send.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_FUNCTIONS } from '../../api/index.js';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { DaemonState } from '../daemon.js';
import { tokenMatches } from '../token.js';
import { openApiDocument } from './openapi.js';
import { Router, sendError, sendJson } from './router.js';
import { controlRoutes, SESSION_COOKIE } from './routes-control.js';
import { dataRoutes } from './routes-data.js';

/** Dashboard files beside this module (src/daemon/dashboard, copied to dist by the build). */
export function dashboardDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/charts.js': { file: 'charts.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

function cookie(req: IncomingMessage, name: string): string | undefined {
  const h = req.headers.cookie;
  if (!h) return undefined;
  for (const part of h.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function authorized(s: DaemonState, req: IncomingMessage): boolean {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return tokenMatches(s.token, h.slice(7).trim());
  const c = cookie(req, SESSION_COOKIE);
  if (c === undefined || !tokenMatches(s.token, c)) return false;
  return req.method === 'GET' || req.method === 'HEAD' || req.headers['x-sentra-csrf'] === '1';
}

const UNAUTHORIZED = new SentraError(
  ErrorCodes.UNAUTHORIZED,
  'send the access token as "Authorization: Bearer <token>" (printed at first start, stored in <data_dir>/token)',
);

/** Builds the request handler of one daemon. */
export function createHandler(s: DaemonState): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const router = new Router();
  router.add(...dataRoutes(s), ...controlRoutes(s));
  const openapi = JSON.stringify(openApiDocument(router.routes, API_FUNCTIONS));
  const cache = new Map<string, Buffer>();
  const dir = dashboardDir();
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendError(res, new SentraError(ErrorCodes.INVALID_ARGUMENT, 'malformed request URL'));
      return;
    }
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const p = url.pathname;
    try {
      if (p === '/api/openapi.json') {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(openapi);
        return;
      }
      if (p === '/metrics') {
        if (s.config.http.metrics_auth && !authorized(s, req)) throw UNAUTHORIZED;
        const text = await s.metrics.metrics();
        res.writeHead(200, { 'content-type': s.metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
        return;
      }
      if (p.startsWith('/api/')) {
        const m = router.match(req.method ?? 'GET', p);
        if (m === null)
          throw new SentraError(ErrorCodes.NOT_FOUND, `no API route ${p}`, { details: { path: p } });
        if (m === 'methodMismatch') {
          throw new SentraError(ErrorCodes.NOT_FOUND, `${req.method} is not served on ${p}`, {
            details: { path: p, method: req.method },
          });
        }
        if (m.route.auth !== false && !authorized(s, req)) throw UNAUTHORIZED;
        await router.run(m.route, m.params, req, res, url);
        return;
      }
      if (p === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      const f = STATIC[p];
      if (!f || (req.method !== 'GET' && req.method !== 'HEAD')) {
        throw new SentraError(ErrorCodes.NOT_FOUND, `nothing at ${p}`, { details: { path: p } });
      }
      let body = cache.get(f.file);
      if (!body) {
        body = readFileSync(path.join(dir, f.file));
        cache.set(f.file, body);
      }
      res.writeHead(200, {
        'content-type': f.type,
        'content-length': body.length,
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      sendError(res, e);
    }
  };
}

export { sendJson };
