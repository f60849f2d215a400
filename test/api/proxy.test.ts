/**
 * The forward proxy and load balancer functions through the facade, on loopback: curl requests
 * through the proxy (its byte counts are the oracle for `bytes_in`/`bytes_out`), a filter
 * written as a function, a chain to an upstream proxy, backends that count what they served.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiContext, callApi, TargetMap } from '../../src/api/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { errorCode } from './helpers.js';

const execFileP = promisify(execFile);
const ctx = new ApiContext();
const servers: http.Server[] = [];
const served = new Map<string, number>();

// biome-ignore lint/suspicious/noExplicitAny: results are read field by field, as a script does
const call = (name: string, ...args: unknown[]): Promise<any> => callApi(ctx, name, args);

async function backend(name: string): Promise<string> {
  served.set(name, 0);
  const s = http.createServer((req, res) => {
    if (req.url?.startsWith('/req')) served.set(name, (served.get(name) ?? 0) + 1);
    res.end(`${name}\n`);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function curl(
  url: string,
  proxy?: string,
): Promise<{ code: number; sent: number; received: number; body: string }> {
  const { stdout } = await execFileP('curl', [
    '-s',
    '--max-time',
    '5',
    ...(proxy ? ['-x', proxy] : []),
    '-w',
    '\n%{http_code} %{size_request} %{size_header} %{size_download}',
    url,
  ]);
  const lines = stdout.split('\n');
  const [code, req, head, body] = lines.pop()!.split(' ').map(Number);
  return { code, sent: req, received: head + body, body: lines.join('\n').trim() };
}

const code = errorCode;

let web = '';
beforeAll(async () => {
  web = await backend('web');
});

afterAll(async () => {
  await ctx.dispose();
  for (const s of servers) s.close();
});

describe('proxy_* through the facade', () => {
  it('proxies, filters with a function, logs, counts bytes as curl measured them, chains, stops', async () => {
    const p = await call('proxy_start', 0, { log_requests: true });
    expect(p).toMatchObject({ host: '127.0.0.1', status: 'running' });
    expect(p.id).toMatch(/^proxy-\d+$/);
    const via = `http://127.0.0.1:${p.port}`;
    // a filter as a script writes it: a function of the request returning a verdict
    const f = await call('proxy_add_filter', p.id, (req: { path: string }) =>
      req.path.startsWith('/req/private') ? 'private area' : true,
    );
    expect(f.filters.length).toBe(1);
    const a = await curl(`${web}/req/1`, via);
    const b = await curl(`${web}/req/2`, via);
    const blocked = await curl(`${web}/req/private`, via);
    expect([a.code, b.code, blocked.code]).toEqual([200, 200, 403]);
    expect(a.body).toBe('web');
    expect(served.get('web')).toBe(2);
    const stats = await call('proxy_get_stats', p.id);
    expect(stats).toMatchObject({ requests_total: 3, requests_blocked: 1 });
    expect(stats.bytes_in).toBe(a.sent + b.sent + blocked.sent);
    expect(stats.bytes_out).toBe(a.received + b.received + blocked.received);
    const logs = await call('proxy_get_logs', p.id, 2);
    expect(logs.map((l: { url: string; status: number }) => [l.url, l.status])).toEqual([
      [`${web}/req/2`, 200],
      [`${web}/req/private`, 403],
    ]);
    expect(logs[1].blocked_reason).toContain('private area');

    // chained through a second proxy: the upstream counts the request
    const up = await call('proxy_start', 0);
    expect(await call('proxy_set_upstream', p.id, `http://127.0.0.1:${up.port}`)).toEqual({
      id: p.id,
      upstream: `http://127.0.0.1:${up.port}`,
    });
    expect((await curl(`${web}/req/3`, via)).code).toBe(200);
    expect((await call('proxy_get_stats', up.id)).requests_total).toBe(1);
    expect(served.get('web')).toBe(3);

    const stopped = await call('proxy_stop', p.id);
    expect(stopped).toMatchObject({ id: p.id, stopped: true });
    expect(stopped.stats.requests_total).toBe(4);
    await expect(curl(`${web}/req/4`, via)).rejects.toThrow();
    expect(await code(call('proxy_get_stats', p.id))).toBe(ErrorCodes.NOT_FOUND);
  }, 30_000);

  it('a confined context refuses an upstream outside its map', async () => {
    const confined = new ApiContext({ targetMap: TargetMap.parse(['upstream-proxy=127.0.0.1']) });
    try {
      const p = await callApi(confined, 'proxy_start', [0]);
      const id = (p as { id: string }).id;
      expect(await code(callApi(confined, 'proxy_set_upstream', [id, 'http://proxy.example.com:3128']))).toBe(
        ErrorCodes.TARGET_NOT_ALLOWED,
      );
      expect(await callApi(confined, 'proxy_set_upstream', [id, 'http://upstream-proxy:3128'])).toEqual({
        id,
        upstream: 'http://127.0.0.1:3128',
      });
    } finally {
      await confined.dispose();
    }
  });

  it('invalid arguments', async () => {
    expect(await code(call('proxy_start', 70000))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await code(call('proxy_start', 0, 'cache'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await code(call('proxy_add_filter', 'proxy-1', 42))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});

describe('reverse_proxy_* through the facade', () => {
  it('spreads requests round robin, adds, removes, switches strategy, reports health', async () => {
    const urls = [await backend('b1'), await backend('b2'), await backend('b3')];
    const lb = await call(
      'reverse_proxy_create',
      0,
      urls.map((url) => ({ url, weight: 1 })),
      'round_robin',
    );
    expect(lb.id).toMatch(/^rproxy-\d+$/);
    expect(lb.backends.map((b: { url: string }) => b.url)).toEqual(urls);
    const front = `http://127.0.0.1:${lb.port}`;
    for (let i = 0; i < 6; i++) expect((await curl(`${front}/req/${i}`)).code).toBe(200);
    expect([served.get('b1'), served.get('b2'), served.get('b3')]).toEqual([2, 2, 2]);

    // the same URL again is the same backend; a new one joins
    const again = await call('reverse_proxy_add_backend', lb.id, urls[0], 1);
    expect(again).toMatchObject({ id: lb.backends[0].id, added: false });
    const b4 = await call('reverse_proxy_add_backend', lb.id, await backend('b4'), 3);
    expect(b4).toMatchObject({ weight: 3, added: true, proxy_id: lb.id });
    expect(await call('reverse_proxy_remove_backend', lb.id, lb.backends[1].id)).toEqual({
      id: lb.id,
      removed: lb.backends[1].id,
    });
    // smooth weighted round robin (nginx's) is the round robin; the spec-style alias names it
    expect(await call('reverse_proxy_set_load_balancing', lb.id, 'weighted_round_robin')).toMatchObject({
      algorithm: 'round_robin',
    });
    for (let i = 0; i < 5; i++) await curl(`${front}/req/w${i}`);
    // weights 1 (b1), 1 (b3), 3 (b4); b2 is out
    expect([served.get('b1'), served.get('b2'), served.get('b3'), served.get('b4')]).toEqual([3, 2, 3, 3]);

    const health = await call('reverse_proxy_get_health', lb.id);
    expect(health).toMatchObject({ id: lb.id, total_requests: 11, total_errors: 0, backends_active: 3 });
    // each backend's count is what that server itself served
    expect(health.backends.map((b: { url: string; requests: number }) => b.requests)).toEqual([
      served.get('b1'),
      served.get('b3'),
      served.get('b4'),
    ]);
    expect(health.backends.every((b: { healthy: boolean }) => b.healthy)).toBe(true);

    expect(await code(call('reverse_proxy_set_load_balancing', lb.id, 'fastest_guess'))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    expect(await code(call('reverse_proxy_remove_backend', lb.id, 'backend-999'))).toBe(ErrorCodes.NOT_FOUND);
    expect(await code(call('reverse_proxy_create', 0, 'http://a:1'))).toBe(ErrorCodes.INVALID_ARGUMENT);
  }, 30_000);

  it('dispose() stops what the context started', async () => {
    const own = new ApiContext();
    const lb = (await callApi(own, 'reverse_proxy_create', [0, [web]])) as { id: string; port: number };
    expect((await curl(`http://127.0.0.1:${lb.port}/x`)).code).toBe(200);
    await own.dispose();
    await expect(curl(`http://127.0.0.1:${lb.port}/x`)).rejects.toThrow();
    expect(await code(call('reverse_proxy_get_health', lb.id))).toBe(ErrorCodes.NOT_FOUND);
  });
});
