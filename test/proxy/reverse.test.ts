/**
 * The reverse proxy / load balancer against real HTTP servers on loopback. Backends answer
 * with their own name, so the oracle for every distribution is what the backends received.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  reverseProxyAddBackend,
  reverseProxyCreate,
  reverseProxyGetHealth,
  reverseProxyRemoveBackend,
  reverseProxySetLoadBalancing,
  reverseProxyStop,
} from '../../src/proxy/api.js';
import { ReverseProxy, type ReverseProxyOptions } from '../../src/proxy/reverse/proxy.js';
import { get, type Origin, rawExchange, sleep, startOrigin, until } from './helpers.js';

/** Timer slip allowed on a loaded 2-core machine (CI runs test files in parallel). */
const SLACK_MS = 1_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

/** A backend that answers its name after `delayMs` and counts requests. */
async function namedBackend(name: string, delayMs = 0, port = 0): Promise<Origin & { hits: number }> {
  const state = { hits: 0 };
  const o = await startOrigin((req, res) => {
    if (req.url === '/health') {
      res.end('ok');
      return;
    }
    state.hits++;
    const reply = () => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(name);
    };
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  }, port);
  cleanups.push(() => o.close());
  return Object.defineProperty(o, 'hits', { get: () => state.hits }) as Origin & { hits: number };
}

async function lb(
  opts: Partial<ReverseProxyOptions> & { backends: ReverseProxyOptions['backends'] },
): Promise<ReverseProxy> {
  const p = new ReverseProxy({ port: 0, healthCheck: false, ...opts });
  await p.start();
  cleanups.push(() => p.stop(200));
  return p;
}

/** Sends `total` GETs with `concurrency` kept-alive clients; returns bodies by count. */
async function load(port: number, total: number, concurrency: number): Promise<Map<string, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const counts = new Map<string, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const r = await get(port, '/', { agent });
      expect(r.status).toBe(200);
      counts.set(r.body, (counts.get(r.body) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return counts;
}

describe('load balancing over real backends', () => {
  it('weighted round robin over 10,000 requests matches the weights within 5%', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const c = await namedBackend('c');
    const p = await lb({
      backends: [
        { url: a.url, weight: 1 },
        { url: b.url, weight: 2 },
        { url: c.url, weight: 3 },
      ],
    });
    await load(p.port, 10_000, 16);
    const total = a.hits + b.hits + c.hits;
    expect(total).toBe(10_000);
    for (const [o, w] of [
      [a, 1],
      [b, 2],
      [c, 3],
    ] as const) {
      const expected = (10_000 * w) / 6;
      expect(Math.abs(o.hits - expected) / expected).toBeLessThanOrEqual(0.05);
    }
    const h = p.health();
    expect(h.total_requests).toBe(10_000);
    expect(h.backends.map((x) => x.requests)).toEqual([a.hits, b.hits, c.hits]);
  }, 120_000);

  it('least_connections favours the backend that answers fast', async () => {
    const slow = await namedBackend('slow', 60);
    const fast = await namedBackend('fast', 0);
    const p = await lb({ backends: [slow.url, fast.url], algorithm: 'least_connections' });
    await load(p.port, 400, 8);
    expect(slow.hits + fast.hits).toBe(400);
    expect(fast.hits).toBeGreaterThan(slow.hits * 3);
  });

  it('ip_hash keeps each client on one backend and moves few clients when a backend is added', async () => {
    const names = ['a', 'b', 'c'];
    const origins = await Promise.all(names.map((n) => namedBackend(n)));
    const p = await lb({ backends: origins.map((o) => o.url), algorithm: 'ip_hash' });
    const clients = Array.from({ length: 60 }, (_, i) => `127.0.${1 + (i >> 6)}.${1 + (i % 64)}`);
    const first = new Map<string, string>();
    for (const ip of clients) {
      const seen = new Set<string>();
      for (let k = 0; k < 3; k++) seen.add((await get(p.port, '/', { localAddress: ip })).body);
      expect(seen.size).toBe(1);
      first.set(ip, [...seen][0]);
    }
    expect(new Set(first.values()).size).toBeGreaterThan(1);
    const d = await namedBackend('d');
    p.addBackend(d.url, 1);
    let moved = 0;
    for (const ip of clients) {
      const now = (await get(p.port, '/', { localAddress: ip })).body;
      if (now !== first.get(ip)) {
        moved++;
        expect(now).toBe('d');
      }
    }
    // consistent hashing moves ~1/4 of the clients to the new backend; modulo hashing ~3/4
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(clients.length * 0.45);
  });
});

describe('health checks', () => {
  it('marks a killed backend unhealthy within fall x interval, sends it nothing, and takes it back after rise x interval', async () => {
    const interval = 300;
    const fall = 2;
    const rise = 2;
    const a = await namedBackend('a');
    let b = await namedBackend('b');
    const bPort = b.port;
    const p = await lb({
      backends: [a.url, b.url],
      healthCheck: { path: '/health', intervalMs: interval, timeoutMs: 250, fall, rise },
      passiveHealth: false,
    });
    const events: string[] = [];
    p.on('backend_down', (x) => events.push(`down ${x.id}`));
    p.on('backend_up', (x) => events.push(`up ${x.id}`));
    await load(p.port, 20, 2);
    expect(b.hits).toBe(10);

    await b.close();
    const killedAt = Date.now();
    await until(() => !p.health().backends[1].healthy, 5_000, 'backend-2 unhealthy');
    // the check that fails first may be up to one interval away; timers on a shared machine slip
    expect(Date.now() - killedAt).toBeLessThanOrEqual(fall * interval + interval + SLACK_MS);
    expect(events).toContain('down backend-2');
    expect(p.health().backends_active).toBe(1);
    const before = p.health().backends[1].requests;
    const counts = await load(p.port, 30, 3);
    expect(counts.get('a')).toBe(30);
    expect(p.health().backends[1].requests).toBe(before);

    b = await namedBackend('b', 0, bPort);
    const restartedAt = Date.now();
    await until(() => p.health().backends[1].healthy, 5_000, 'backend-2 healthy again');
    expect(Date.now() - restartedAt).toBeLessThanOrEqual(rise * interval + interval + SLACK_MS);
    expect(events).toContain('up backend-2');
    await load(p.port, 20, 2);
    expect(b.hits).toBe(10);
  });

  it('passive health ejects a backend after consecutive failures and retries the request elsewhere', async () => {
    const a = await namedBackend('a');
    const dead = await namedBackend('dead');
    const deadUrl = dead.url;
    await dead.close();
    const p = await lb({ backends: [a.url, deadUrl], passiveHealth: { maxFails: 3, ejectMs: 60_000 } });
    const counts = await load(p.port, 20, 1);
    // every request answered by the live backend: the failed connection was retried there
    expect(counts.get('a')).toBe(20);
    const h = p.health();
    expect(h.total_errors).toBe(0);
    expect(h.backends[1].errors).toBe(3);
    expect(h.backends[1].healthy).toBe(false);
    expect(h.backends[1].ejected_until).not.toBeNull();
  });

  it('answers 503 when no backend is healthy', async () => {
    const dead = await namedBackend('dead');
    await dead.close();
    const p = await lb({ backends: [dead.url], passiveHealth: { maxFails: 1, ejectMs: 60_000 } });
    expect((await get(p.port)).status).toBe(502);
    const r = await get(p.port);
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/no healthy backend/);
  });
});

describe('health check options', () => {
  it('counts a status outside the expected range as a failed check', async () => {
    const a = await namedBackend('a');
    const p = await lb({
      backends: [a.url],
      healthCheck: { path: '/health', intervalMs: 100, fall: 2, rise: 1, expectedStatus: 204 },
      passiveHealth: false,
    });
    await until(() => !p.health().backends[0].healthy, 3_000, 'backend unhealthy');
    expect(p.health().backends[0].last_check).toMatchObject({
      ok: false,
      detail: 'status 200 outside 204-204',
    });
    expect((await get(p.port)).status).toBe(503);
  });
});

describe('runtime changes and protocol features', () => {
  it('answers pipelined requests in order on one connection, and HTTP/1.0 keep-alive', async () => {
    const a = await namedBackend('a');
    const p = await lb({ backends: [a.url] });
    const r = await rawExchange(
      p.port,
      'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(r.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(r.closed).toBe(true);
    expect(a.hits).toBe(3);
    const old = await rawExchange(p.port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 500);
    expect(old.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(old.text).toMatch(/\r\nConnection: keep-alive\r\n/);
    expect(old.closed).toBe(false);
  });

  it('removes a backend without dropping its request in flight, and adds one at run time', async () => {
    const slow = await namedBackend('slow', 400);
    const other = await namedBackend('other');
    const p = await lb({ backends: [slow.url, other.url] });
    const inFlight = get(p.port);
    await until(() => slow.hits === 1, 2_000, 'request at the slow backend');
    p.removeBackend('backend-1');
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.body).toBe('slow');
    const counts = await load(p.port, 10, 2);
    expect(counts.get('other')).toBe(10);
    const added = await namedBackend('added');
    p.addBackend(added.url, 1);
    const after = await load(p.port, 10, 1);
    expect(after.get('added')).toBe(5);
    expect(p.health().backends.map((b) => b.id)).toEqual(['backend-2', 'backend-3']);
  });

  it('parses a request trickled one byte at a time, and a POST body followed by a pipelined GET', async () => {
    const echo = await startOrigin((req, res) => {
      let n = 0;
      req.on('data', (d) => {
        n += d.length;
      });
      req.on('end', () => res.end(`${req.method} ${req.url} ${n}`));
    });
    cleanups.push(() => echo.close());
    const p = await lb({ backends: [echo.url] });
    const s = net.connect(p.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += d;
    });
    await new Promise((r) => s.once('connect', r));
    const text =
      'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const ch of text) {
      s.write(ch);
      await sleep(1);
    }
    await until(() => got.includes('GET /next 0'), 5_000, 'both responses');
    expect(got).toMatch(/POST \/up 5[\s\S]*GET \/next 0/);
    s.destroy();
  });

  it('streams large bodies both ways intact (chunked and sized)', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const store = await startOrigin((req, res) => {
      if (req.method === 'POST') {
        const h = createHash('sha256');
        req.on('data', (d) => h.update(d));
        req.on('end', () => res.end(h.digest('hex')));
        return;
      }
      // no Content-Length: Node sends it chunked, in many writes
      for (let off = 0; off < big.length; off += 100_000) res.write(big.subarray(off, off + 100_000));
      res.end();
    });
    cleanups.push(() => store.close());
    const p = await lb({ backends: [store.url] });
    const down = await new Promise<Buffer>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: p.port, path: '/big', agent: false }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d) => parts.push(d));
          res.on('end', () => resolve(Buffer.concat(parts)));
        })
        .on('error', reject);
    });
    expect(down.length).toBe(big.length);
    expect(digest(down)).toBe(digest(big));
    const up = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: p.port, path: '/up', method: 'POST', agent: false },
        (res) => {
          let b = '';
          res.on('data', (d) => {
            b += d;
          });
          res.on('end', () => resolve(b));
        },
      );
      req.on('error', reject);
      for (let off = 0; off < big.length; off += 65_536) req.write(big.subarray(off, off + 65_536));
      req.end();
    });
    expect(up).toBe(digest(big));
  });

  it('keeps the client connection alive when the backend closes after every response', async () => {
    const closing = await startOrigin((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('bye');
    });
    cleanups.push(() => closing.close());
    const p = await lb({ backends: [closing.url] });
    const r = await rawExchange(
      p.port,
      'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n',
      800,
    );
    expect(r.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(r.text).not.toMatch(/Connection: close/i);
    expect(r.closed).toBe(false);
  });

  it('adds X-Forwarded-For (appending) and X-Forwarded-Proto, and passes other headers untouched', async () => {
    const echo = await startOrigin((req, res) => res.end(JSON.stringify(req.headers)));
    cleanups.push(() => echo.close());
    const p = await lb({ backends: [echo.url] });
    const plain = JSON.parse((await get(p.port, '/', { headers: { 'X-Custom': 'k' } })).body);
    expect(plain['x-forwarded-for']).toBe('127.0.0.1');
    expect(plain['x-forwarded-proto']).toBe('http');
    expect(plain['x-custom']).toBe('k');
    const chained = JSON.parse(
      (
        await get(p.port, '/', {
          headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', Connection: 'close' },
        })
      ).body,
    );
    expect(chained['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(chained['x-forwarded-proto']).toBe('http');
    expect(chained.connection).not.toBe('close');
  });

  it('passes WebSocket upgrades through and relays frames both ways', async () => {
    const ws = await startOrigin((_req, res) => res.end('plain'));
    cleanups.push(() => ws.close());
    ws.server.on('upgrade', (req, socket) => {
      cleanups.push(async () => socket.destroy());
      const accept = createHash('sha1')
        .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.on('data', (d) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    const p = await lb({ backends: [ws.url] });
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const s = net.connect(p.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    s.write(
      `GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await until(() => got.includes('\r\n\r\n'), 3_000, '101 response');
    expect(got.startsWith('HTTP/1.1 101')).toBe(true);
    // RFC 6455's own example key and accept value
    expect(got).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    s.write('frame-1');
    await until(() => got.includes('echo:frame-1'), 3_000, 'echoed frame');
    s.destroy();
  });

  it('reports per-backend latency percentiles', async () => {
    const slow = await namedBackend('slow', 50);
    const p = await lb({ backends: [slow.url] });
    await load(p.port, 20, 2);
    const b = p.health().backends[0];
    // a histogram bucket is within ~12% of the true value
    expect(b.latency_p50_ms).toBeGreaterThanOrEqual(50 * 0.88);
    expect(b.latency_p99_ms).toBeGreaterThanOrEqual(b.latency_p50_ms);
  });
});

describe('hardening', () => {
  it('refuses request smuggling (CL + TE) with 400 and closes the connection', async () => {
    const o = await namedBackend('o');
    const p = await lb({ backends: [o.url] });
    const r = await rawExchange(
      p.port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(r.text.startsWith('HTTP/1.1 400')).toBe(true);
    expect(r.text).toMatch(/Connection: close/);
    expect(r.closed).toBe(true);
    expect(o.hits).toBe(0);
  });

  it('refuses an oversize header with 400 and closes the connection', async () => {
    const o = await namedBackend('o');
    const p = await lb({ backends: [o.url] });
    const r = await rawExchange(p.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r.text.startsWith('HTTP/1.1 400')).toBe(true);
    expect(r.text).toMatch(/header too large/);
    expect(r.closed).toBe(true);
  });

  it('closes a slowloris connection after the header timeout, trickling or not', async () => {
    const o = await namedBackend('o');
    const p = await lb({ backends: [o.url], limits: { headersTimeoutMs: 400 } });
    const s = net.connect(p.port, '127.0.0.1');
    let text = '';
    let closed = false;
    s.on('data', (d) => {
      text += d;
    });
    s.on('close', () => {
      closed = true;
    });
    s.write('GET / HTTP/1.1\r\n');
    for (let i = 0; i < 8 && !closed; i++) {
      await sleep(100);
      if (!closed) s.write(`X-${i}: y\r\n`);
    }
    await until(() => closed, 3_000, 'the proxy to close the connection');
    expect(text.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('answers 504 when a backend does not start its response in time', async () => {
    const slow = await namedBackend('slow', 1_500);
    const p = await lb({ backends: [slow.url], limits: { upstreamTimeoutMs: 300 }, passiveHealth: false });
    const r = await get(p.port);
    expect(r.status).toBe(504);
    expect(r.body).toMatch(/did not respond in time/);
    expect(p.health()).toMatchObject({ total_errors: 1 });
    expect(p.health().backends[0].errors).toBe(1);
  });

  it('limits connections per client address', async () => {
    const o = await namedBackend('o');
    const p = await lb({ backends: [o.url], limits: { maxConnectionsPerClient: 2 } });
    const held = [net.connect(p.port, '127.0.0.1'), net.connect(p.port, '127.0.0.1')];
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    await until(() => p.traffic().active_connections === 2, 2_000, 'two connections');
    const r = await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.text.startsWith('HTTP/1.1 503')).toBe(true);
    for (const s of held) s.destroy();
  });
});

describe('the spec functions', () => {
  it('reverse_proxy_create / add / remove / set_load_balancing / get_health', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const created = await reverseProxyCreate(0, [{ url: a.url, weight: 2 }], 'round_robin', {
      health_check: false,
    });
    cleanups.push(() => reverseProxyStop(created.id));
    expect(created.id).toMatch(/^rproxy-/);
    const added = reverseProxyAddBackend(created.id, b.url, 1);
    expect(added).toMatchObject({ id: 'backend-2', url: b.url, weight: 1 });
    expect(reverseProxySetLoadBalancing(created.id, 'least_connections').algorithm).toBe('least_connections');
    await load(created.port, 6, 1);
    const h = reverseProxyGetHealth(created.id);
    expect(h).toMatchObject({
      total_requests: 6,
      total_errors: 0,
      backends_active: 2,
      algorithm: 'least_connections',
    });
    expect(Object.keys(h.backends[0])).toEqual(
      expect.arrayContaining(['id', 'url', 'weight', 'healthy', 'requests', 'errors']),
    );
    expect(h.backends[0].requests + h.backends[1].requests).toBe(6);
    expect(reverseProxyRemoveBackend(created.id, 'backend-1').removed).toBe('backend-1');
    expect(reverseProxyGetHealth(created.id).backends.map((x) => x.id)).toEqual(['backend-2']);
    expect(() => reverseProxyRemoveBackend(created.id, 'backend-9')).toThrow(/no backend/);
    expect(() => reverseProxyGetHealth('rproxy-unknown')).toThrow(/no running reverse proxy/);
    await expect(reverseProxyCreate(0, [{ url: 'ftp://x' }])).rejects.toThrow(/scheme must be http/);
  });
});
