// The IDS -> firewall response: policy decisions and escalation on the memory backend with a
// controlled clock, then one alert banning a real attacker with nftables inside a namespace.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResponseAlert } from '../../src/api/response/alert.js';
import { AlertResponder } from '../../src/api/response/responder.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { MemoryBackend } from '../../src/firewall/backends/memory.js';
import { Firewall } from '../../src/firewall/firewall.js';
import { freeSubnet24, NetnsLab, waitFor } from '../helpers/netns.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-response-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function memoryFirewall(management: string[] = []) {
  const clock = { t: 1_800_000_000_000 };
  const fw = await Firewall.open({
    backend: new MemoryBackend({ now: () => clock.t }),
    dbPath: path.join(dir, `r-${++n}.db`),
    management,
    now: () => clock.t,
  });
  return { fw, clock };
}

const alert = (over: Partial<ResponseAlert> = {}): ResponseAlert => ({
  id: 'alert-1',
  src_ip: '203.0.113.50',
  dst_ip: '192.0.2.10',
  severity: 'high',
  message: 'ET SCAN possible port scan',
  ...over,
});

describe('response policy', () => {
  it('bans at or above the minimum severity, ignores below', async () => {
    const { fw } = await memoryFirewall();
    const r = new AlertResponder(fw, { minSeverity: 'high', banTimeSec: 600 });
    expect((await r.handle(alert({ severity: 'medium' }))).action).toBe('ignored');
    expect((await r.handle(alert({ severity: 'low', src_ip: '203.0.113.51' }))).action).toBe('ignored');
    const d = await r.handle(alert({ severity: 'critical', message: 'line one\nline two' }));
    expect(d).toMatchObject({ action: 'banned', ban_time: 600, offence: 1 });
    expect(d.rule?.reason).toBe('ids alert alert-1 (critical): line one line two');
    expect(d.rule?.source).toBe('ids:alert-1');
    expect(fw.activeBan('203.0.113.50')?.time_remaining).toBe(600);
    expect((await r.handle(alert({ id: 'alert-2' }))).action).toBe('already_banned');
    expect(r.stats).toEqual({
      alerts_seen: 4,
      threats_blocked: 1,
      already_banned: 1,
      ignored: 2,
      refused: 0,
    });
    fw.close();
  });

  it('repeat offenders get escalating ban times, counted from the ban history in SQLite', async () => {
    const { fw, clock } = await memoryFirewall();
    const r = new AlertResponder(fw, {
      minSeverity: 'medium',
      banTimeSec: 60,
      increment: { enabled: true, multipliers: [1, 2, 4, 8], maxTimeSec: 300 },
    });
    const times: (number | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await r.handle(alert({ id: `a${i}` }));
      expect(d.action).toBe('banned');
      expect(d.offence).toBe(i + 1);
      times.push(d.ban_time);
      clock.t += (d.ban_time ?? 0) * 1000 + 1000; // the ban runs out, the attacker comes back
      expect(fw.activeBan('203.0.113.50')).toBeNull();
    }
    expect(times).toEqual([60, 120, 240, 300, 300]);
    // another address starts from the beginning
    expect((await r.handle(alert({ src_ip: '203.0.113.99' }))).ban_time).toBe(60);
    fw.close();
  });

  it('a burst of alerts about one attacker makes one ban and one offence', async () => {
    const { fw } = await memoryFirewall();
    const r = new AlertResponder(fw, { minSeverity: 'high', banTimeSec: 60 });
    const ds = await Promise.all([1, 2, 3, 4].map((i) => r.handle(alert({ id: `burst-${i}` }))));
    expect(ds.map((d) => d.action).sort()).toEqual([
      'already_banned',
      'already_banned',
      'already_banned',
      'banned',
    ]);
    expect(fw.banCount('203.0.113.50')).toBe(1);
    fw.close();
  });

  it('findTime limits which previous bans count', async () => {
    const { fw, clock } = await memoryFirewall();
    const r = new AlertResponder(
      fw,
      { minSeverity: 'high', banTimeSec: 10, increment: { enabled: true, findTimeSec: 3600 } },
      { now: () => clock.t },
    );
    expect((await r.handle(alert())).ban_time).toBe(10);
    clock.t += 2 * 3600 * 1000;
    expect((await r.handle(alert())).offence).toBe(1);
    clock.t += 20_000;
    expect(Math.round((await r.handle(alert())).ban_time ?? 0)).toBe(20);
    fw.close();
  });

  it('refuses (without throwing) protected and invalid sources; blockThreat throws typed errors', async () => {
    const { fw } = await memoryFirewall(['198.51.100.7']);
    const r = new AlertResponder(fw, { minSeverity: 'low' });
    const p = await r.handle(alert({ src_ip: '198.51.100.7' }));
    expect(p.action).toBe('refused');
    expect(p.error?.code).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    expect((await r.handle(alert({ src_ip: '127.0.0.1' }))).error?.code).toBe(
      ErrorCodes.FIREWALL_PROTECTED_ADDRESS,
    );
    expect((await r.handle(alert({ src_ip: '1.2.3.4; rm -rf /' }))).error?.code).toBe(
      ErrorCodes.INVALID_CIDR,
    );
    expect((await r.handle(alert({ severity: 'urgent' as never }))).action).toBe('refused');
    await expect(r.blockThreat(alert({ src_ip: '$(reboot)' }))).rejects.toBeInstanceOf(SentraError);
    // blockThreat bans whatever the severity
    expect((await r.blockThreat(alert({ severity: 'low', src_ip: '203.0.113.7' }))).action).toBe('banned');
    expect(await fw.listRules()).toHaveLength(1);
    fw.close();
  });

  it('a ban time of 0 bans permanently; a bad policy is refused', async () => {
    const { fw } = await memoryFirewall();
    const r = new AlertResponder(fw, { banTimeSec: 0 });
    const d = await r.handle(alert({ severity: 'critical' }));
    expect(d.ban_time).toBeNull();
    expect(d.rule?.expires_at).toBeNull();
    expect(() => new AlertResponder(fw, { minSeverity: 'severe' as never })).toThrow(SentraError);
    fw.close();
  });
});

describe('an alert bans a real attacker (nftables, in a namespace)', () => {
  const lab = new NetnsLab();
  afterAll(() => lab.destroy());

  it('after the alert the attacker cannot connect, another host can', async () => {
    const net = await freeSubnet24();
    const { hosts } = await lab.lan([
      { name: 'victim', addr4: `${net}.2/24` },
      { name: 'attacker', addr4: `${net}.6/24` },
      { name: 'other', addr4: `${net}.7/24` },
    ]);
    lab.spawn(hosts.victim, [
      'node',
      '-e',
      "require('node:net').createServer((s) => { s.on('error', () => {}); s.end(); }).listen(9090);",
    ]);
    const connects = (ns: string) =>
      lab.exec(ns, ['nc', '-z', '-w', '1', `${net}.2`, '9090']).then(
        () => true,
        () => false,
      );
    await waitFor(() => connects(hosts.other), 15_000, 'the server');
    const fw = await Firewall.open({
      backend: 'nftables',
      netns: hosts.victim,
      dbPath: path.join(dir, 'kernel.db'),
    });
    try {
      const r = new AlertResponder(fw, { minSeverity: 'high', banTimeSec: 60 });
      const d = await r.handle(
        alert({ src_ip: `${net}.6`, severity: 'critical', message: 'SSH brute force' }),
      );
      expect(d.action).toBe('banned');
      expect(await connects(hosts.attacker)).toBe(false);
      expect(await connects(hosts.other)).toBe(true);
      expect((await fw.getStats()).packets_blocked).toBeGreaterThan(0);
    } finally {
      await fw.clearRules({ removeTable: true });
      fw.close();
    }
  });
});
