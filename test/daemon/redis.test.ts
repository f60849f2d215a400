/**
 * Alerts to a real redis-server (started on a free port for this test) in Suricata's list and
 * stream modes: what arrives is the EVE record, in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eveAlert, startTestDaemon, tempDir, until } from './helpers.js';

let server: ChildProcess;
let port: number;
let client: Redis;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

beforeAll(async () => {
  port = await freePort();
  server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tempDir('redis'),
    ],
    {
      stdio: 'ignore',
    },
  );
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => {
          c.destroy();
          resolve(true);
        });
        c.on('error', () => resolve(false));
      }),
    10_000,
    'redis-server',
  );
  client = new Redis({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  client?.disconnect();
  server?.kill('SIGTERM');
});

describe('Redis alert output', () => {
  it('LPUSHes each alert on the list key (mode list)', async () => {
    const t = await startTestDaemon({
      'outputs.redis.enabled': true,
      'outputs.redis.url': `redis://127.0.0.1:${port}`,
      'outputs.redis.key': 'sentra-list',
    });
    try {
      const recs = Array.from({ length: 5 }, (_, i) => eveAlert(i));
      expect((await t.call('POST', '/api/alerts', recs)).status).toBe(200);
      const got = await until(
        async () => {
          const l = await client.lrange('sentra-list', 0, -1);
          return l.length === 5 ? l : null;
        },
        10_000,
        'the list',
      );
      // LPUSH: newest first
      expect(got.map((s) => JSON.parse(s))).toEqual([...recs].reverse());
      const m = (await t.call('GET', '/metrics')).json as string;
      expect(m).toMatch(/^sentra_redis_up 1$/m);
    } finally {
      await t.stop();
    }
  });

  it('XADDs each alert with the record in the field "eve" (mode stream)', async () => {
    const t = await startTestDaemon({
      'outputs.redis.enabled': true,
      'outputs.redis.url': `redis://127.0.0.1:${port}`,
      'outputs.redis.mode': 'stream',
      'outputs.redis.key': 'sentra-stream',
    });
    try {
      const recs = Array.from({ length: 4 }, (_, i) => eveAlert(100 + i));
      await t.call('POST', '/api/alerts', recs);
      const entries = await until(
        async () => {
          const e = await client.xrange('sentra-stream', '-', '+');
          return e.length === 4 ? e : null;
        },
        10_000,
        'the stream',
      );
      expect(entries.map(([, fields]) => fields[0])).toEqual(['eve', 'eve', 'eve', 'eve']);
      expect(entries.map(([, fields]) => JSON.parse(fields[1]))).toEqual(recs);
    } finally {
      await t.stop();
    }
  });
});
