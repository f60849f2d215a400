/**
 * The IDS on a live interface inside network namespaces the test creates, with blocking
 * through the firewall's nftables backend in the victim's namespace: an attacker's SQL
 * injection over real HTTP raises an alert, `ids_block_threat` bans the attacker (the kernel
 * then drops its connections while another host still connects), and a custom rule with
 * action block bans its source by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdsService } from '../../src/api/ids.js';
import { AlertResponder } from '../../src/api/response/responder.js';
import { Firewall } from '../../src/firewall/firewall.js';
import { freeSubnet24, NetnsLab, waitFor } from '../helpers/netns.js';

const SERVER = `require('node:http').createServer((q, s) => s.end('ok\\n')).listen(80, '0.0.0.0');`;

describe('IDS on a live interface with nftables blocking', () => {
  const lab = new NetnsLab();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-ids-live-'));
  const ip = { victim: '', attacker: '', other: '' };
  let victim = '';
  let attacker = '';
  let other = '';
  let fw: Firewall | null = null;
  let svc: IdsService | null = null;

  const get = (from: string, url: string) =>
    lab
      .exec(from, ['curl', '-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', url], {
        timeoutMs: 10_000,
      })
      .then(
        (r) => r.stdout.trim() === '200',
        () => false,
      );

  beforeAll(async () => {
    const net = await freeSubnet24();
    Object.assign(ip, { victim: `${net}.2`, attacker: `${net}.5`, other: `${net}.9` });
    const { hosts } = await lab.lan([
      { name: 'victim', addr4: `${ip.victim}/24` },
      { name: 'attacker', addr4: `${ip.attacker}/24` },
      { name: 'other', addr4: `${ip.other}/24` },
    ]);
    victim = hosts.victim;
    attacker = hosts.attacker;
    other = hosts.other;
    lab.spawn(victim, ['node', '-e', SERVER]);
    await waitFor(() => get(other, `http://${ip.victim}/`), 15_000, 'the test web server');
    fw = await Firewall.open({ backend: 'nftables', netns: victim, dbPath: path.join(dir, 'fw.db') });
    svc = new IdsService({ responder: new AlertResponder(fw) });
  }, 60_000);

  afterAll(async () => {
    try {
      await svc?.stopAll();
      if (fw) {
        await fw.clearRules({ removeTable: true });
        fw.close();
      }
    } finally {
      await lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('alerts on a SQL injection, blocks the attacker on request, and a block rule bans by itself', async () => {
    const ids = (svc as IdsService).functions();
    const h = ids.ids_start('eth0', { netns: victim, detect_sql_injection: true });
    expect(h.source_type).toBe('interface');
    ids.ids_add_rule(h.id, {
      name: 'TRACE is not allowed',
      pattern: 'HTTP method == TRACE',
      severity: 'medium',
      action: 'block',
    });
    // the capture is open once ids_start returns; give the kernel a moment to attach it
    await new Promise((r) => setTimeout(r, 300));

    expect(await get(attacker, `http://${ip.victim}/search?id=1%27%20OR%20%271%27%3D%271`)).toBe(true);
    const sqlAlert = () => ids.ids_get_alerts(h.id, 'high', 10).find((a) => a.kind === 'sql_injection');
    await waitFor(() => sqlAlert() !== undefined, 10_000, 'the SQL injection alert');
    const sqli = sqlAlert() as NonNullable<ReturnType<typeof sqlAlert>>;
    expect(sqli.src_ip).toBe(ip.attacker);
    expect(sqli.dst_ip).toBe(ip.victim);
    expect(sqli.protocol).toBe('TCP');

    const d = await ids.ids_block_threat(h.id, sqli.id);
    expect(d.success).toBe(true);
    expect(d.action).toBe('banned');
    expect(d.src_ip).toBe(ip.attacker);
    expect(await get(attacker, `http://${ip.victim}/`)).toBe(false);
    expect(await get(other, `http://${ip.victim}/`)).toBe(true);
    const set = await lab.exec(victim, ['nft', 'list', 'set', 'inet', 'sentra', 'ban4']);
    expect(set.stdout).toContain(ip.attacker);

    // the custom rule's action block bans `other` when it sends TRACE
    await lab
      .exec(other, ['curl', '-s', '-m', '2', '-X', 'TRACE', `http://${ip.victim}/`], { timeoutMs: 10_000 })
      .catch(() => undefined);
    await waitFor(
      async () => !(await get(other, `http://${ip.victim}/`)),
      10_000,
      'the automatic ban of the TRACE sender',
    );

    const st = await ids.ids_stop(h.id);
    expect(st.status).toBe('stopped');
    expect(st.threats_blocked).toBe(2);
    expect(st.packets_analyzed).toBeGreaterThan(10);
  }, 60_000);
});
