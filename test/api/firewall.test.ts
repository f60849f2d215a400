/**
 * The eight firewall functions through the facade, with the nftables backend inside a namespace
 * this test creates (`fw`), checked with real traffic from two other lab hosts: a ban drops a
 * host's pings and the statistics count exactly the pings it sent; a port rule drops or rejects
 * one port only; an allowed management address keeps access under a DROP policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiContext, callApi, TargetMap } from '../../src/api/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { Firewall } from '../../src/firewall/index.js';
import { cleanupStaleNamespaces, freeSubnet24, isRoot, NetnsLab, waitFor } from '../helpers/netns.js';
import { connects as connectsTo, errorCode, pingReplies } from './helpers.js';

const canRun = isRoot();
const lab = new NetnsLab();
const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-api-fw-'));
let net = '';
let ns: Record<string, string> = {};
let ctx: ApiContext;

beforeAll(async () => {
  if (!canRun) return;
  await cleanupStaleNamespaces();
  net = await freeSubnet24();
  ({ hosts: ns } = await lab.lan([
    { name: 'fw', addr4: `${net}.1/24` },
    { name: 'peer', addr4: `${net}.2/24` },
    { name: 'other', addr4: `${net}.3/24` },
  ]));
  // probes close at once: the server must survive their resets
  const code = `for(const p of [5000,5001])require('net').createServer(s=>{s.on('error',()=>{});s.end('hi')}).listen(p,'${net}.1')`;
  lab.spawn(ns.fw, [process.execPath, '-e', code]);
  await waitFor(() => connects(ns.peer, 5001), 10_000, 'the servers in fw');
  ctx = new ApiContext({
    firewall: {
      backend: 'nftables',
      netns: ns.fw,
      dbPath: path.join(dir, 'fw.db'),
      management: [`${net}.2`],
    },
    targetMap: TargetMap.parse([`192.168.1.0/24=${net}.0/24`]),
  });
}, 60_000);

afterAll(async () => {
  if (!canRun) return;
  await ctx.dispose();
  await lab.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const connects = (from: string, port: number) => connectsTo(lab, from, `${net}.1`, port);
const pings = (from: string, n: number) => pingReplies(lab, from, `${net}.1`, n);

// biome-ignore lint/suspicious/noExplicitAny: results are read field by field, as a script does
const call = (name: string, ...args: unknown[]): Promise<any> => callApi(ctx, name, args);

const code = errorCode;

describe.skipIf(!canRun)('firewall_* through the facade (nftables in a lab namespace)', () => {
  it('firewall_block_ip bans a host (named by its mapped address); stats count exactly its dropped pings', async () => {
    expect(await pings(ns.peer, 1)).toBe(1);
    const ban = await call('firewall_block_ip', '192.168.1.3', null, 'test ban');
    expect(ban).toMatchObject({
      kind: 'ban',
      src_ip: `${net}.3`,
      action: 'drop',
      reason: 'test ban',
      expires_at: null,
    });
    expect(ban.id).toMatch(/^fw-rule-[0-9a-f]{12}$/);
    expect(await pings(ns.other, 4)).toBe(0);
    expect(await pings(ns.peer, 1)).toBe(1);
    const stats = await call('firewall_get_stats');
    expect(stats).toMatchObject({ backend: 'nftables', rules_count: 1, bans_count: 1, packets_blocked: 4 });
    expect(stats.bytes_blocked).toBe(4 * 84); // an echo request: 20 bytes IP + 8 ICMP + 56 data
    expect((await call('firewall_list_rules')).map((r: { id: string }) => r.id)).toEqual([ban.id]);
    expect(await call('firewall_delete_rule', ban.id)).toMatchObject({ success: true, rule_id: ban.id });
    expect(await pings(ns.other, 1)).toBe(1);
  }, 60_000);

  it('firewall_block_ip with a duration: the kernel lets the ban expire', async () => {
    const ban = await call('firewall_block_ip', `${net}.3`, 2);
    expect(ban.time_remaining).toBeGreaterThan(1);
    expect(await pings(ns.other, 1)).toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await pings(ns.other, 1)).toBe(1);
  }, 30_000);

  it('firewall_create_rule drops or rejects one port, never for the allowed management address', async () => {
    // a DROP for every source would cut the management address (.2) off: refused until it is allowed
    expect(
      await code(call('firewall_create_rule', 'INPUT', 'tcp', 'any', 'any', 'any', '5000', 'DROP')),
    ).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    await call('firewall_allow_ip', `${net}.2`);
    const drop = await call('firewall_create_rule', 'INPUT', 'tcp', 'any', 'any', 'any', '5000', 'DROP');
    expect(drop).toMatchObject({
      kind: 'rule',
      chain: 'input',
      protocol: 'tcp',
      dst_port: '5000',
      action: 'drop',
    });
    expect(await connects(ns.other, 5000)).toBe(false);
    expect(await connects(ns.other, 5001)).toBe(true);
    expect(await connects(ns.peer, 5000)).toBe(true); // allows come before rules
    const listed = (await call('firewall_list_rules')).find((r: { id: string }) => r.id === drop.id);
    expect(listed.packets).toBeGreaterThanOrEqual(1);
    await call('firewall_delete_rule', drop.id);
    const reject = await call(
      'firewall_create_rule',
      'INPUT',
      'tcp',
      `${net}.3`,
      'any',
      'any',
      5001,
      'REJECT',
    );
    expect(reject.src_ip).toBe(`${net}.3`);
    const refused = await lab.exec(ns.other, ['nc', '-v', '-z', '-w', '3', `${net}.1`, '5001']).then(
      () => 'open',
      (e: { stderr: string }) => e.stderr,
    );
    expect(refused).toMatch(/refused/i);
    expect(await call('firewall_clear_rules')).toEqual({ success: true, removed: 2 });
    expect(await connects(ns.other, 5001)).toBe(true);
  }, 60_000);

  it('firewall_allow_ip + firewall_set_default_policy: only the allowed host gets in', async () => {
    // DROP without an allowed management address is refused
    expect(await code(call('firewall_set_default_policy', 'INPUT', 'DROP'))).toBe(
      ErrorCodes.FIREWALL_UNSAFE_POLICY,
    );
    const allow = await call('firewall_allow_ip', `${net}.2`);
    expect(allow).toMatchObject({ kind: 'allow', src_ip: `${net}.2`, action: 'accept' });
    expect(await call('firewall_set_default_policy', 'INPUT', 'DROP')).toEqual({
      success: true,
      chain: 'input',
      policy: 'drop',
      previous: 'accept',
    });
    expect(await connects(ns.peer, 5001)).toBe(true);
    expect(await connects(ns.other, 5001)).toBe(false);
    expect((await call('firewall_get_stats')).blocked_by.policy.packets).toBeGreaterThanOrEqual(1);
    // a ban may not cover the allowed address
    expect(await code(call('firewall_block_ip', `${net}.0/24`))).toBe(ErrorCodes.FIREWALL_PROTECTED_ADDRESS);
    await call('firewall_set_default_policy', 'INPUT', 'ACCEPT');
    expect(await connects(ns.other, 5001)).toBe(true);
    await call('firewall_clear_rules');
  }, 60_000);

  it("a context can share an open Firewall (the daemon's) and leaves it open when disposed", async () => {
    const fw = await Firewall.open({
      backend: 'nftables',
      netns: ns.fw,
      table: 'sentra_shared',
      dbPath: path.join(dir, 'shared.db'),
    });
    const shared = new ApiContext({ firewall: fw });
    const ban = (await callApi(shared, 'firewall_block_ip', [`${net}.3`])) as { id: string };
    expect((await fw.listRules()).map((r) => r.id)).toEqual([ban.id]);
    expect(await pings(ns.other, 1)).toBe(0);
    await shared.dispose();
    expect((await fw.clearRules()).removed).toBe(1);
    expect(await pings(ns.other, 1)).toBe(1);
    fw.close();
  }, 30_000);

  it('invalid input is refused with the module codes and changes nothing', async () => {
    const before = (await call('firewall_list_rules')).length;
    expect(
      await code(call('firewall_create_rule', 'INPUT', 'tcp', 'any', 'any', 'any', '99999', 'DROP')),
    ).toBe(ErrorCodes.INVALID_PORT_RANGE);
    expect(
      await code(call('firewall_create_rule', 'PREROUTING', 'tcp', 'any', 'any', 'any', '22', 'DROP')),
    ).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await code(call('firewall_block_ip', '10.0.0.300'))).toBe(ErrorCodes.INVALID_CIDR);
    expect(await code(call('firewall_delete_rule', 'fw-rule-000000000000'))).toBe(ErrorCodes.NOT_FOUND);
    expect((await call('firewall_list_rules')).length).toBe(before);
  }, 30_000);
});
