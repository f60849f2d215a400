/**
 * Request targets a forward proxy receives: absolute-form (`http://host:port/path`) for plain
 * HTTP and authority-form (`host:port`) for CONNECT (RFC 9112 3.2). Pure functions.
 */

export interface Authority {
  /** Lowercase host name, or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

export interface AbsoluteTarget extends Authority {
  scheme: 'http' | 'https';
  /** origin-form: path and query, `/` when empty. */
  path: string;
  /** `host[:port]` as it should appear in a Host header (brackets kept for IPv6). */
  hostHeader: string;
}

const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/;
const IPV6_LITERAL = /^[0-9a-f:.]+$/;

function parsePortText(s: string): number {
  if (!/^\d{1,5}$/.test(s)) return -1;
  const v = Number(s);
  return v >= 1 && v <= 65535 ? v : -1;
}

/**
 * Parses `host[:port]` (brackets around IPv6). Returns null when malformed. Userinfo (`@`) is
 * refused: it is a classic way to disguise the real destination from filters.
 */
export function parseAuthority(
  text: string,
  defaultPort: number,
): (Authority & { hostHeader: string }) | null {
  if (text.length === 0 || text.length > 260 || text.includes('@')) return null;
  let host: string;
  let portText = '';
  let hostHeader: string;
  if (text[0] === '[') {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(1, close).toLowerCase();
    if (!IPV6_LITERAL.test(host) || !host.includes(':')) return null;
    const rest = text.slice(close + 1);
    if (rest.length > 0) {
      if (rest[0] !== ':') return null;
      portText = rest.slice(1);
    }
    hostHeader = `[${host}]`;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon).toLowerCase();
      portText = text.slice(colon + 1);
    } else {
      host = text.toLowerCase();
    }
    if (!HOST_NAME.test(host)) return null;
    hostHeader = host;
  }
  let port = defaultPort;
  if (portText.length > 0) {
    port = parsePortText(portText);
    if (port < 0) return null;
  } else if (text.endsWith(':')) {
    return null;
  }
  if (port !== defaultPort) hostHeader += ':' + port;
  if (host.endsWith('.')) host = host.slice(0, -1);
  return { host, port, hostHeader };
}

/** Parses an absolute-form target (`http://...` or `https://...`), or returns null. */
export function parseAbsoluteTarget(target: string): AbsoluteTarget | null {
  let scheme: 'http' | 'https';
  let rest: string;
  const lower = target.slice(0, 8).toLowerCase();
  if (lower.startsWith('http://')) {
    scheme = 'http';
    rest = target.slice(7);
  } else if (lower.startsWith('https://')) {
    scheme = 'https';
    rest = target.slice(8);
  } else {
    return null;
  }
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  const auth = parseAuthority(rest.slice(0, end), scheme === 'http' ? 80 : 443);
  if (auth === null) return null;
  let path = rest.slice(end);
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (path.length === 0 || path[0] === '?') path = '/' + path;
  return { scheme, host: auth.host, port: auth.port, path, hostHeader: auth.hostHeader };
}
