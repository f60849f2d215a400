/**
 * Responses the proxy writes itself (errors, blocks, auth challenges, CONNECT replies). Each
 * carries its reason in the body and in `X-Sentra-Reason`, so that a user behind the proxy and
 * a script reading headers both see why.
 */

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  508: 'Loop Detected',
};

/** Makes text safe inside a header value: printable ASCII only, bounded length. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

export interface LocalResponseOptions {
  /** Close the connection after this response. */
  close: boolean;
  /** Extra header lines without CRLF, e.g. `Proxy-Authenticate: Basic realm="sentra"`. */
  headers?: readonly string[];
  /** The client spoke HTTP/1.0 and asked for keep-alive: say it is kept. */
  keepAlive10?: boolean;
  /** Omit the body (response to HEAD). */
  headOnly?: boolean;
}

/** Builds a complete plain-text response as a latin1-safe string. */
export function localResponse(status: number, reason: string, opts: LocalResponseOptions): string {
  const text = STATUS_TEXT[status] ?? 'Error';
  const safe = headerSafe(reason);
  const body = `${status} ${text}: ${safe}\n`;
  let head =
    `HTTP/1.1 ${status} ${text}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Cache-Control: no-store\r\n' +
    `X-Sentra-Reason: ${safe}\r\n`;
  if (opts.headers) for (const h of opts.headers) head += h + '\r\n';
  if (opts.close) head += 'Connection: close\r\n';
  else if (opts.keepAlive10) head += 'Connection: keep-alive\r\n';
  return head + '\r\n' + (opts.headOnly ? '' : body);
}
