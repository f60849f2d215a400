/**
 * The behaviour of a real firewall backend, run inside network namespaces the suite creates:
 * a victim host running a TCP server, an attacker and an innocent host on one LAN. Sentra's
 * backend is applied inside the victim's namespace; traffic never leaves the lab. The oracle is
 * the kernel itself: connections succeed or fail, and nft/ipset report what they hold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { IptablesBackend } from '../../src/firewall/backends/iptables.js';
import { NftablesBackend } from '../../src/firewall/backends/nftables.js';
import { Firewall } from '../../src/firewall/firewall.js';
import { freeSubnet24, NetnsLab, waitFor } from '../helpers/netns.js';

const PORT = 8080;
// a client that only probes (nc -z) resets the connection: ignore socket errors, keep serving
const SERVER = `require('node:net').createServer((s) => { s.on('error', () => {}); s.end('hi\\n'); }).listen(${PORT}, '::');`;

type Name = 'nftables' | 'iptables';

/** Commands a person would type to change or read the kernel behind Sentra's back. */
function byHand(name: Name) {
  if (name === 'nftables') {
    return {
      removeBan: (ip: string) => ['nft', 'delete', 'element', 'inet', 'sentra', 'ban4', `{ ${ip} }`],
      addBan: (ip: string) => ['nft', 'add', 'element', 'inet', 'sentra', 'ban4', `{ ${ip} }`],
      listBans: ['nft', 'list', 'set', 'inet', 'sentra', 'ban4'],
      /** Seconds left of an element in `nft list set` output (`expires 5s820ms`). */
      expiresIn(out: string, ip: string): number | null {
        const m = new RegExp(
          `${ip.replace(/\./g, '\\.')} timeout \\S+ expires (?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?`,
        ).exec(out);
        return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 1000 : null;
      },
      foreign: [
        ['nft', 'add', 'table', 'inet', 'foreign'],
        [
          'nft',
          'add',
          'chain',
          'inet',
          'foreign',
          'input',
          '{ type filter hook input priority 0; policy accept; }',
        ],
        ['nft', 'add', 'rule', 'inet', 'foreign', 'input', 'ip saddr 192.0.2.1 counter accept'],
      ],
      foreignCheck: ['nft', 'list', 'table', 'inet', 'foreign'],
      foreignNeedle: 'ip saddr 192.0.2.1',
    };
  }
  return {
    removeBan: (ip: string) => ['ipset', 'del', 'sentra-ban4', ip],
    addBan: (ip: string) => ['ipset', 'add', 'sentra-ban4', ip],
    listBans: ['ipset', 'save', 'sentra-ban4'],
    /** Seconds left of an element in `ipset save` output (`add sentra-ban4 1.2.3.4 timeout 5`). */
    expiresIn(out: string, ip: string): number | null {
      const m = new RegExp(`add sentra-ban4 ${ip.replace(/\./g, '\\.')} timeout (\\d+)`).exec(out);
      return m ? Number(m[1]) : null;
    },
    foreign: [
      ['iptables', '-A', 'INPUT', '-s', '192.0.2.1', '-m', 'comment', '--comment', 'foreign', '-j', 'ACCEPT'],
    ],
    foreignCheck: ['iptables', '-S', 'INPUT'],
    foreignNeedle: '-s 192.0.2.1/32 -m comment --comment foreign -j ACCEPT',
  };
}

export function kernelSuite(name: Name): void {
  describe(`${name} backend inside a network namespace`, () => {
    const lab = new NetnsLab();
    const dir = mkdtempSync(path.join(os.tmpdir(), `sentra-fw-${name}-`));
    const hand = byHand(name);
    let victim = '';
    let attacker = '';
    let other = '';
    let net = '';
    let v6 = '';
    const ip = { victim: '', attacker: '', other: '' };
    const ip6 = { victim: '', attacker: '', other: '' };
    const dbPath = path.join(dir, 'firewall.db');
    let fw: Firewall | null = null;

    const open = async (management?: string[]) => {
      fw = await Firewall.open({ backend: name, netns: victim, dbPath, management });
      return fw;
    };
    const connects = async (from: string, addr: string): Promise<boolean> =>
      lab.exec(from, ['nc', '-z', '-w', '1', addr, String(PORT)], { timeoutMs: 10_000 }).then(
        () => true,
        () => false,
      );
    const inVictim = (argv: string[]) => lab.exec(victim, argv);

    beforeAll(async () => {
      net = await freeSubnet24();
      const b = net.split('.')[1];
      const c = net.split('.')[2];
      v6 = `fd${Number(b).toString(16)}:${Number(c).toString(16)}:${name === 'nftables' ? 1 : 2}:`;
      Object.assign(ip, { victim: `${net}.2`, attacker: `${net}.5`, other: `${net}.9` });
      Object.assign(ip6, { victim: `${v6}:2`, attacker: `${v6}:5`, other: `${v6}:9` });
      const { hosts } = await lab.lan([
        { name: 'victim', addr4: `${ip.victim}/24`, addr6: `${ip6.victim}/64` },
        { name: 'attacker', addr4: `${ip.attacker}/24`, addr6: `${ip6.attacker}/64` },
        { name: 'other', addr4: `${ip.other}/24`, addr6: `${ip6.other}/64` },
      ]);
      victim = hosts.victim;
      attacker = hosts.attacker;
      other = hosts.other;
      lab.spawn(victim, ['node', '-e', SERVER]);
      await waitFor(() => connects(other, ip.victim), 15_000, 'the test server');
      for (const argv of hand.foreign) await inVictim(argv);
    });

    afterEach(async () => {
      if (fw) {
        await fw.clearRules();
        fw.close();
        fw = null;
      }
    });

    afterAll(async () => {
      try {
        // Sentra's own objects go; the rule someone else created stays
        const last = await Firewall.open({ backend: name, netns: victim, dbPath });
        await last.clearRules({ removeTable: true });
        last.close();
        const left = await inVictim(hand.foreignCheck);
        expect(left.stdout).toContain(hand.foreignNeedle);
      } finally {
        await lab.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a ban blocks the banned host only, counts its packets, and unblock restores access', async () => {
      const f = await open();
      expect(await connects(attacker, ip.victim)).toBe(true);
      await f.block(ip.attacker, { reason: 'test ban' });
      expect(await connects(attacker, ip.victim)).toBe(false);
      expect(await connects(other, ip.victim)).toBe(true);
      const stats = await f.getStats();
      expect(stats.backend).toBe(name);
      expect(stats.bans_count).toBe(1);
      expect(stats.packets_blocked).toBeGreaterThan(0);
      expect(stats.blocked_by.bans.packets).toBe(stats.packets_blocked);
      expect(stats.bytes_blocked).toBeGreaterThan(0);
      const r = await f.unblock(ip.attacker);
      expect(r.removed.length).toBe(1);
      expect(await connects(attacker, ip.victim)).toBe(true);
      // the foreign rule was there all along, untouched
      expect((await inVictim(hand.foreignCheck)).stdout).toContain(hand.foreignNeedle);
    });

    it('bans IPv6 addresses and CIDRs of both families', async () => {
      const f = await open();
      await f.block(ip6.attacker);
      expect(await connects(attacker, ip6.victim)).toBe(false);
      expect(await connects(attacker, ip.victim)).toBe(true);
      expect(await connects(other, ip6.victim)).toBe(true);
      await f.unblock(ip6.attacker);
      await f.block([`${net}.4/30`, `${v6}:4/126`]);
      expect(await connects(attacker, ip.victim)).toBe(false);
      expect(await connects(attacker, ip6.victim)).toBe(false);
      expect(await connects(other, ip.victim)).toBe(true);
      expect(await connects(other, ip6.victim)).toBe(true);
      // what the kernel prints back (ipset writes IPv6 its own way) matches the store
      expect((await f.reconcile()).drift_count).toBe(0);
    });

    it('a 2 s ban is gone after 3 s: the kernel expires it, Sentra does nothing', async () => {
      const f = await open();
      const t0 = Date.now();
      await f.block(ip.attacker, { duration: 2 });
      expect(await connects(attacker, ip.victim)).toBe(false);
      expect(hand.expiresIn((await inVictim(hand.listBans)).stdout, ip.attacker)).not.toBeNull();
      await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - t0))));
      expect(hand.expiresIn((await inVictim(hand.listBans)).stdout, ip.attacker)).toBeNull();
      expect(await connects(attacker, ip.victim)).toBe(true);
    });

    it('a restart keeps bans and their original expiry; after a "reboot" they are re-applied with the time left', async () => {
      const f = await open();
      const t0 = Date.now();
      await f.block(ip.attacker, { duration: 30 });
      f.close();
      fw = null;
      await new Promise((r) => setTimeout(r, 2000));
      const again = await open();
      expect(again.lastReconcile?.drift_count).toBe(0);
      expect(await connects(attacker, ip.victim)).toBe(false);
      // simulate a reboot: the kernel loses everything, the database stays
      again.close();
      fw = null;
      await (name === 'nftables'
        ? new NftablesBackend({ netns: victim })
        : new IptablesBackend({ netns: victim })
      ).destroy();
      expect(await connects(attacker, ip.victim)).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      const rebooted = await open();
      const report = rebooted.lastReconcile!;
      expect(report.table_created).toBe(true);
      expect(report.drift.some((d) => d.type === 'table_missing')).toBe(true);
      expect(report.reapplied).toBe(1);
      expect(await connects(attacker, ip.victim)).toBe(false);
      const left = hand.expiresIn((await inVictim(hand.listBans)).stdout, ip.attacker);
      const expected = 30 - (Date.now() - t0) / 1000;
      expect(left).not.toBeNull();
      expect(Math.abs(left! - expected)).toBeLessThan(2.5);
    });

    it('a ban removed by hand is reported as drift and restored; one added by hand is removed', async () => {
      const f = await open();
      const [ban] = await f.block(ip.attacker);
      await inVictim(hand.removeBan(ip.attacker));
      expect(await connects(attacker, ip.victim)).toBe(true);
      await inVictim(hand.addBan(ip.other));
      expect(await connects(other, ip.victim)).toBe(false);
      const r = await f.reconcile();
      expect(r.drift).toContainEqual(
        expect.objectContaining({ type: 'missing', target: ip.attacker, id: ban.id }),
      );
      expect(r.drift).toContainEqual(expect.objectContaining({ type: 'unexpected', target: ip.other }));
      expect(r.reapplied).toBe(1);
      expect(r.removed_unknown).toBe(1);
      expect(await connects(attacker, ip.victim)).toBe(false);
      expect(await connects(other, ip.victim)).toBe(true);
      expect((await f.reconcile()).drift_count).toBe(0);
    });

    it('custom rules apply in order, count their packets, and delete cleanly', async () => {
      const f = await open();
      const rule = await f.createRule({
        chain: 'INPUT',
        protocol: 'tcp',
        src: ip.other,
        dst: 'any',
        srcPort: 'any',
        dstPort: String(PORT),
        action: 'DROP',
      });
      expect(await connects(other, ip.victim)).toBe(false);
      expect(await connects(attacker, ip.victim)).toBe(true);
      const listed = (await f.listRules({ kind: 'rule' }))[0];
      expect(listed.id).toBe(rule.id);
      expect(listed.packets).toBeGreaterThan(0);
      expect((await f.getStats()).blocked_by.rules.packets).toBe(listed.packets);
      const reject = await f.createRule({
        chain: 'input',
        protocol: 'tcp',
        src: ip.attacker,
        dstPort: PORT,
        action: 'reject',
      });
      expect(await connects(attacker, ip.victim)).toBe(false);
      await f.deleteRule(rule.id);
      await f.deleteRule(reject.id);
      expect(await connects(other, ip.victim)).toBe(true);
      expect(await connects(attacker, ip.victim)).toBe(true);
    });

    it('port blocks drop a port for everyone until lifted', async () => {
      const f = await open();
      await f.blockPort(PORT, { protocol: 'tcp', duration: '1h' });
      expect(await connects(other, ip.victim)).toBe(false);
      expect(await connects(attacker, ip6.victim)).toBe(false);
      expect((await f.getStats()).blocked_by.ports.packets).toBeGreaterThan(0);
      await f.unblockPort(PORT, { protocol: 'tcp' });
      expect(await connects(other, ip.victim)).toBe(true);
    });

    it('a drop policy keeps the allowed management host reachable and nothing else', async () => {
      const f = await open([ip.other]);
      expect(await codeOf(f.setDefaultPolicy('INPUT', 'DROP'))).toBe(ErrorCodes.FIREWALL_UNSAFE_POLICY);
      await f.allow(ip.other);
      await f.setDefaultPolicy('INPUT', 'DROP');
      expect(await connects(other, ip.victim)).toBe(true);
      expect(await connects(attacker, ip.victim)).toBe(false);
      expect((await f.getStats()).blocked_by.policy.packets).toBeGreaterThan(0);
      // a ban may never cover the management host
      expect(await codeOf(f.block(`${net}.8/29`))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
      await f.setDefaultPolicy('INPUT', 'ACCEPT');
      expect(await connects(attacker, ip.victim)).toBe(true);
    });

    it('bans 10,000 addresses in one call, the attacker among them', async () => {
      const f = await open();
      const list = Array.from(
        { length: 10_000 },
        (_, i) => `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      );
      list.push(ip.attacker);
      const rules = await f.block(list, { duration: '10m' });
      expect(rules.length).toBe(10_001);
      expect(await connects(attacker, ip.victim)).toBe(false);
      expect(await connects(other, ip.victim)).toBe(true);
      const r = await f.reconcile();
      expect(r.drift_count).toBe(0);
      expect(r.checked).toBe(10_001);
    });
  });
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof SentraError ? e.code : String(e);
  }
  return undefined;
}
