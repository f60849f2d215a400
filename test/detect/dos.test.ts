/**
 * Flood detectors at their per-second thresholds (defaults): one below is silent, the
 * threshold alerts naming the target and the flooding source; answered traffic is not a flood.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_CONFIG, resolveDetectConfig } from '../../src/detect/config.js';
import { DosDetector, DOS_SIGNATURES as S } from '../../src/detect/dos.js';
import { T0, Traffic } from './craft.js';
import { bySid, craftedAlerts } from './run.js';

const C = DEFAULT_DETECT_CONFIG.dos;
const ATTACKER = '10.8.0.66';
const VICTIM = '10.8.0.2';
const detect = (tr: Traffic) => craftedAlerts(tr, [new DosDetector(resolveDetectConfig())]);

describe('SYN flood', () => {
  /** `n` SYNs within half a second; the first `completed` of them finish their handshake. */
  const syns = (n: number, completed = 0) => {
    const tr = new Traffic();
    const dt = 0.5 / n;
    for (let i = 0; i < n; i++) {
      const t = T0 + i * dt;
      const port = 1024 + i;
      tr.tcp(t, ATTACKER, VICTIM, port, 80, 'S', 10);
      tr.tcp(t + dt / 3, VICTIM, ATTACKER, 80, port, 'SA', 50, 11);
      if (i < completed) tr.tcp(t + (2 * dt) / 3, ATTACKER, VICTIM, port, 80, 'A', 11, 51);
    }
    return tr;
  };
  it(`${C.synPerSec - 1} half-open SYNs in a second: silent`, async () => {
    expect(bySid(await detect(syns(C.synPerSec - 1)), S.synFlood.sid)).toEqual([]);
  });
  it(`${C.synPerSec}: one high alert naming the attacker and the port`, async () => {
    const a = bySid(await detect(syns(C.synPerSec)), S.synFlood.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATTACKER);
    expect(a[0].dest_ip).toBe(VICTIM);
    expect(a[0].dest_port).toBe(80);
    expect(a[0].alert.metadata?.severity).toEqual(['high']);
  });
  it('completed handshakes do not count: busy server, no flood', async () => {
    expect(bySid(await detect(syns(C.synPerSec + 50, 100)), S.synFlood.sid)).toEqual([]);
  });
  it('the same SYNs over two seconds: silent', async () => {
    const tr = new Traffic();
    for (let i = 0; i < C.synPerSec; i++)
      tr.tcp(T0 + (i * 2.2) / C.synPerSec, ATTACKER, VICTIM, 1024 + i, 80, 'S');
    expect(bySid(await detect(tr), S.synFlood.sid)).toEqual([]);
  });
});

describe('UDP flood', () => {
  const udp = (n: number, replies = 0) => {
    const tr = new Traffic();
    for (let i = 0; i < n; i++) {
      const t = T0 + (i * 0.5) / n;
      tr.udp(t, ATTACKER, VICTIM, 2000 + (i % 50000), 53, 56);
      if (i < replies) tr.udp(t + 0.0001, VICTIM, ATTACKER, 53, 2000 + (i % 50000), 56);
    }
    return tr;
  };
  it(`${C.udpPerSec - 1} datagrams in a second: silent`, async () => {
    expect(bySid(await detect(udp(C.udpPerSec - 1)), S.udpFlood.sid)).toEqual([]);
  });
  it(`${C.udpPerSec}: alert naming the attacker and the port`, async () => {
    const a = bySid(await detect(udp(C.udpPerSec)), S.udpFlood.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATTACKER);
    expect(a[0].dest_port).toBe(53);
  });
  it('a target answering every datagram is busy, not flooded', async () => {
    expect(bySid(await detect(udp(C.udpPerSec + 100, C.udpPerSec + 100)), S.udpFlood.sid)).toEqual([]);
  });
});

describe('ICMP flood', () => {
  const pings = (n: number) => {
    const tr = new Traffic();
    for (let i = 0; i < n; i++) tr.icmpEcho(T0 + (i * 0.5) / n, ATTACKER, VICTIM, 7, i);
    return tr;
  };
  it(`${C.icmpPerSec - 1} echo requests in a second: silent; ${C.icmpPerSec}: medium alert`, async () => {
    expect(bySid(await detect(pings(C.icmpPerSec - 1)), S.icmpFlood.sid)).toEqual([]);
    const a = bySid(await detect(pings(C.icmpPerSec)), S.icmpFlood.sid);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATTACKER);
    expect(a[0].proto).toBe('ICMP');
    expect(a[0].alert.metadata?.severity).toEqual(['medium']);
  });
});
