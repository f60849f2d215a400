/**
 * The spec's firewall.sn, run with `sentra run` inside the lab's control namespace (nftables
 * there, nowhere else): 192.168.1.100 is the lab host .100. What its comments promise — the IP
 * is blocked, SSH (tcp/22) is dropped, the statistics count the rules and the blocked packets —
 * is checked with traffic from other namespaces and against `nft list ruleset`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from '../helpers/netns.js';
import { ExampleLab, tsharkRows } from './lab.js';

const lab = new ExampleLab();
const canRun = isRoot();

/** True when a TCP connection from `ns` to `ip:port` opens within a second. */
async function connects(ns: string, ip: string, port: number): Promise<boolean> {
  try {
    await lab.lab.exec(ns, ['nc', '-z', '-w', '1', ip, String(port)], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The number of echo replies `ping -c n` from `ns` got. */
async function pingReplies(ns: string, ip: string, n: number): Promise<number> {
  const r = await lab.lab
    .exec(ns, ['ping', '-n', '-c', String(n), '-i', '0.2', '-W', '1', ip], { timeoutMs: 20_000 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return Number(/(\d+) received/.exec(r.stdout)?.[1] ?? -1);
}

beforeAll(async () => {
  if (!canRun) return;
  await lab.startLab([
    { name: 'attacker', octet: 100 },
    { name: 'peer', octet: 20 },
  ]);
  // an "SSH" port and another port in the control namespace, where the script's firewall is
  await lab.nodeServer(lab.ctl, [22, 2222], 'SSH-2.0-OpenSSH_9.2p1\r\n');
}, 60_000);

afterAll(async () => {
  if (canRun) await lab.destroy();
});

describe.skipIf(!canRun)('firewall.sn', () => {
  it('blocks 192.168.1.100 (the lab host .100), drops SSH, and counts the rules and dropped packets', async () => {
    const attacker = lab.host('attacker');
    const peer = lab.host('peer');
    // before: the attacker reaches the control host, and SSH is open to the peer
    expect(await pingReplies(attacker.ns, lab.ctl.ip, 2)).toBe(2);
    expect(await connects(peer.ns, lab.ctl.ip, 22)).toBe(true);

    const first = await lab.runScript(lab.example('firewall.sn'), 60);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^Blocked IP: fw-rule-[0-9a-f]{12}$/);
    expect(lines[1]).toMatch(/^Created rule: fw-rule-[0-9a-f]{12}$/);
    expect(lines.slice(2)).toEqual(['Rules: 2', 'Blocked: 0']);

    // the kernel holds what the script made: the ban of the lab address and the tcp/22 drop
    const { stdout: ruleset } = await lab.inCtl(['nft', 'list', 'ruleset']);
    expect(ruleset).toContain(`${lab.net}.100`);
    expect(ruleset).not.toContain('192.168.1.100');
    expect(ruleset).toMatch(/tcp dport 22 .*drop/);

    // after: the attacker's pings are dropped; SSH is dropped for everyone; other ports stay open.
    // tcpdump sees packets before the firewall does: it counts what the firewall had to drop
    const oracle = await lab.tcpdump(
      lab.ctl.ns,
      'lan0',
      `(ip src ${attacker.ip} and dst ${lab.ctl.ip}) or (tcp dst port 22 and tcp[tcpflags] & tcp-syn != 0)`,
    );
    expect(await pingReplies(attacker.ns, lab.ctl.ip, 3)).toBe(0);
    expect(await connects(peer.ns, lab.ctl.ip, 22)).toBe(false);
    expect(await connects(peer.ns, lab.ctl.ip, 2222)).toBe(true);
    expect(await connects(attacker.ns, lab.ctl.ip, 2222)).toBe(false);
    const dropped = (await tsharkRows(await oracle.stop(), ['frame.number'])).length;

    // the same script again: the ban is renewed (same id), the rule added a second time, and the
    // statistics count every packet dropped: 3 pings, the attacker's SYNs, the peer's SYNs to 22
    const second = await lab.runScript(lab.example('firewall.sn'), 60);
    expect(second.code).toBe(0);
    const again = second.stdout.trim().split('\n');
    expect(again[0]).toBe(lines[0]);
    expect(again[2]).toBe('Rules: 3');
    expect(dropped).toBeGreaterThanOrEqual(5);
    expect(again[3]).toBe(`Blocked: ${dropped}`);
  }, 180_000);
});
