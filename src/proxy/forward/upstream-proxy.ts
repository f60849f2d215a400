/** A parent proxy to chain through: `http://[user:pass@]host[:port]`. */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { UpstreamTarget } from '../core/upstream.js';

export interface ParentProxy {
  host: string;
  port: number;
  /** The URL without credentials (for stats and logs). */
  display: string;
  /** `Proxy-Authorization: Basic ...` line with CRLF, or ''. */
  authLine: string;
  /** Pooled connections for plain HTTP requests. */
  httpTarget: UpstreamTarget;
  /** Fresh connections for CONNECT tunnels. */
  tunnelTarget: UpstreamTarget;
}

export function parseParentProxy(url: string): ParentProxy {
  const bad = (why: string) =>
    new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `invalid upstream proxy URL ${JSON.stringify(url)}: ${why}`,
      {
        details: { url },
      },
    );
  if (typeof url !== 'string') throw bad('not a string');
  let u: URL;
  try {
    u = new URL(url.includes('://') ? url : `http://${url}`);
  } catch {
    throw bad('expected http://host:port');
  }
  if (u.protocol !== 'http:') throw bad('only http:// parent proxies are supported');
  if ((u.pathname !== '/' && u.pathname !== '') || u.search) throw bad('a proxy URL has no path');
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (host === '') throw bad('no host');
  const port = u.port === '' ? 80 : Number(u.port);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  const authLine = user
    ? `Proxy-Authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}\r\n`
    : '';
  const hostText = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    display: `http://${hostText}:${port}`,
    authLine,
    httpTarget: { key: `p:${host}:${port}:${user}`, host, port, tls: false },
    tunnelTarget: { key: `pt:${host}:${port}:${user}`, host, port, tls: false },
  };
}
