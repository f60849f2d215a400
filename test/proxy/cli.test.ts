/** `sentra proxy` and `sentra lb` as users run them: the built CLI in a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { curl, type Origin, startOrigin, until } from './helpers.js';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

interface Running {
  child: ChildProcess;
  lines: () => Record<string, unknown>[];
  exited: Promise<number>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, lines, exited };
}

async function origin(): Promise<Origin> {
  const o = await startOrigin((req, res) => res.end(`origin ${req.url}`));
  cleanups.push(() => o.close());
  return o;
}

describe('sentra proxy', () => {
  it('serves, blocks, logs JSON lines and stops cleanly on SIGINT with exit code 130', async () => {
    const o = await origin();
    const r = start(['proxy', '--port', '0', '--block-domain', 'blocked.test', '--cache', '--json']);
    await until(() => r.lines().some((l) => l.event === 'listening'), 15_000, 'listening line');
    const port = r.lines()[0].port as number;
    expect(r.lines()[0].host).toBe('127.0.0.1');
    expect((await curl(['-x', `http://127.0.0.1:${port}`, `${o.url}/x`])).stdout).toBe('origin /x');
    expect((await curl(['-i', '-x', `http://127.0.0.1:${port}`, 'http://blocked.test/'])).stdout).toMatch(
      /^HTTP\/1\.1 403/,
    );
    await until(
      () => r.lines().filter((l) => l.event === 'request').length === 2,
      5_000,
      'two request lines',
    );
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(130);
    const stopped = r.lines().find((l) => l.event === 'stopped')!;
    expect(stopped.stats).toMatchObject({ requests_total: 2, requests_blocked: 1 });
  });

  it('refuses a bad option with exit code 2', async () => {
    const r = await runCli(['proxy', '--port', '70000', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('SENTRA_ERR_INVALID_PORT');
  });
});

describe('sentra lb', () => {
  it('balances over weighted backends and reports health at the end', async () => {
    const a = await origin();
    const b = await origin();
    const r = start([
      'lb',
      '--port',
      '0',
      '--backend',
      `${a.url}=3`,
      '--backend',
      b.url,
      '--health-path',
      '/h',
      '--log',
      '--duration',
      '60',
      '--json',
    ]);
    await until(() => r.lines().some((l) => l.event === 'listening'), 15_000, 'listening line');
    const port = r.lines()[0].port as number;
    for (let i = 0; i < 8; i++)
      expect((await curl([`http://127.0.0.1:${port}/p${i}`])).stdout).toBe(`origin /p${i}`);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(130);
    const health = r.lines().find((l) => l.event === 'stopped')!.health as {
      total_requests: number;
      backends: { weight: number; requests: number }[];
    };
    expect(health.total_requests).toBe(8);
    expect(health.backends.map((x) => [x.weight, x.requests])).toEqual([
      [3, 6],
      [1, 2],
    ]);
    expect(r.lines().filter((l) => l.event === 'request')).toHaveLength(8);
  });

  it('needs a backend and a known algorithm', async () => {
    expect((await runCli(['lb', '--port', '0'])).code).toBe(2);
    const bad = await runCli([
      'lb',
      '--port',
      '0',
      '--backend',
      'http://127.0.0.1:1',
      '--algorithm',
      'fastest',
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.message).toMatch(/unknown load-balancing algorithm/);
  });
});
