/**
 * Port scans of namespace hosts, checked against `nmap -sT` (TCP) and `nmap -sU` (UDP) run on
 * the same hosts in the same test; filtered and unreachable targets; port-list parsing.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { loadNativeScanner, nativeLoadError } from '../../src/scan/ports/connect/native.js';
import { TOP100_TCP, TOP1000_TCP } from '../../src/scan/ports/port-lists.js';
import { parsePortSpec, serviceNameForPort } from '../../src/scan/ports/port-spec.js';
import { RttEstimator } from '../../src/scan/ports/rtt.js';
import { scanPorts } from '../../src/scan/ports/scan.js';
import { run } from '../helpers/netns.js';
import { ScanLab } from './lab.js';

describe('port lists', () => {
  it('top100 and top1000 hold 100 and 1000 distinct ports, top100 first', () => {
    expect(new Set(TOP100_TCP).size).toBe(100);
    expect(new Set(TOP1000_TCP).size).toBe(1000);
    expect(TOP1000_TCP.slice(0, 100)).toEqual([...TOP100_TCP]);
    expect(parsePortSpec('top1000').length).toBe(1000);
  });

  it('parses ranges, lists, all ports and named lists, sorted and unique', () => {
    expect([...parsePortSpec('22,80,443')]).toEqual([22, 80, 443]);
    expect([...parsePortSpec('1-5,3,4')]).toEqual([1, 2, 3, 4, 5]);
    expect(parsePortSpec('-').length).toBe(65535);
    expect(parsePortSpec('top100,60000-60001').length).toBe(102);
    expect([...parsePortSpec([443, 22, 22])]).toEqual([22, 443]);
  });

  it('refuses bad port lists with SENTRA_ERR_INVALID_PORT_RANGE', () => {
    for (const bad of ['0', '70000', '10-5', 'http', '', 'top10']) {
      expect(() => parsePortSpec(bad), bad).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_PORT_RANGE }),
      );
    }
  });

  it('names services by port', () => {
    expect(serviceNameForPort(22)).toBe('ssh');
    expect(serviceNameForPort(6379)).toBe('redis');
    expect(serviceNameForPort(53, 'udp')).toBe('domain');
  });

  it('RTT estimator follows RFC 6298 and clamps the timeout', () => {
    const r = new RttEstimator({ initialMs: 1000, minMs: 100, maxMs: 3000 });
    expect(r.timeout()).toBe(1000);
    r.sample(200);
    expect(r.smoothed).toBe(200);
    expect(r.timeout()).toBe(200 + 4 * 100);
    r.sample(100);
    expect(r.smoothed).toBeCloseTo(0.875 * 200 + 0.125 * 100);
    for (let i = 0; i < 50; i++) r.sample(0.1);
    expect(r.timeout()).toBe(100);
  });
});

describe('loopback', () => {
  it('every TCP strategy finds a socket this process listens on, and only it', async () => {
    const srv = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      for (const strategy of ['syn', 'connect', 'connect-js', 'connect-net']) {
        const r = await scanPorts('127.0.0.1', `${port - 2}-${port + 2}`, { strategy });
        expect([r.open_ports, r.closed, r.filtered], strategy).toEqual([[port], 4, 0]);
      }
    } finally {
      srv.close();
    }
  });
});

describe('scans of namespace hosts', () => {
  const lab = new ScanLab();
  beforeAll(async () => {
    await lab.start(['full', 'fw', 'udp']);
    const full = lab.host('full');
    await lab.nginx(full, { httpPort: 80 });
    await lab.sshd(full, 22);
    await lab.redis(full, 6379);
    await lab.nodeServer(full, [1, 1023, 1024, 31337, 40000, 65535]);
    const fw = lab.host('fw');
    await lab.nodeServer(fw, [22, 80, 8080]);
    await lab.dropTcp(fw, [80, 8080, 9999]);
    await lab.dnsmasq(lab.host('udp'), [{ name: 'udp.scan.test', ip: lab.host('udp').ip }]);
  });
  afterAll(async () => {
    await lab.destroy();
  });

  it('a full 1-65535 connect scan finds exactly the open ports nmap -sT finds', async () => {
    const ip = lab.host('full').ip;
    const ours = await scanPorts(ip, '-', { strategy: 'connect' });
    const nmap = (await lab.nmapOpenPorts([ip], '-')).get(ip);
    expect(ours.open_ports).toEqual(nmap);
    expect(ours.open_ports).toEqual([1, 22, 80, 1023, 1024, 6379, 31337, 40000, 65535]);
    expect(ours.scanned).toBe(65535);
    expect(ours.closed + ours.open_ports.length + ours.filtered).toBe(65535);
    expect(ours.filtered).toBe(0);
    expect(ours.services['22']).toBe('ssh');
    expect(ours.timings.timed_out).toBe(false);
    expect(String(ours)).toContain('9 open');
  });

  it('as root the default is a SYN scan, and a full SYN scan finds the open ports nmap -sT and -sS find', async () => {
    const ip = lab.host('full').ip;
    const ours = await scanPorts(ip, '-');
    expect(ours.strategy).toBe('syn');
    const { stdout } = await run(['nmap', '-sS', '-n', '-Pn', '-T4', '-p-', '-oG', '-', ip], {
      timeoutMs: 120_000,
    });
    const nmapSyn = /Ports: (.*)/
      .exec(stdout)![1]
      .split(',')
      .map((e) => e.trim().split('/'))
      .filter((f) => f[1] === 'open')
      .map((f) => Number(f[0]));
    expect(ours.open_ports).toEqual(nmapSyn);
    expect(ours.open_ports).toEqual((await lab.nmapOpenPorts([ip], '-')).get(ip));
    expect(ours.closed + ours.open_ports.length).toBe(65535);
    // IPv6 targets fall back to the connect engine under the same strategy name
    const v6 = await scanPorts(lab.host('full').ip6, '20-25', { strategy: 'syn' });
    expect(v6.open_ports).toEqual([22]);
  });

  it('the native addon is built and loaded (npm install runs node-gyp on binding.gyp)', () => {
    expect(nativeLoadError()).toBe('');
    expect(loadNativeScanner()).not.toBeNull();
  });

  it('the JavaScript engines agree with nmap on a range', async () => {
    const ip = lab.host('full').ip;
    const nmap = (await lab.nmapOpenPorts([ip], '1-5000')).get(ip);
    for (const strategy of ['connect-js', 'connect-net']) {
      const a = await scanPorts(ip, '1-5000', { strategy });
      expect(a.strategy).toBe(strategy);
      expect(a.open_ports, strategy).toEqual(nmap);
    }
  });

  it('every engine reports dropped ports filtered', async () => {
    const ip = lab.host('fw').ip;
    for (const strategy of ['syn', 'connect', 'connect-js', 'connect-net']) {
      const r = await scanPorts(ip, '22,80,81', { strategy, initialTimeoutMs: 300, retries: 1 });
      expect([r.open_ports, r.filtered_ports, r.closed], strategy).toEqual([[22], [80], 1]);
    }
  });

  it('many native scans at once: all finish with the right result and the thread pool stays free', async () => {
    const ip = lab.host('full').ip;
    // more silent scans than libuv has pool threads (4): each waits 2.5 s on a dropped port
    const slow = ['syn', 'connect', 'syn', 'connect', 'syn'].map((strategy) =>
      scanPorts(lab.host('fw').ip, '9999', { strategy, initialTimeoutMs: 2500, retries: 0 }),
    );
    let slowDone = false;
    const allSlow = Promise.all(slow).then((r) => {
      slowDone = true;
      return r;
    });
    // a file-system call uses the pool: it must not wait for the scans
    await readFile('/proc/self/status');
    expect(slowDone).toBe(false);
    const fast = await Promise.all(
      ['syn', 'connect', 'syn'].map((strategy) => scanPorts(ip, '1-3000', { strategy })),
    );
    for (const r of fast) expect(r.open_ports).toEqual([1, 22, 80, 1023, 1024]);
    for (const r of await allSlow) expect(r.filtered_ports).toEqual([9999]);
  });

  it('an abort signal stops a scan early; unanswered ports count as filtered', async () => {
    const ip = lab.host('fw').ip;
    for (const strategy of ['syn', 'connect', 'connect-js']) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const t0 = Date.now();
      const r = await scanPorts(ip, '9999', { strategy, initialTimeoutMs: 3000, signal: ac.signal });
      expect(Date.now() - t0, strategy).toBeLessThan(2500);
      expect(r.filtered_ports).toEqual([9999]);
    }
  });

  it('ports dropped by an nftables rule inside the target are filtered, as nmap says, within the time limit', async () => {
    const ip = lab.host('fw').ip;
    const t0 = Date.now();
    const r = await scanPorts(ip, '22,80,81,8080,9999', {
      initialTimeoutMs: 300,
      retries: 1,
      hostTimeoutMs: 10_000,
    });
    const elapsed = Date.now() - t0;
    expect(r.open_ports).toEqual([22]);
    expect(r.filtered_ports).toEqual([80, 8080, 9999]);
    expect(r.closed).toBe(1);
    expect(elapsed).toBeLessThan(10_000);
    const { stdout } = await run(['nmap', '-sT', '-n', '-Pn', '-p', '22,80,81,8080,9999', '-oG', '-', ip]);
    const states = Object.fromEntries(
      /Ports: (.*)/
        .exec(stdout)![1]
        .split(',')
        .map((e) => e.trim().split('/'))
        .map((f) => [f[0], f[1]]),
    );
    expect(states).toEqual({
      '22': 'open',
      '80': 'filtered',
      '81': 'closed',
      '8080': 'filtered',
      '9999': 'filtered',
    });
  });

  it('an address where no host answers ends within the host timeout, every port filtered', async () => {
    const ip = `${lab.net}.250`;
    for (const strategy of ['syn', 'connect']) {
      const t0 = Date.now();
      const r = await scanPorts(ip, '1-300', { strategy, initialTimeoutMs: 500, hostTimeoutMs: 4000 });
      expect(Date.now() - t0, strategy).toBeLessThan(4000 + 1500);
      expect(r.open_ports).toEqual([]);
      expect(r.closed).toBe(0);
      expect(r.filtered).toBe(300);
    }
  });

  it('the host timeout stops a scan of silent ports and reports them filtered', async () => {
    const ip = lab.host('fw').ip;
    const t0 = Date.now();
    // 9999 is dropped: with a 2 s initial timeout and 3 tries it would need 6 s
    const r = await scanPorts(ip, '9999', { initialTimeoutMs: 2000, hostTimeoutMs: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000 + 1500);
    expect(r.timings.timed_out).toBe(true);
    expect(r.filtered_ports).toEqual([9999]);
  });

  it('UDP: dnsmasq open, unused ports closed — as nmap -sU says', async () => {
    const ip = lab.host('udp').ip;
    const r = await scanPorts(ip, '53,54,123,161', { protocol: 'udp', initialTimeoutMs: 500 });
    expect(r.open_ports).toEqual([53]);
    expect(r.services['53']).toBe('domain');
    const { stdout } = await run(['nmap', '-sU', '-n', '-Pn', '-p', '53,54,123,161', '-oG', '-', ip]);
    const nmapOpen = /Ports: (.*)/
      .exec(stdout)![1]
      .split(',')
      .map((e) => e.trim().split('/'))
      .filter((f) => f[1] === 'open')
      .map((f) => Number(f[0]));
    expect(r.open_ports).toEqual(nmapOpen);
    expect(r.closed).toBe(3);
  });

  it('IPv6: the same open ports as nmap -6 -sT', async () => {
    const ip6 = lab.host('full').ip6;
    const ours = await scanPorts(ip6, '1-2000,31337,40000,65535');
    const { stdout } = await run([
      'nmap',
      '-6',
      '-sT',
      '-n',
      '-Pn',
      '-p',
      '1-2000,31337,40000,65535',
      '-oG',
      '-',
      ip6,
    ]);
    const nmapOpen = /Ports: (.*)/
      .exec(stdout)![1]
      .split(',')
      .map((e) => e.trim().split('/'))
      .filter((f) => f[1] === 'open')
      .map((f) => Number(f[0]));
    expect(ours.address).toBe(ip6);
    expect(ours.open_ports).toEqual(nmapOpen);
    // sshd listens on every address; the Node servers on both of the host's addresses
    expect(ours.open_ports).toEqual([1, 22, 1023, 1024, 31337, 40000, 65535]);
  });

  it('bad input is refused with a typed error and no traffic', async () => {
    await expect(scanPorts('not a host!', '80')).rejects.toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT });
    await expect(scanPorts(lab.host('full').ip, '1-99999')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_PORT_RANGE,
    });
    await expect(scanPorts(lab.host('full').ip, '80', { strategy: 'nope' })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
    });
  });
});
