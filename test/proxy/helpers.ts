/** Real servers and clients on loopback for the proxy tests. */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface Origin {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 and a free port. */
export async function startOrigin(handler: http.RequestListener, port = 0): Promise<Origin> {
  const server = http.createServer({ keepAliveTimeout: 10_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const p = (server.address() as AddressInfo).port;
  return {
    server,
    port: p,
    url: `http://127.0.0.1:${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResult {
  text: string;
  /** The proxy closed the connection. */
  closed: boolean;
}

/** Writes raw bytes and collects what comes back until the peer closes or `waitMs` passes. */
export function rawExchange(port: number, data: string | Buffer, waitMs = 2_000): Promise<RawResult> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    s.write(data);
  });
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET through `port` (a reverse proxy), optionally from a chosen loopback address. */
export function get(
  port: number,
  path = '/',
  opts: { localAddress?: string; headers?: http.OutgoingHttpHeaders; agent?: http.Agent | false } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        localAddress: opts.localAddress,
        headers: opts.headers,
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs curl (argument array, no shell); never throws on a non-zero exit. */
export function curl(args: string[], timeoutMs = 20_000): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', ...args],
      { timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: err ? Number((err as { code: number }).code) : 0, stdout, stderr });
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` every 20 ms until true or `timeoutMs` (then throws, naming `what`). */
export async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - start;
}
