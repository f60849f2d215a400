/**
 * The shipped demo capture: the committed file is what the generator makes, every checksum is
 * right for tshark, `--demo` replays it into flows and alerts (signatures and behavioural
 * detectors), and a stop in the middle of a replay commits every pending alert to the store and
 * the EVE file alike.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildDemoCapture, demoCapturePath } from '../../src/daemon/demo.js';
import { startTestDaemon, tempDir, until } from './helpers.js';

describe('demo capture', () => {
  it('is the generator output, small, and valid for tshark (checksums verified)', async () => {
    const file = readFileSync(demoCapturePath());
    expect(file.equals(await buildDemoCapture())).toBe(true);
    expect(file.length).toBeLessThan(300 * 1024);
    const bad = execFileSync(
      'tshark',
      [
        '-r',
        demoCapturePath(),
        '-o',
        'ip.check_checksum:TRUE',
        '-o',
        'tcp.check_checksum:TRUE',
        '-o',
        'udp.check_checksum:TRUE',
        '-Y',
        'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0 || _ws.expert.severity == error',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // the UDP flood is deliberately not valid DNS: tshark marks those as malformed, nothing else
    const lines = bad.split('\n').filter((l) => l.trim() !== '');
    expect(lines.every((l) => /DNS/.test(l) && /Malformed/.test(l))).toBe(true);
  });

  it('--demo replays it into flows and alerts from signatures and detectors', async () => {
    const t = await startTestDaemon({ 'capture.demo': true, 'capture.demo_speed': 0 });
    try {
      const job = await until(async () => {
        const j = (await t.call('GET', '/api/captures')).json.captures[0];
        return j?.status === 'done' ? j : null;
      });
      expect(job.origin).toBe('demo');
      expect(job.flows).toBeGreaterThan(0);
      const sum = (await t.call('GET', '/api/alerts/summary')).json;
      expect(sum.by_source.signature).toBeGreaterThan(0);
      for (const d of ['portscan', 'webattack', 'bruteforce', 'dos'])
        expect(sum.by_source[d], d).toBeGreaterThan(0);
      // every attack alert names the attacker; the benign client raises no high alert
      const benign = (await t.call('GET', '/api/alerts?src_ip=10.20.0.10&severity=high,critical')).json;
      expect(benign.total).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it('a stop in the middle of a replay commits every pending alert to the store and the EVE file', async () => {
    const dir = tempDir('demo-stop');
    const t = await startTestDaemon({ 'capture.demo': true, 'capture.demo_speed': 4 }, { dir });
    await until(
      async () => (await t.call('GET', '/api/status')).json.packets > 1000,
      60_000,
      'the replay to get going',
    );
    const hub = t.d.state.hub;
    await t.d.close();
    expect(hub.pendingCount).toBe(0);
    const db = new Database(path.join(dir, 'sentra.db'));
    const stored = (db.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number }).n;
    const job = db.prepare('SELECT status, alerts, error FROM captures').get() as {
      status: string;
      alerts: number;
      error: string;
    };
    db.close();
    const eve = readFileSync(path.join(dir, 'eve.json'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(stored).toBe(hub.committed);
    expect(eve.length).toBe(stored);
    expect(stored).toBe(job.alerts);
    expect(job.status).toBe('failed');
    expect(JSON.parse(job.error).message).toContain('stopped');
  });
});
