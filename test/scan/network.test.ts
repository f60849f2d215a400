/**
 * Host discovery and a top-1000 scan of a /28 of namespaces: the live hosts, their MACs (from
 * each namespace's own link), reverse names (from dnsmasq in the lab) and open ports, the
 * latter checked against `nmap -sT` on the same port list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { parseNeighbours } from '../../src/scan/discovery/neighbours.js';
import { hostAddresses, scanNetwork } from '../../src/scan/discovery/network.js';
import { TOP1000_TCP } from '../../src/scan/ports/port-lists.js';
import { scanPorts } from '../../src/scan/ports/scan.js';
import { ScanLab } from './lab.js';

describe('address ranges', () => {
  it('a /28 has 14 hosts without network and broadcast; a /31 and /32 keep theirs', () => {
    const r = hostAddresses('10.1.2.0/28');
    expect(r.addresses.length).toBe(14);
    expect(r.addresses[0]).toBe('10.1.2.1');
    expect(r.addresses[13]).toBe('10.1.2.14');
    expect(hostAddresses('10.1.2.4/31').addresses).toEqual(['10.1.2.4', '10.1.2.5']);
    expect(hostAddresses('10.1.2.9/32').addresses).toEqual(['10.1.2.9']);
    expect(hostAddresses('fd00::/126').addresses).toEqual(['fd00::', 'fd00::1', 'fd00::2', 'fd00::3']);
  });

  it('large ranges need the explicit flag (SENTRA_ERR_SCAN_TARGET_TOO_LARGE)', async () => {
    expect(() => hostAddresses('10.0.0.0/16')).toThrow(
      expect.objectContaining({ code: ErrorCodes.SCAN_TARGET_TOO_LARGE }),
    );
    await expect(scanNetwork('10.0.0.0/8')).rejects.toMatchObject({ code: ErrorCodes.SCAN_TARGET_TOO_LARGE });
    await expect(scanNetwork('fd00::/64', { allowLarge: true })).rejects.toMatchObject({
      code: ErrorCodes.SCAN_TARGET_TOO_LARGE,
    });
    expect(hostAddresses('10.0.0.0/16', { allowLarge: true }).addresses.length).toBe(65534);
    expect(() => hostAddresses('10.0.0.0/33')).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_CIDR }),
    );
  });

  it('parses the neighbour table', () => {
    const t = parseNeighbours(
      '10.9.0.2 dev br0 lladdr 02:00:00:00:00:02 REACHABLE\n10.9.0.3 dev br0 INCOMPLETE\n10.9.0.1 dev br0 lladdr 02:00:00:00:00:01 router STALE\n',
    );
    expect(t).toEqual([
      { ip: '10.9.0.2', dev: 'br0', mac: '02:00:00:00:00:02', state: 'REACHABLE' },
      { ip: '10.9.0.3', dev: 'br0', mac: '', state: 'INCOMPLETE' },
      { ip: '10.9.0.1', dev: 'br0', mac: '02:00:00:00:00:01', state: 'STALE' },
    ]);
  });
});

describe('a /28 of namespaces', () => {
  const lab = new ScanLab();
  const names = ['web', 'ssh', 'dns', 'db', 'dark', 'plain'];
  beforeAll(async () => {
    await lab.start(names);
    await lab.nginx(lab.host('web'));
    await lab.sshd(lab.host('ssh'));
    await lab.dnsmasq(
      lab.host('dns'),
      lab.hosts.map((h) => ({ name: `${h.name}.scan.test`, ip: h.ip })),
    );
    await lab.redis(lab.host('db'));
    await lab.nodeServer(lab.host('db'), [8080, 9999]);
    await lab.dropAllIp(lab.host('dark'));
  });
  afterAll(async () => {
    await lab.destroy();
  });

  it('discovers exactly the hosts of the lab, with MACs, reverse names and how each was found', async () => {
    // 2 s per probe: a loaded CI machine must not turn a slow echo reply into a missing method
    const hosts = await scanNetwork(`${lab.net}.0/28`, { dnsServers: [lab.host('dns').ip], timeoutMs: 2000 });
    expect(hosts.map((h) => h.ip)).toEqual(lab.hosts.map((h) => h.ip));
    for (const h of lab.hosts) {
      const d = hosts.find((x) => x.ip === h.ip)!;
      expect(d.mac).toBe(await lab.mac(h));
      expect(d.hostname).toBe(`${h.name}.scan.test`);
    }
    const dark = hosts.find((x) => x.ip === lab.host('dark').ip)!;
    // it drops all IP: only the ARP answer proves it
    expect(dark.methods).toEqual(['arp']);
    expect(dark.latency).toBeNull();
    const plain = hosts.find((x) => x.ip === lab.host('plain').ip)!;
    expect(plain.methods).toContain('tcp');
    expect(plain.methods).toContain('icmp');
    expect(plain.latency).toBeGreaterThan(0);
  });

  it('IPv6: finds the hosts of a /126 through TCP, ICMPv6 and the NDP table', async () => {
    const hosts = await scanNetwork(`${lab.net6}4/126`, { reverseDns: false });
    // the dark host drops all IP, neighbour solicitations included: invisible over IPv6
    const expected = ['dns', 'db', 'plain'].map((n) => lab.host(n));
    expect(hosts.map((h) => h.ip)).toEqual(expected.map((h) => h.ip6));
    for (const h of expected) expect(hosts.find((x) => x.ip === h.ip6)?.mac).toBe(await lab.mac(h));
  });

  it('without reverse DNS, names are empty', async () => {
    const hosts = await scanNetwork(`${lab.net}.0/29`, { reverseDns: false, methods: ['tcp'] });
    expect(hosts.map((h) => h.hostname)).toEqual(hosts.map(() => ''));
    // tcp alone cannot see the dark host
    expect(hosts.map((h) => h.ip)).not.toContain(lab.host('dark').ip);
  });

  it('top-1000 scans of the live hosts find the open ports nmap -sT finds on the same port list', async () => {
    const live = lab.hosts.filter((h) => h.name !== 'dark').map((h) => h.ip);
    const nmap = await lab.nmapOpenPorts(live, TOP1000_TCP.join(','));
    for (const ip of live) {
      const r = await scanPorts(ip, 'top1000');
      expect(r.open_ports, ip).toEqual(nmap.get(ip));
    }
    expect(nmap.get(lab.host('db').ip)).toEqual([6379, 8080, 9999]);
  });

  it('the host that drops everything: every top-1000 port is filtered', async () => {
    const ip = lab.host('dark').ip;
    const r = await scanPorts(ip, 'top1000', { initialTimeoutMs: 500, retries: 1 });
    expect(r.filtered).toBe(1000);
    expect(r.open_ports).toEqual([]);
  });
});
