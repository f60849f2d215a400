// Traffic shaping on a veth pair between two namespaces the test creates. The oracle is the
// transfer itself: bytes timed at the receiver must arrive within 15% of the configured rate.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { parseRate } from '../../src/qos/rate.js';
import { QosManager } from '../../src/qos/shaper.js';
import { freeSubnet24, NetnsLab } from '../helpers/netns.js';
import { measureTransfer } from './transfer.js';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof SentraError ? e.code : String(e);
  }
  return undefined;
}

describe('rates', () => {
  it('parses tc units (kbit = 1000 bit/s; bps = bytes/s)', () => {
    expect(parseRate('10mbit')).toBe(10_000);
    expect(parseRate('512kbit')).toBe(512);
    expect(parseRate('1gbit')).toBe(1_000_000);
    expect(parseRate('125kbps')).toBe(1000);
    expect(parseRate(2000)).toBe(2000);
    expect(() => parseRate('10mbit; reboot')).toThrow(SentraError);
    expect(() => parseRate('1kbit')).toThrow(SentraError);
  });
});

describe('tc shaping between two namespaces', () => {
  const lab = new NetnsLab();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-qos-'));
  let a = '';
  let b = '';
  let net = '';
  const v6 = { a: 'fd51:1:1::1', b: 'fd51:1:1::2' };
  let qa: QosManager;
  let qb: QosManager;

  beforeAll(async () => {
    net = await freeSubnet24();
    a = await lab.ns('a');
    b = await lab.ns('b');
    await lab.veth(
      { ns: a, ifname: 'eth0', addr4: `${net}.1/24`, addr6: `${v6.a}/64` },
      { ns: b, ifname: 'eth0', addr4: `${net}.2/24`, addr6: `${v6.b}/64` },
    );
    qa = new QosManager({ netns: a, dbPath: path.join(dir, 'a.db') });
    qb = new QosManager({ netns: b, dbPath: path.join(dir, 'b.db') });
  });

  afterAll(async () => {
    qa?.close();
    qb?.close();
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const within15 = (measured: number, configured: number) => {
    expect(measured).toBeGreaterThan(configured * 0.85);
    expect(measured).toBeLessThan(configured * 1.15);
  };

  it('an egress limit on IPv4 holds a transfer to the configured rate', async () => {
    // unshaped, the veth is far faster than the limit, so the limit is what we measure
    const free = await measureTransfer(lab, a, b, `${net}.2`, 4_000_000);
    expect(free.kbit).toBeGreaterThan(40_000);
    const r = await qa.limit({ address: `${net}.2`, interface: 'eth0', rate: '4mbit' });
    expect(r).toMatchObject({ direction: 'egress', match: 'dst', rate_kbit: 4000, class_id: '5e:10' });
    const t = await measureTransfer(lab, a, b, `${net}.2`, 1_500_000);
    within15(t.kbit, 4000);
    const [listed] = await qa.list();
    expect(listed.sent_bytes).toBeGreaterThan(1_500_000);
  });

  it('an egress limit on IPv6 holds a transfer to the configured rate', async () => {
    await qa.limit({ address: v6.b, interface: 'eth0', rate: '8mbit' });
    const t = await measureTransfer(lab, a, b, v6.b, 3_000_000);
    within15(t.kbit, 8000);
    expect((await qa.list()).length).toBe(2);
  });

  it('clear removes the limits and Sentra’s qdisc', async () => {
    expect(await qa.clear()).toEqual({ removed: 2 });
    const qd = await lab.exec(a, ['tc', 'qdisc', 'show', 'dev', 'eth0']);
    expect(qd.stdout).not.toContain('htb');
    const t = await measureTransfer(lab, a, b, `${net}.2`, 4_000_000);
    expect(t.kbit).toBeGreaterThan(40_000);
  });

  it('an ingress limit (through ifb) holds a transfer from the address to the configured rate', async () => {
    const r = await qb.limit({ address: `${net}.1`, interface: 'eth0', rate: '2mbit', direction: 'ingress' });
    expect(r.device).toMatch(/^sifb\d+$/);
    expect(r.match).toBe('src');
    const t = await measureTransfer(lab, a, b, `${net}.2`, 750_000);
    within15(t.kbit, 2000);
    await qb.clear();
    const links = await lab.exec(b, ['ip', '-o', 'link']);
    expect(links.stdout).not.toContain('sifb');
    const qd = await lab.exec(b, ['tc', 'qdisc', 'show', 'dev', 'eth0']);
    expect(qd.stdout).not.toContain('ingress');
  });

  it('refuses an interface carrying a qdisc it did not create, and leaves it alone', async () => {
    await lab.exec(a, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '0']);
    expect(await codeOf(qa.limit({ address: `${net}.2`, interface: 'eth0', rate: '1mbit' }))).toBe(
      ErrorCodes.QOS_FOREIGN_QDISC,
    );
    const qd = await lab.exec(a, ['tc', 'qdisc', 'show', 'dev', 'eth0']);
    expect(qd.stdout).toContain('qdisc htb 1: root');
    await lab.exec(a, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
  });

  it('refuses injection and unknown interfaces with typed errors', async () => {
    expect(await codeOf(qa.limit({ address: `${net}.2`, interface: 'eth0; reboot', rate: '1mbit' }))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    expect(await codeOf(qa.limit({ address: '$(reboot)', interface: 'eth0', rate: '1mbit' }))).toBe(
      ErrorCodes.INVALID_CIDR,
    );
    expect(await codeOf(qa.limit({ address: `${net}.2`, interface: 'eth0', rate: '1mbit\nqdisc del' }))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    expect(await codeOf(qa.limit({ address: `${net}.2`, interface: 'nosuch0', rate: '1mbit' }))).toBe(
      ErrorCodes.NOT_FOUND,
    );
    expect(qa.commands.filter((c) => c.join(' ').includes('reboot'))).toEqual([]);
  });
});
