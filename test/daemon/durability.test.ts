/**
 * The daemon as users run it (the built CLI in a child process): kill -9 in the middle of a
 * busy run loses no alert the API reported and leaves no broken EVE line; a restart keeps the
 * token and the data; SIGTERM ends the open flows of a live capture into the store.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { freeSubnet24, NetnsLab } from '../helpers/netns.js';
import { eveAlert, tempDir, until } from './helpers.js';

interface Running {
  child: ChildProcess;
  listening: { url: string; token?: string; pid: number };
  lines: Array<Record<string, unknown>>;
  exit: Promise<number | null>;
}

async function serve(args: string[]): Promise<Running> {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npm run build)`);
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--json', '--port', '0', '--firewall', 'memory', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const rl = createInterface({ input: child.stdout! });
  const listening = await new Promise<Running['listening']>((resolve, reject) => {
    rl.on('line', (l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      lines.push(o);
      if (o.event === 'listening') resolve(o as unknown as Running['listening']);
    });
    void exit.then((code) => reject(new Error(`sentra serve exited (${code}): ${stderr}`)));
  });
  return { child, listening, lines, exit };
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
const lab = new NetnsLab();

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await lab.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('daemon durability', () => {
  it('after kill -9 every alert the API reported is in the store and the EVE file has only whole lines', async () => {
    const dir = tempDir('kill9');
    dirs.push(dir);
    const r = await serve(['--data-dir', dir]);
    children.push(r.child);
    const token = r.listening.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const reported = new Map<number, string>();
    const acknowledged: string[] = [];
    let stop = false;
    let n = 0;
    const writer = async () => {
      while (!stop) {
        const batch = Array.from({ length: 50 }, () => eveAlert(n++));
        try {
          const res = await fetch(`${r.listening.url}/api/alerts?source=load`, {
            method: 'POST',
            headers,
            body: JSON.stringify(batch),
          });
          if (res.ok) acknowledged.push(...batch.map((b) => (b.alert as { signature: string }).signature));
        } catch {
          return; // the daemon is gone
        }
      }
    };
    const reader = async () => {
      let after = 0;
      while (!stop) {
        try {
          const res = await fetch(`${r.listening.url}/api/alerts?after_id=${after}&limit=1000`, { headers });
          const page = (await res.json()) as { alerts: Array<{ id: number; signature: string }> };
          for (const a of page.alerts) {
            reported.set(a.id, a.signature);
            after = Math.max(after, a.id);
          }
        } catch {
          return;
        }
      }
    };
    const loops = [writer(), writer(), reader()];
    await until(async () => reported.size > 500, 30_000, 'alerts to flow');
    r.child.kill('SIGKILL');
    await r.exit;
    stop = true;
    await Promise.all(loops);
    expect(reported.size).toBeGreaterThan(500);

    const db = new Database(path.join(dir, 'sentra.db'));
    const rows = new Map(
      (db.prepare('SELECT id, signature FROM alerts').all() as Array<{ id: number; signature: string }>).map(
        (x) => [x.id, x.signature],
      ),
    );
    db.close();
    for (const [id, sig] of reported) expect(rows.get(id), `alert ${id}`).toBe(sig);
    const stored = new Set(rows.values());
    for (const sig of acknowledged) expect(stored.has(sig), sig).toBe(true);

    // kill -9 may cut the write(2) in progress short (the kernel stops copying at a fatal
    // signal): every line but the last is whole; the last may be partial
    const eveFile = path.join(dir, 'eve.json');
    const eve = readFileSync(eveFile, 'utf8');
    const whole = eve.slice(0, eve.lastIndexOf('\n') + 1);
    const eveLines = whole.split('\n').filter((l) => l !== '');
    for (const l of eveLines) expect(() => JSON.parse(l)).not.toThrow();
    expect(eveLines.length).toBeGreaterThan(0);

    // restart on the same data: the token stays (not shown again), the alerts are there, and
    // the EVE file is cut back to its whole lines before anything is appended
    const again = await serve(['--data-dir', dir]);
    children.push(again.child);
    expect(again.listening.token).toBeUndefined();
    expect(readFileSync(eveFile, 'utf8')).toBe(whole);
    const res = await fetch(`${again.listening.url}/api/alerts?limit=1`, { headers });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { total: number }).total).toBe(rows.size);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(130);
    expect(again.lines.at(-1)?.event).toBe('stopped');
  });

  it('SIGTERM ends the open flows of a live capture into the store', async () => {
    const net = await freeSubnet24();
    const a = await lab.ns('a');
    const b = await lab.ns('b');
    const base = net; // 10.x.y
    await lab.veth(
      { ns: a, ifname: 'eth0', addr4: `${base}.1/24` },
      { ns: b, ifname: 'eth0', addr4: `${base}.2/24` },
    );
    const dir = tempDir('live');
    dirs.push(dir);
    const r = await serve(['--data-dir', dir, '-i', 'eth0', '--netns', a, '-f', 'icmp']);
    children.push(r.child);
    const headers = { authorization: `Bearer ${r.listening.token}` };
    const ping = await lab.exec(b, ['ping', '-c', '5', '-i', '0.2', '-W', '1', `${base}.1`], {
      timeoutMs: 20_000,
    });
    expect(ping.stdout).toContain('5 received');
    await until(
      async () => {
        const s = (await (await fetch(`${r.listening.url}/api/status`, { headers })).json()) as {
          packets: number;
        };
        return s.packets >= 10;
      },
      20_000,
      'the pings to be captured',
    );
    // still open: idle timeout is 120 s, so nothing is stored yet
    const before = (await (await fetch(`${r.listening.url}/api/flows?ip=${base}.2`, { headers })).json()) as {
      total: number;
    };
    expect(before.total).toBe(0);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(130);
    const db = new Database(path.join(dir, 'sentra.db'));
    const flows = db
      .prepare('SELECT src_ip, dst_ip, protocol, packets, end_reason FROM flows')
      .all() as Array<{
      src_ip: string;
      dst_ip: string;
      protocol: number;
      packets: number;
      end_reason: string;
    }>;
    db.close();
    const icmp = flows.filter(
      (f) => f.protocol === 1 && f.src_ip === `${base}.2` && f.dst_ip === `${base}.1`,
    );
    expect(icmp.length).toBeGreaterThanOrEqual(1);
    // ping sent 5 requests and got 5 replies
    expect(icmp.reduce((s, f) => s + f.packets, 0)).toBe(10);
  });
});
