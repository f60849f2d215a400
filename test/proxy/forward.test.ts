/**
 * The forward proxy with curl as the client oracle, against real origin servers on loopback
 * (plain HTTP and HTTPS with a certificate made for the test).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  proxyAddFilter,
  proxyGetLogs,
  proxyGetStats,
  proxySetUpstream,
  proxyStart,
  proxyStop,
} from '../../src/proxy/api.js';
import { ForwardProxy, type ForwardProxyOptions } from '../../src/proxy/forward/proxy.js';
import { curl, type Origin, rawExchange, startOrigin, until } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

let tmp: string;
let certFile: string;
let tlsServer: https.Server;
let tlsPort: number;
let origin: Origin;
const seen: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-proxy-'));
  certFile = path.join(tmp, 'cert.pem');
  const keyFile = path.join(tmp, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
    ].concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']),
    { stdio: 'ignore' },
  );
  tlsServer = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) =>
    res.end(`secure ${req.url}`),
  );
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
  tlsPort = (tlsServer.address() as AddressInfo).port;
  origin = await startOrigin((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const u = req.url ?? '/';
    if (u.startsWith('/cached')) {
      res.setHeader('Cache-Control', 'max-age=60');
      res.end(`cached body ${seen.length}`);
    } else if (u.startsWith('/etag')) {
      res.setHeader('Cache-Control', 'max-age=0');
      res.setHeader('ETag', '"v1"');
      if (req.headers['if-none-match'] === '"v1"') {
        res.statusCode = 304;
        res.end();
      } else {
        res.end('etag body');
      }
    } else if (u.startsWith('/vary')) {
      res.setHeader('Cache-Control', 'max-age=60');
      res.setHeader('Vary', 'Accept-Language');
      res.end(`lang ${req.headers['accept-language']}`);
    } else if (u.startsWith('/private')) {
      res.setHeader('Cache-Control', 'private, max-age=60');
      res.end('mine');
    } else if (u.startsWith('/chunked')) {
      res.write('part1-');
      setTimeout(() => res.end('part2'), 10);
    } else if (u.startsWith('/echo')) {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => res.end(`${req.method} ${body.length} ${body.slice(0, 20)}`));
    } else {
      res.end(`hello ${u}`);
    }
  });
});

afterAll(async () => {
  await origin?.close();
  tlsServer?.closeAllConnections();
  await new Promise((r) => tlsServer?.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

async function proxy(opts: Partial<ForwardProxyOptions> = {}): Promise<ForwardProxy> {
  const p = new ForwardProxy({ port: 0, ...opts });
  await p.start();
  cleanups.push(() => p.stop(200));
  return p;
}

const hits = (prefix: string) => seen.filter((s) => s.url.startsWith(prefix));

describe('forward proxy with curl', () => {
  it('relays plain HTTP and keeps the client connection alive between requests', async () => {
    const p = await proxy();
    const r = await curl(['-v', '-x', `http://127.0.0.1:${p.port}`, `${origin.url}/a`, `${origin.url}/b`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello /ahello /b');
    expect(r.stderr).toMatch(/Re-using existing connection/);
    const via = hits('/a').at(-1)!.headers.via;
    expect(via).toMatch(/^1\.1 sentra-[0-9a-f]{6}$/);
    expect(hits('/a').at(-1)!.headers.host).toBe(`127.0.0.1:${origin.port}`);
    expect(p.stats()).toMatchObject({ requests_total: 2, requests_blocked: 0 });
  });

  it('tunnels HTTPS with CONNECT to a local TLS server', async () => {
    const p = await proxy();
    const r = await curl([
      '--cacert',
      certFile,
      '-x',
      `http://127.0.0.1:${p.port}`,
      `https://127.0.0.1:${tlsPort}/tls`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('secure /tls');
    await until(() => p.stats().requests_total === 1, 3_000, 'tunnel closed');
    const s = p.stats();
    expect(s.tunnels_opened).toBe(1);
    expect(s.bytes_in).toBeGreaterThan(200);
    expect(s.bytes_out).toBeGreaterThan(500);
  });

  it('answers a blocked domain (and its subdomains) with 403 and the reason, counts and logs it', async () => {
    const p = await proxy({ blockedDomains: ['blocked.test'], logRequests: true });
    const r = await curl(['-i', '-x', `http://127.0.0.1:${p.port}`, 'http://ads.blocked.test/banner']);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(r.stdout).toMatch(/domain blocked\.test is blocked/);
    const t = await curl(['-x', `http://127.0.0.1:${p.port}`, 'https://blocked.test/']);
    expect(t.code).toBe(56);
    expect(t.stderr).toMatch(/403/);
    const ok = await curl(['-x', `http://127.0.0.1:${p.port}`, `${origin.url}/fine`]);
    expect(ok.stdout).toBe('hello /fine');
    expect(p.stats()).toMatchObject({ requests_total: 3, requests_blocked: 2 });
    const logs = p.logs(10);
    expect(logs.map((l) => [l.method, l.status, l.blocked_reason])).toEqual([
      ['GET', 403, 'domain blocked.test is blocked'],
      ['CONNECT', 403, 'domain blocked.test is blocked'],
      ['GET', 200, undefined],
    ]);
    expect(logs[1].url).toBe('blocked.test:443');
  });

  it('serves the second GET of a cacheable resource from the cache', async () => {
    const p = await proxy({ cache: true });
    const before = hits('/cached').length;
    const a = await curl(['-i', '-x', `http://127.0.0.1:${p.port}`, `${origin.url}/cached`]);
    const b = await curl(['-i', '-x', `http://127.0.0.1:${p.port}`, `${origin.url}/cached`]);
    expect(hits('/cached').length - before).toBe(1);
    expect(a.stdout).toMatch(/X-Cache: MISS/);
    expect(b.stdout).toMatch(/X-Cache: HIT/);
    expect(b.stdout).toMatch(/\r\nAge: \d+\r\n/);
    expect(b.stdout.split('\r\n\r\n')[1]).toBe(a.stdout.split('\r\n\r\n')[1]);
    expect(p.stats()).toMatchObject({ cache_hits: 1, cache_misses: 1, cache_entries: 1 });
  });

  it('revalidates a stale entry with its ETag and serves it on 304', async () => {
    const p = await proxy({ cache: true });
    const before = hits('/etag').length;
    await curl(['-x', `http://127.0.0.1:${p.port}`, `${origin.url}/etag`]);
    const b = await curl(['-i', '-x', `http://127.0.0.1:${p.port}`, `${origin.url}/etag`]);
    const reqs = hits('/etag').slice(before);
    expect(reqs.length).toBe(2);
    expect(reqs[1].headers['if-none-match']).toBe('"v1"');
    expect(b.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(b.stdout).toMatch(/X-Cache: REVALIDATED/);
    expect(b.stdout.endsWith('etag body')).toBe(true);
  });

  it('keeps Vary variants apart and does not store private responses', async () => {
    const p = await proxy({ cache: true });
    const x = `http://127.0.0.1:${p.port}`;
    const en1 = await curl(['-x', x, '-H', 'Accept-Language: en', `${origin.url}/vary`]);
    const fr = await curl(['-x', x, '-H', 'Accept-Language: fr', `${origin.url}/vary`]);
    const en2 = await curl(['-i', '-x', x, '-H', 'Accept-Language: en', `${origin.url}/vary`]);
    expect(en1.stdout).toBe('lang en');
    expect(fr.stdout).toBe('lang fr');
    expect(en2.stdout).toMatch(/X-Cache: HIT/);
    expect(en2.stdout.endsWith('lang en')).toBe(true);
    const before = hits('/private').length;
    await curl(['-x', x, `${origin.url}/private`]);
    await curl(['-x', x, `${origin.url}/private`]);
    expect(hits('/private').length - before).toBe(2);
  });

  it('chains through a second instance, for plain HTTP and for CONNECT', async () => {
    const parent = await proxy();
    const child = await proxy({ upstream: `http://127.0.0.1:${parent.port}` });
    const r = await curl(['-x', `http://127.0.0.1:${child.port}`, `${origin.url}/chained`]);
    expect(r.stdout).toBe('hello /chained');
    const via = String(hits('/chained').at(-1)!.headers.via);
    expect(via.split(',').length).toBe(2);
    const t = await curl([
      '--cacert',
      certFile,
      '-x',
      `http://127.0.0.1:${child.port}`,
      `https://127.0.0.1:${tlsPort}/c`,
    ]);
    expect(t.stdout).toBe('secure /c');
    // a tunnel is counted when it closes, which the proxies see a moment after curl exits
    await until(
      () => parent.stats().requests_total === 2 && child.stats().requests_total === 2,
      3_000,
      'tunnels closed',
    );
    expect(parent.stats()).toMatchObject({ requests_total: 2, tunnels_opened: 1 });
    expect(child.stats()).toMatchObject({
      requests_total: 2,
      tunnels_opened: 1,
      upstream: `http://127.0.0.1:${parent.port}`,
    });
    child.setUpstream(null);
    await curl(['-x', `http://127.0.0.1:${child.port}`, `${origin.url}/direct`]);
    expect(parent.stats().requests_total).toBe(2);
  });

  it('fetches absolute https:// URIs over TLS and verifies the certificate', async () => {
    const p = await proxy();
    const r = await rawExchange(
      p.port,
      `GET https://127.0.0.1:${tlsPort}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      2_000,
    );
    // the test certificate is self-signed and not in Node's trust store
    expect(r.text.startsWith('HTTP/1.1 502')).toBe(true);
    expect(r.text).toMatch(/self[- ]signed/i);
  });

  it('requires Basic authentication when configured', async () => {
    const p = await proxy({ auth: { username: 'u', password: 'p w' } });
    const no = await curl(['-i', '-x', `http://127.0.0.1:${p.port}`, `${origin.url}/auth`]);
    expect(no.stdout).toMatch(/^HTTP\/1\.1 407/);
    expect(no.stdout).toMatch(/Proxy-Authenticate: Basic realm="sentra"/);
    const yes = await curl([
      '-x',
      `http://127.0.0.1:${p.port}`,
      '--proxy-user',
      'u:p w',
      `${origin.url}/auth`,
    ]);
    expect(yes.stdout).toBe('hello /auth');
    expect(hits('/auth').at(-1)!.headers['proxy-authorization']).toBeUndefined();
  });

  it('applies filter functions (sync and async), URL patterns and method lists', async () => {
    const p = await proxy({ blockedUrls: ['*/ads/*'], allowedMethods: ['GET', 'POST', 'CONNECT'] });
    p.addFilter((req) => (req.path.startsWith('/admin') ? `admin is off limits for ${req.client}` : true));
    p.addFilter(async (req) => ({ block: req.headers['x-evil'] === '1', reason: 'evil header' }));
    const x = `http://127.0.0.1:${p.port}`;
    expect((await curl(['-x', x, `${origin.url}/admin/x`])).stdout).toMatch(
      /admin is off limits for 127\.0\.0\.1/,
    );
    expect((await curl(['-x', x, `${origin.url}/ads/1.gif`])).stdout).toMatch(/blocked pattern/);
    expect((await curl(['-x', x, '-X', 'DELETE', `${origin.url}/thing`])).stdout).toMatch(
      /method DELETE is not allowed/,
    );
    expect((await curl(['-x', x, '-H', 'X-Evil: 1', `${origin.url}/e`])).stdout).toMatch(/evil header/);
    expect((await curl(['-x', x, `${origin.url}/fine`])).stdout).toBe('hello /fine');
    expect(p.stats().requests_blocked).toBe(4);
    p.addFilter({ type: 'blocked_clients', values: ['127.0.0.0/8'] });
    expect((await curl(['-x', x, `${origin.url}/fine`])).stdout).toMatch(/client 127\.0\.0\.1 is blocked/);
  });

  it('fails closed when a filter throws, and survives a throwing log callback', async () => {
    const p = await proxy({
      onLog: () => {
        throw new Error('log sink broken');
      },
    });
    p.addFilter({
      name: 'broken',
      check: (req) => {
        if (req.path === '/boom') throw new Error('bug in filter');
        return null;
      },
    });
    const x = `http://127.0.0.1:${p.port}`;
    const r = await curl(['-i', '-x', x, `${origin.url}/boom`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toMatch(/filter broken failed: bug in filter/);
    expect((await curl(['-x', x, `${origin.url}/fine`])).stdout).toBe('hello /fine');
    expect(p.stats().requests_total).toBe(2);
  });

  it('refuses clients outside the allowlist', async () => {
    const p = await proxy({ allowedClients: ['10.0.0.0/8'] });
    const r = await curl(['-i', '-x', `http://127.0.0.1:${p.port}`, `${origin.url}/x`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toMatch(/not allowed to use this proxy/);
  });

  it('forwards request bodies (chunked and sized) and de-chunks for HTTP/1.0 clients', async () => {
    const p = await proxy();
    const x = `http://127.0.0.1:${p.port}`;
    const body = 'z'.repeat(100_000);
    const chunked = await curl([
      '-x',
      x,
      '-H',
      'Transfer-Encoding: chunked',
      '--data-binary',
      body,
      `${origin.url}/echo`,
    ]);
    expect(chunked.stdout).toBe(`POST 100000 ${'z'.repeat(20)}`);
    const sized = await curl(['-x', x, '--data-binary', 'abc', `${origin.url}/echo`]);
    expect(sized.stdout).toBe('POST 3 abc');
    const old = await curl(['-i', '--http1.0', '-x', x, `${origin.url}/chunked`]);
    expect(old.stdout).not.toMatch(/Transfer-Encoding/i);
    expect(old.stdout.endsWith('\r\n\r\npart1-part2')).toBe(true);
  });

  it('writes the log as JSON Lines when asked', async () => {
    const file = path.join(tmp, 'access.jsonl');
    const p = await proxy({ logRequests: true, logFile: file });
    await curl(['-x', `http://127.0.0.1:${p.port}`, `${origin.url}/logged`]);
    await p.stop(100);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      client: '127.0.0.1',
      method: 'GET',
      url: `${origin.url}/logged`,
      status: 200,
    });
    expect(lines[0].bytes).toBeGreaterThan(0);
    expect(typeof lines[0].duration_ms).toBe('number');
  });

  it('refuses smuggling and oversize heads with 400 and closes the connection', async () => {
    const p = await proxy();
    const smuggle = await rawExchange(
      p.port,
      `POST ${origin.url}/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
    );
    expect(smuggle.text.startsWith('HTTP/1.1 400')).toBe(true);
    expect(smuggle.closed).toBe(true);
    const big = await rawExchange(
      p.port,
      `GET ${origin.url}/ HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(17_000)}\r\n\r\n`,
    );
    expect(big.text.startsWith('HTTP/1.1 400')).toBe(true);
    expect(big.closed).toBe(true);
    const origin400 = await rawExchange(p.port, 'GET /not-absolute HTTP/1.1\r\nHost: x\r\n\r\n', 500);
    expect(origin400.text.startsWith('HTTP/1.1 400')).toBe(true);
  });
});

describe('the spec functions', () => {
  it('proxy_start / set_upstream / add_filter / get_stats / get_logs / stop', async () => {
    const started = await proxyStart(0, { cache_enabled: true, log_requests: true });
    expect(started.id).toMatch(/^proxy-/);
    expect(started.host).toBe('127.0.0.1');
    cleanups.push(() => proxyStop(started.id));
    expect(proxySetUpstream(started.id, 'http://upstream-proxy:3128').upstream).toBe(
      'http://upstream-proxy:3128',
    );
    expect(proxySetUpstream(started.id, '').upstream).toBeNull();
    expect(
      proxyAddFilter(started.id, { type: 'blocked_domains', values: ['example.invalid'] }).filters,
    ).toEqual(['blocked_domains']);
    await curl(['-x', `http://127.0.0.1:${started.port}`, 'http://example.invalid/']);
    await curl(['-x', `http://127.0.0.1:${started.port}`, `${origin.url}/cached-spec`]);
    const stats = proxyGetStats(started.id);
    expect(stats).toMatchObject({ requests_total: 2, requests_blocked: 1 });
    for (const k of ['requests_total', 'requests_blocked', 'bytes_in', 'bytes_out'])
      expect(typeof stats[k as 'bytes_in']).toBe('number');
    expect(proxyGetLogs(started.id, 1)).toHaveLength(1);
    expect(proxyGetLogs(started.id, 1)[0].url).toBe(`${origin.url}/cached-spec`);
    const stopped = await proxyStop(started.id);
    cleanups.pop();
    expect(stopped.stopped).toBe(true);
    expect(() => proxyGetStats(started.id)).toThrow(/no running proxy/);
    expect(() => proxySetUpstream(started.id, 'x')).toThrow(/no running proxy/);
    await expect(proxyStart(0, { upstream: 'ftp://nope' })).rejects.toThrow(/only http/);
  });
});
