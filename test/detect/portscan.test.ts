/**
 * Port scan detector at its thresholds (defaults from DEFAULT_DETECT_CONFIG): one below is
 * silent, the threshold raises the alert naming the scanner; crafted traffic through the engine.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_CONFIG, resolveDetectConfig } from '../../src/detect/config.js';
import { PortScanDetector, PORTSCAN_SIGNATURES as S } from '../../src/detect/portscan.js';
import { T0, Traffic } from './craft.js';
import { bySid, craftedAlerts } from './run.js';

const C = DEFAULT_DETECT_CONFIG.portscan;
const SCANNER = '10.9.0.66';
const TARGET = '10.9.0.2';

const detect = (tr: Traffic) => craftedAlerts(tr, [new PortScanDetector(resolveDetectConfig())]);

/** `n` SYNs to distinct ports of TARGET, each refused by RST. */
function refusedPorts(n: number, dt = 0.01): Traffic {
  const tr = new Traffic();
  for (let i = 0; i < n; i++) {
    const t = T0 + i * dt;
    tr.tcp(t, SCANNER, TARGET, 40000 + i, 1000 + i, 'S', 1);
    tr.tcp(t + 0.001, TARGET, SCANNER, 1000 + i, 40000 + i, 'RA', 0, 2);
  }
  return tr;
}

describe('vertical scan', () => {
  it(`${C.verticalPorts - 1} refused ports: silent`, async () => {
    expect(bySid(await detect(refusedPorts(C.verticalPorts - 1)), S.vertical.sid)).toEqual([]);
  });
  it(`${C.verticalPorts} refused ports: one medium alert naming the scanner and the target`, async () => {
    const a = bySid(await detect(refusedPorts(C.verticalPorts)), S.vertical.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(SCANNER);
    expect(a[0].dest_ip).toBe(TARGET);
    expect(a[0].alert.metadata?.severity).toEqual(['medium']);
    expect(a[0].alert.category).toBe('Detection of a Network Scan');
  });
  it('the same number of ports spread wider than the window: silent (sliding window)', async () => {
    const dt = (C.windowSec + 1) / (C.verticalPorts - 1);
    expect(bySid(await detect(refusedPorts(C.verticalPorts, dt)), S.vertical.sid)).toEqual([]);
  });
  it('connections that carry data are sessions, not probes: silent', async () => {
    const tr = new Traffic();
    let t = T0;
    for (let i = 0; i < C.verticalPorts + 5; i++) {
      t = tr.session(t + 0.01, SCANNER, TARGET, 41000 + i, 2000 + i, [
        { from: 'client', data: 'hello' },
        { from: 'server', data: 'world' },
      ]);
    }
    expect(await detect(tr)).toEqual([]);
  });
  it('unanswered UDP datagrams and ICMP port unreachable count as probes', async () => {
    const tr = new Traffic();
    for (let i = 0; i < C.verticalPorts; i++) {
      tr.udp(T0 + i * 0.01, SCANNER, TARGET, 50000, 3000 + i);
      if (i % 2 === 0)
        tr.icmpPortUnreachable(T0 + i * 0.01 + 0.001, TARGET, SCANNER, TARGET, 50000, 3000 + i);
    }
    const a = bySid(await detect(tr), S.vertical.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(SCANNER);
    expect(a[0].proto).toBe('UDP');
  });
});

describe('pending probes under a flood', () => {
  // 14 refused ports, and a 15th probe whose answer comes 1 s late, after 70,000 answered flood
  // SYNs from other hosts: more than the pending ring's 65,536 places if answered SYNs stayed in
  // it until their timeout, which pushed the slow probe out as unanswered (15 ports: a scan).
  // `lag`: each SYN-ACK comes after that many later SYNs (answers out of order).
  const cases = [
    { name: 'IPv4, answers in order', scanner: SCANNER, target: TARGET, flood: ['10.9.3.1', '10.9.3.2', '10.9.3.9'], lag: 0 },
    { name: 'IPv4, answers out of order', scanner: SCANNER, target: TARGET, flood: ['10.9.3.1', '10.9.3.2', '10.9.3.9'], lag: 3 },
    { name: 'IPv6, answers out of order', scanner: 'fd00::66', target: 'fd00::2', flood: ['fd00:3::1', 'fd00:3::2', 'fd00:3::9'], lag: 3 },
  ]; // biome-ignore format: one case per line
  for (const c of cases) {
    it(`${c.name}: answered SYNs do not push a slow probe out as unanswered (no false vertical scan)`, async () => {
      const tr = new Traffic();
      for (let i = 0; i < C.verticalPorts - 1; i++) {
        tr.tcp(T0 + i * 0.001, c.scanner, c.target, 40000 + i, 1000 + i, 'S', 1);
        tr.tcp(T0 + i * 0.001 + 0.0005, c.target, c.scanner, 1000 + i, 40000 + i, 'RA', 0, 2);
      }
      const slow = 5000;
      tr.tcp(T0 + 0.02, c.scanner, c.target, 39999, slow, 'S', 100);
      const [a1, a2, server] = c.flood;
      for (let i = 0; i < 70_000; i++) {
        const src = i % 2 === 0 ? a1 : a2;
        const port = 1024 + (i >> 1);
        tr.tcp(T0 + 0.03 + i * 0.00001, src, server, port, 80, 'S', 7);
        tr.tcp(T0 + 0.03 + (i + c.lag) * 0.00001 + 0.000005, server, src, 80, port, 'SA', 9, 8);
      }
      const answer = () => {
        tr.tcp(T0 + 1.0, c.target, c.scanner, slow, 39999, 'SA', 500, 101);
        tr.tcp(T0 + 1.001, c.scanner, c.target, 39999, slow, 'A', 101, 501);
        tr.tcp(T0 + 1.002, c.scanner, c.target, 39999, slow, 'PA', 101, 501, 'hello');
        tr.tcp(T0 + 1.003, c.target, c.scanner, slow, 39999, 'PA', 501, 106, 'world');
      };
      // never answered: a scan of 15 ports, once its timeout passed
      const scan = bySid(await detect(tr), S.vertical.sid);
      expect(scan).toHaveLength(1);
      expect(scan[0].src_ip).toBe(c.scanner);
      answer();
      expect(bySid(await detect(tr), S.vertical.sid)).toEqual([]);
    }, 60_000);
  }
});

describe('pending probes: random answers against a flood that compacts the ring', () => {
  // probes to distinct ports, each answered (a session) or not at a random time, among flood
  // flows answered out of order (the ring fills with settled entries and is compacted many
  // times): exactly the unanswered probes count, so a vertical threshold of their number
  // alerts and one more does not
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}`, async () => {
      let x = seed * 2654435761;
      const rnd = () => {
        x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x9e3779b9) | 0;
        return (x >>> 0) / 2 ** 32;
      };
      const tr = new Traffic();
      let unanswered = 0;
      for (let i = 0; i < 40; i++) {
        const t = T0 + rnd() * 0.5;
        tr.tcp(t, SCANNER, TARGET, 30000 + i, 2000 + i, 'S', 100);
        if (rnd() < 0.5) {
          unanswered++;
          continue;
        }
        const a = t + 0.001 + rnd() * 1.0;
        tr.tcp(a, TARGET, SCANNER, 2000 + i, 30000 + i, 'SA', 500, 101);
        tr.tcp(a + 0.0001, SCANNER, TARGET, 30000 + i, 2000 + i, 'PA', 101, 501, 'hello');
        tr.tcp(a + 0.0002, TARGET, SCANNER, 2000 + i, 30000 + i, 'PA', 501, 106, 'world');
      }
      for (let i = 0; i < 6000; i++) {
        const t = T0 + i * 0.0002;
        tr.tcp(t, '10.9.3.1', '10.9.3.9', 1024 + i, 80, 'S', 7);
        tr.tcp(
          t + (1 + Math.floor(rnd() * 5)) * 0.0002 + 0.00005,
          '10.9.3.9',
          '10.9.3.1',
          80,
          1024 + i,
          'SA',
          9,
          8,
        );
      }
      tr.udp(T0 + 10, '10.9.0.7', '10.9.0.8', 1, 2); // time moves on past the probe timeout
      const run = (n: number) =>
        craftedAlerts(tr, [new PortScanDetector(resolveDetectConfig({ portscan: { verticalPorts: n } }))]);
      const at = bySid(await run(unanswered), S.vertical.sid);
      expect(at).toHaveLength(1);
      expect(at[0].src_ip).toBe(SCANNER);
      expect(bySid(await run(unanswered + 1), S.vertical.sid)).toEqual([]);
    }, 60_000);
  }
});

describe('horizontal scan', () => {
  const sweep = (n: number) => {
    const tr = new Traffic();
    // unanswered SYNs to port 445 of n hosts: counted when the probe timeout passes
    for (let i = 0; i < n; i++) tr.tcp(T0 + i * 0.01, SCANNER, `10.9.1.${i + 1}`, 42000 + i, 445, 'S');
    tr.udp(T0 + 10, '10.9.0.7', '10.9.0.8', 1, 2); // time moves on past the probe timeout
    return tr;
  };
  it(`${C.horizontalHosts - 1} hosts: silent`, async () => {
    expect(bySid(await detect(sweep(C.horizontalHosts - 1)), S.horizontal.sid)).toEqual([]);
  });
  it(`${C.horizontalHosts} hosts: alert with the port`, async () => {
    const a = bySid(await detect(sweep(C.horizontalHosts)), S.horizontal.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(SCANNER);
    expect(a[0].dest_port).toBe(445);
  });
});

describe('probe connections, SYN scan, ACK scan', () => {
  /** `n` connections: handshake then the client resets (connect scan) or half-open (SYN scan). */
  const aborted = (n: number, halfOpen: boolean) => {
    const tr = new Traffic();
    for (let i = 0; i < n; i++) {
      const t = T0 + i * 0.01;
      tr.tcp(t, SCANNER, TARGET, 43000 + i, 80, 'S', 100);
      tr.tcp(t + 0.001, TARGET, SCANNER, 80, 43000 + i, 'SA', 500, 101);
      if (!halfOpen) tr.tcp(t + 0.002, SCANNER, TARGET, 43000 + i, 80, 'A', 101, 501);
      tr.tcp(t + 0.003, SCANNER, TARGET, 43000 + i, 80, halfOpen ? 'R' : 'RA', 101, halfOpen ? 0 : 501);
    }
    return tr;
  };
  it(`${C.probeConnections - 1} aborted connections: silent; ${C.probeConnections}: low alert`, async () => {
    expect(bySid(await detect(aborted(C.probeConnections - 1, false)), S.probes.sid)).toEqual([]);
    const a = bySid(await detect(aborted(C.probeConnections, false)), S.probes.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(SCANNER);
    expect(a[0].alert.metadata?.severity).toEqual(['low']);
  });
  it(`${C.synScanProbes - 1} half-open connections: no SYN scan; ${C.synScanProbes}: SYN scan`, async () => {
    expect(bySid(await detect(aborted(C.synScanProbes - 1, true)), S.synScan.sid)).toEqual([]);
    const a = bySid(await detect(aborted(C.synScanProbes, true)), S.synScan.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(SCANNER);
  });
  it('connect-then-reset is not a SYN scan', async () => {
    expect(bySid(await detect(aborted(C.synScanProbes + 3, false)), S.synScan.sid)).toEqual([]);
  });
  it(`ACK scan: ${C.ackScanProbes - 1} bare ACKs answered by RST: silent; ${C.ackScanProbes}: alert`, async () => {
    const acks = (n: number) => {
      const tr = new Traffic();
      for (let i = 0; i < n; i++) {
        tr.tcp(T0 + i * 0.01, SCANNER, TARGET, 44000 + i, 100 + i, 'A', 7, 9);
        tr.tcp(T0 + i * 0.01 + 0.001, TARGET, SCANNER, 100 + i, 44000 + i, 'R', 9, 0);
      }
      return tr;
    };
    expect(bySid(await detect(acks(C.ackScanProbes - 1)), S.ackScan.sid)).toEqual([]);
    const a = bySid(await detect(acks(C.ackScanProbes)), S.ackScan.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(SCANNER);
  });
});

describe('FIN, NULL and XMAS scans', () => {
  for (const [flags, sig] of [
    ['F', S.finScan],
    ['', S.nullScan],
    ['FPU', S.xmasScan],
  ] as const) {
    it(`${sig.msg}: ${C.stealthPackets - 1} packets silent, ${C.stealthPackets} alert`, async () => {
      const pkts = (n: number) => {
        const tr = new Traffic();
        for (let i = 0; i < n; i++) tr.tcp(T0 + i * 0.01, SCANNER, TARGET, 45000, 200 + i, flags);
        return tr;
      };
      expect(bySid(await detect(pkts(C.stealthPackets - 1)), sig.sid)).toEqual([]);
      const a = bySid(await detect(pkts(C.stealthPackets)), sig.sid);
      expect(a).toHaveLength(1);
      expect(a[0].src_ip).toBe(SCANNER);
    });
  }
});

describe('configuration', () => {
  it('thresholds come from the configuration', async () => {
    const d = new PortScanDetector(resolveDetectConfig({ portscan: { verticalPorts: 4 } }));
    expect(bySid(await craftedAlerts(refusedPorts(3), [d]), S.vertical.sid)).toEqual([]);
    const d2 = new PortScanDetector(resolveDetectConfig({ portscan: { verticalPorts: 4 } }));
    expect(bySid(await craftedAlerts(refusedPorts(4), [d2]), S.vertical.sid)).toHaveLength(1);
  });
});
