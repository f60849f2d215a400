/**
 * A short soak: the demo capture (two minutes of traffic) replayed 30 times as fast as the
 * machine goes, an hour of traffic in all, through a daemon child process whose old-generation
 * heap is capped. Memory must stay flat: the heap after the last replays is within a bound of
 * the heap after the first ones (and the cap would end a leaking daemon).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCapturePath } from '../../src/daemon/demo.js';
import { CLI } from '../helpers/cli.js';
import { tempDir, until } from './helpers.js';

const dir = tempDir('soak');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('daemon soak', () => {
  it('keeps memory flat over 30 replays of the demo capture', async () => {
    if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npm run build)`);
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=160',
        CLI,
        'serve',
        '--json',
        '--port',
        '0',
        '--firewall',
        'memory',
        '--data-dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const listening = await new Promise<{ url: string; token: string }>((resolve) => {
        createInterface({ input: child.stdout! }).on('line', (l) => {
          const o = JSON.parse(l);
          if (o.event === 'listening') resolve(o);
        });
      });
      const headers = { authorization: `Bearer ${listening.token}` };
      const demo = readFileSync(demoCapturePath());
      const heap = async () =>
        (
          (await (await fetch(`${listening.url}/api/status`, { headers })).json()) as {
            memory: { heapUsed: number };
          }
        ).memory.heapUsed;
      const samples: number[] = [];
      let alertsPerReplay = 0;
      for (let round = 1; round <= 30; round++) {
        const up = (await (
          await fetch(`${listening.url}/api/captures?name=soak-${round}.pcap`, {
            method: 'POST',
            headers,
            body: demo,
          })
        ).json()) as {
          id: string;
        };
        const job = await until(
          async () => {
            const j = (await (await fetch(`${listening.url}/api/captures/${up.id}`, { headers })).json()) as {
              status: string;
              alerts: number;
              packets: number;
            };
            return j.status === 'done' || j.status === 'failed' ? j : null;
          },
          60_000,
          `replay ${round}`,
        );
        expect(job.status).toBe('done');
        if (round === 1) alertsPerReplay = job.alerts;
        else expect(job.alerts).toBe(alertsPerReplay);
        samples.push(await heap());
      }
      const early = Math.max(...samples.slice(3, 8));
      const late = Math.max(...samples.slice(-5));
      // a leak of the flows (2,000 per replay) or alerts would grow by far more than this
      expect(late - early).toBeLessThan(40 * 1024 * 1024);
      const total = (await (await fetch(`${listening.url}/api/alerts?limit=1`, { headers })).json()) as {
        total: number;
      };
      expect(total.total).toBe(alertsPerReplay * 30);
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
  }, 300_000);
});
