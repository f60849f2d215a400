// The Firewall's own logic (safety, conflicts, state, restart, drift) on the memory backend with
// a controlled clock. The kernel behaviour is tested on real nftables and iptables elsewhere.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { MemoryBackend } from '../../src/firewall/backends/memory.js';
import { Firewall } from '../../src/firewall/firewall.js';
import { firewallFunctions } from '../../src/firewall/spec-functions.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-fw-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function open(
  opts: { management?: string[]; clock?: { t: number }; db?: string; backend?: MemoryBackend } = {},
) {
  const clock = opts.clock ?? { t: 1_800_000_000_000 };
  const backend = opts.backend ?? new MemoryBackend({ now: () => clock.t });
  const dbPath = opts.db ?? path.join(dir, `fw-${++n}.db`);
  const fw = await Firewall.open({ backend, dbPath, management: opts.management, now: () => clock.t });
  return { fw, backend, clock, dbPath };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof SentraError ? e.code : String(e);
  }
  return undefined;
}

describe('protected addresses', () => {
  it('refuses bans that cover loopback, whatever the family', async () => {
    const { fw } = await open();
    for (const t of [
      '0.0.0.0/0',
      '127.0.0.1',
      '127.0.0.0/8',
      '96.0.0.0/3',
      '::/0',
      '::1',
      '::/64',
      '::ffff:127.0.0.1',
    ]) {
      expect(await codeOf(fw.block(t)), t).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    }
    fw.close();
  });

  it('refuses a CIDR containing a management address, and a ban inside a management block', async () => {
    const { fw } = await open({ management: ['198.51.100.7', '2001:db8:1::/48'] });
    expect(await codeOf(fw.block('198.51.100.0/24'))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    expect(await codeOf(fw.block('198.51.100.7'))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    expect(await codeOf(fw.block('2001:db8:1:5::9'))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    expect(await codeOf(fw.block('2001:db8::/32'))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    // next door is fine
    expect((await fw.block('198.51.100.8'))[0].src_ip).toBe('198.51.100.8');
    // a whole bulk request is refused when one target is protected
    expect(await codeOf(fw.block(['203.0.113.1', '198.51.100.7']))).toBe(
      ErrorCodes.FIREWALL_PROTECTED_ADDRESS,
    );
    expect(fw.activeBan('203.0.113.1')).toBeNull();
    fw.close();
  });

  it('stored management addresses protect across instances; protect refuses an address already banned', async () => {
    const { fw, dbPath, clock } = await open();
    await fw.block('203.0.113.9');
    expect(await codeOf(fw.protect('203.0.113.0/24'))).toBe(ErrorCodes.FIREWALL_CONFLICT);
    await fw.protect('198.51.100.7');
    fw.close();
    const again = await open({ db: dbPath, clock });
    expect(again.fw.management()).toEqual(['198.51.100.7']);
    expect(await codeOf(again.fw.block('198.51.100.0/25'))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    again.fw.close();
  });

  it('allowed addresses cannot be banned', async () => {
    const { fw } = await open();
    await fw.allow('192.0.2.0/28');
    expect(await codeOf(fw.block('192.0.2.5'))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    fw.close();
  });
});

describe('default policy safety', () => {
  it('refuses input drop with no management address configured', async () => {
    const { fw } = await open();
    expect(await codeOf(fw.setDefaultPolicy('INPUT', 'DROP'))).toBe(ErrorCodes.FIREWALL_UNSAFE_POLICY);
    expect(fw.policies().input).toBe('accept');
    fw.close();
  });

  it('refuses input drop until a permanent allow keeps the management address reachable', async () => {
    const { fw, backend } = await open({ management: ['198.51.100.7'] });
    expect(await codeOf(fw.setDefaultPolicy('input', 'drop'))).toBe(ErrorCodes.FIREWALL_UNSAFE_POLICY);
    await fw.allow('198.51.100.0/24', { duration: '1h' });
    // a temporary allow would lapse and lock the admin out
    expect(await codeOf(fw.setDefaultPolicy('input', 'drop'))).toBe(ErrorCodes.FIREWALL_UNSAFE_POLICY);
    await fw.createRule({
      chain: 'input',
      protocol: 'tcp',
      src: '198.51.100.7',
      dstPort: 22,
      action: 'accept',
    });
    const r = await fw.setDefaultPolicy('input', 'drop');
    expect(r).toEqual({ chain: 'input', policy: 'drop', previous: 'accept' });
    expect((await backend.snapshot()).policies?.input).toBe('drop');
    // the rule that keeps access cannot be deleted while the policy is drop
    const keeper = (await fw.listRules({ kind: 'rule' }))[0];
    expect(await codeOf(fw.deleteRule(keeper.id))).toBe(ErrorCodes.FIREWALL_UNSAFE_POLICY);
    // output and forward drop need no such check; --force skips it
    expect((await fw.setDefaultPolicy('forward', 'drop')).policy).toBe('drop');
    fw.close();
  });

  it('refuses a drop rule on input that would cover a management address, unless forced', async () => {
    const { fw } = await open({ management: ['198.51.100.7'] });
    expect(
      await codeOf(fw.createRule({ chain: 'INPUT', protocol: 'tcp', dstPort: '22', action: 'DROP' })),
    ).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    const r = await fw.createRule({
      chain: 'INPUT',
      protocol: 'tcp',
      src: '203.0.113.0/24',
      dstPort: '22',
      action: 'DROP',
    });
    expect(r.src_ip).toBe('203.0.113.0/24');
    const forced = await fw.createRule({
      chain: 'INPUT',
      protocol: 'tcp',
      dstPort: '23',
      action: 'DROP',
      force: true,
    });
    expect(forced.dst_port).toBe('23');
    fw.close();
  });
});

describe('bans, expiry and state', () => {
  it('a re-ban renews expiry and reason, keeps the id, and counts in the history', async () => {
    const { fw, clock } = await open();
    const [a] = await fw.block('203.0.113.5', { duration: 60, reason: 'first' });
    clock.t += 30_000;
    const [b] = await fw.block('203.0.113.5', { duration: '10m', reason: 'second' });
    expect(b.id).toBe(a.id);
    expect(b.reason).toBe('second');
    expect(b.time_remaining).toBe(600);
    expect(fw.banCount('203.0.113.5')).toBe(2);
    expect(fw.banCount('203.0.113.5', clock.t - 10_000)).toBe(1);
    fw.close();
  });

  it('expired bans leave the list, the kernel (memory) and the stats', async () => {
    const { fw, clock, backend } = await open();
    await fw.block(['203.0.113.1', '2001:db8::7'], { duration: 2 });
    await fw.block('203.0.113.2');
    expect((await fw.getStats()).bans_count).toBe(3);
    clock.t += 3000;
    const list = await fw.listRules();
    expect(list.map((r) => r.src_ip)).toEqual(['203.0.113.2']);
    expect((await backend.snapshot()).bans.map((b) => b.target.text)).toEqual(['203.0.113.2']);
    const stats = await fw.getStats();
    expect(stats.bans_count).toBe(1);
    expect(stats.permanent_rules).toBe(1);
    fw.close();
  });

  it('refuses overlapping network bans (the kernel set cannot hold them) but allows a host inside a block', async () => {
    const { fw } = await open();
    await fw.block('203.0.113.0/24');
    expect(await codeOf(fw.block('203.0.113.128/25'))).toBe(ErrorCodes.FIREWALL_CONFLICT);
    expect(await codeOf(fw.block(['198.18.0.0/15', '198.19.0.0/16']))).toBe(ErrorCodes.FIREWALL_CONFLICT);
    expect((await fw.block('203.0.113.9'))[0].src_ip).toBe('203.0.113.9');
    expect((await fw.block('203.0.113.0/24', { duration: 60 }))[0].time_remaining).toBe(60);
    fw.close();
  });

  it('bulk-bans many addresses in one kernel transaction', async () => {
    const { fw, backend } = await open();
    const list = Array.from({ length: 5000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
    const before = backend.commands.length;
    const rules = await fw.block(list, { duration: '1h', reason: 'bulk' });
    expect(rules.length).toBe(5000);
    expect(backend.commands.length - before).toBe(1);
    expect((await backend.snapshot()).bans.length).toBe(5000);
    fw.close();
  });

  it('a restarted instance keeps bans expiring at their original time', async () => {
    const clock = { t: 1_800_000_000_000 };
    const first = await open({ clock });
    await first.fw.block('203.0.113.77', { duration: 100 });
    first.fw.close();
    clock.t += 40_000;
    // a new kernel (reboot): empty memory backend, same database
    const second = await open({ clock, db: first.dbPath });
    expect(second.fw.lastReconcile?.drift.some((d) => d.type === 'table_missing')).toBe(true);
    const el = (await second.backend.snapshot()).bans.find((b) => b.target.text === '203.0.113.77');
    expect(el?.timeoutMs).toBe(60_000);
    clock.t += 60_001;
    expect((await second.backend.snapshot()).bans).toEqual([]);
    expect(await second.fw.listRules()).toEqual([]);
    second.fw.close();
  });

  it('reports and repairs drift: an element removed by hand, one added by hand', async () => {
    const { fw, backend } = await open();
    await fw.block(['203.0.113.1', '203.0.113.2']);
    backend.tamperRemove('ban', '203.0.113.1');
    await backend.addAddresses(
      'ban',
      [
        {
          target: (await import('../../src/firewall/validate.js')).parseTarget('192.0.2.99'),
          timeoutMs: null,
        },
      ],
      false,
    );
    const r = await fw.reconcile();
    expect(r.drift_count).toBe(2);
    expect(r.drift.find((d) => d.type === 'missing')?.target).toBe('203.0.113.1');
    expect(r.drift.find((d) => d.type === 'unexpected')?.target).toBe('192.0.2.99');
    expect((await backend.snapshot()).bans.map((b) => b.target.text).sort()).toEqual([
      '203.0.113.1',
      '203.0.113.2',
    ]);
    expect((await fw.reconcile()).drift_count).toBe(0);
    fw.close();
  });

  it('unblock by address or id; unknown inputs are reported, not thrown', async () => {
    const { fw } = await open();
    const [a, b] = await fw.block(['203.0.113.1', '2001:db8::1']);
    const r = await fw.unblock(['203.0.113.1', b.id, '203.0.113.200']);
    expect(r.removed.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(r.not_found).toEqual(['203.0.113.200']);
    fw.close();
  });

  it('clear removes everything Sentra created and resets policies', async () => {
    const { fw, backend } = await open({ management: ['198.51.100.7'] });
    await fw.allow('198.51.100.7');
    await fw.block('203.0.113.1');
    await fw.blockPort('23');
    await fw.setDefaultPolicy('input', 'drop');
    expect((await fw.clearRules()).removed).toBe(3);
    expect(fw.policies().input).toBe('accept');
    const snap = await backend.snapshot();
    expect([snap.bans.length, snap.allows.length, snap.ports.length, snap.policies?.input]).toEqual([
      0,
      0,
      0,
      'accept',
    ]);
    fw.close();
  });
});

describe('the spec functions', () => {
  it('have the spec signatures and snake_case results', async () => {
    const { fw, backend } = await open();
    const f = firewallFunctions(fw);
    const rule = await f.firewall_create_rule('INPUT', 'tcp', 'any', 'any', 'any', '22', 'DROP');
    expect(rule.id).toMatch(/^fw-rule-[0-9a-f]{12}$/);
    expect(rule).toMatchObject({
      chain: 'input',
      protocol: 'tcp',
      dst_port: '22',
      action: 'drop',
      src_ip: 'any',
    });
    const ban = await f.firewall_block_ip('192.168.1.100');
    expect(ban).toMatchObject({ kind: 'ban', src_ip: '192.168.1.100', expires_at: null });
    const allowed = await f.firewall_allow_ip('192.168.1.10');
    expect(allowed.kind).toBe('allow');
    const stats = await f.firewall_get_stats();
    expect(stats).toMatchObject({ rules_count: 3, packets_blocked: 0, bytes_blocked: 0, backend: 'memory' });
    expect((await f.firewall_list_rules()).map((r) => r.kind)).toEqual(['rule', 'allow', 'ban']);
    expect((await f.firewall_delete_rule(rule.id)).success).toBe(true);
    expect(await codeOf(f.firewall_delete_rule(rule.id))).toBe(ErrorCodes.NOT_FOUND);
    expect((await f.firewall_set_default_policy('OUTPUT', 'DROP')).policy).toBe('drop');
    expect(await f.firewall_clear_rules()).toEqual({ success: true, removed: 2 });
    // the memory backend reports the nft script the nftables backend would run
    expect(
      backend.commands.some((c) => c.input?.includes('add element inet sentra ban4 { 192.168.1.100 }')),
    ).toBe(true);
    fw.close();
  });
});
