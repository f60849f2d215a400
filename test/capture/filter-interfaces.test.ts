/**
 * Filters compiled by libpcap through the addon, against tcpdump's own compilation
 * (`tcpdump -dd`, the same libpcap), and the interface list against `ip -j`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureAvailability, checkFilter, compileFilter, listInterfaces } from '../../src/capture/index.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { LinkType } from '../../src/packet/record.js';
import { cleanupStaleNamespaces, NetnsLab, run } from '../helpers/netns.js';
import { type TwoHosts, twoHosts } from './lab.js';

/** tcpdump -dd output as [code, jt, jf, k] rows. */
async function tcpdumpDD(iface: string, dlt: string, expr: string): Promise<number[][]> {
  const { stdout } = await run(['tcpdump', '-i', iface, '-y', dlt, '-dd', expr]);
  return [...stdout.matchAll(/\{ (0x[0-9a-f]+), (\d+), (\d+), (0x[0-9a-f]+) \}/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
  ]);
}

describe('captureAvailability', () => {
  it('reports the addon loaded with libpcap on this machine (CI installs libpcap-dev)', () => {
    const a = captureAvailability();
    expect(a.reason).toBeUndefined();
    expect(a.available).toBe(true);
    expect(a.libpcapVersion).toMatch(/^libpcap version \d+\.\d+/);
  });
});

describe('compileFilter', () => {
  const filters = [
    'tcp port 80 or udp',
    'icmp',
    'host 10.1.2.3 and not port 22',
    'tcp[tcpflags] & tcp-syn != 0 and not src net 10.0.0.0/8',
    'ip6 and udp dst port 53',
    'net 192.168.0.0/16 and (tcp or icmp)',
    'ether broadcast',
  ];
  for (const f of filters) {
    it(`compiles "${f}" to the program tcpdump -dd prints (Ethernet)`, async () => {
      const ours = compileFilter(f).map((i) => [i.code, i.jt, i.jf, i.k]);
      expect(ours).toEqual(await tcpdumpDD('lo', 'EN10MB', f));
    });
  }

  it('compiles for another link type (Linux cooked capture) as tcpdump does', async () => {
    const f = 'udp and src port 5353';
    const ours = compileFilter(f, { linkType: LinkType.LINUX_SLL }).map((i) => [i.code, i.jt, i.jf, i.k]);
    expect(ours).toEqual(await tcpdumpDD('any', 'LINUX_SLL', f));
  });

  it("rejects bad filters with FILTER_SYNTAX and libpcap's message", async () => {
    for (const bad of ['tcp port 99999', 'tcp and', 'hots 1.2.3.4', 'port 80)']) {
      let err: SentraError | undefined;
      try {
        checkFilter(bad);
      } catch (e) {
        err = e as SentraError;
      }
      expect(err).toBeInstanceOf(SentraError);
      expect(err!.code).toBe(ErrorCodes.FILTER_SYNTAX);
      const td = await run(['tcpdump', '-i', 'lo', '-d', bad]).then(
        () => '',
        (e: { stderr?: string }) => e.stderr ?? '',
      );
      const msg = /tcpdump: (.*)/.exec(td)?.[1]?.trim();
      expect(msg).toBeTruthy();
      expect(err!.message).toContain(msg!);
    }
  });

  it('rejects a filter that can match nothing, as tcpdump does', () => {
    // libpcap only knows tcp[] offsets for IPv4
    expect(() => compileFilter('ip6 and tcp[tcpflags] & tcp-syn != 0')).toThrow(/rejects all packets/);
  });

  it('accepts the empty filter (everything)', () => {
    expect(compileFilter('').length).toBeGreaterThan(0);
  });
});

describe('listInterfaces', () => {
  const lab = new NetnsLab();
  let h: TwoHosts;
  beforeAll(async () => {
    await cleanupStaleNamespaces();
    h = await twoHosts(lab);
  });
  afterAll(() => lab.destroy());

  it("lists a namespace's interfaces with the addresses and state ip -j shows", async () => {
    const ours = listInterfaces({ netns: h.a });
    const links = JSON.parse((await run(['ip', '-n', h.a, '-j', 'addr', 'show'])).stdout) as {
      ifname: string;
      flags: string[];
      addr_info: { family: string; local: string; prefixlen: number }[];
    }[];
    for (const l of links) {
      const o = ours.find((i) => i.name === l.ifname);
      expect(o, l.ifname).toBeDefined();
      expect(o!.up).toBe(l.flags.includes('UP'));
      expect(o!.running).toBe(l.flags.includes('LOWER_UP'));
      expect(o!.loopback).toBe(l.flags.includes('LOOPBACK'));
      const want = l.addr_info.map((a) => a.local).sort();
      expect(o!.addresses.map((a) => a.address).sort()).toEqual(want);
    }
    const eth0 = ours.find((i) => i.name === 'eth0')!;
    const v4 = eth0.addresses.find((a) => a.family === 4)!;
    expect(v4.address).toBe(h.ipA);
    expect(v4.netmask).toBe('255.255.255.0');
    expect(eth0.addresses.find((a) => a.family === 6 && a.address === h.ip6A)).toBeDefined();
    expect(ours.some((i) => i.name === 'any')).toBe(true);
    // nothing of the root namespace leaks in
    const rootOnly = JSON.parse((await run(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[];
    for (const r of rootOnly) {
      if (links.some((l) => l.ifname === r.ifname)) continue;
      expect(ours.some((i) => i.name === r.ifname && i.addresses.length > 0)).toBe(false);
    }
  });

  it('a missing namespace is NOT_FOUND', () => {
    try {
      listInterfaces({ netns: 'snt-no-such-ns' });
      throw new Error('no error');
    } catch (e) {
      expect((e as SentraError).code).toBe(ErrorCodes.NOT_FOUND);
    }
  });
});
