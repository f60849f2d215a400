/**
 * OS fingerprinting: SYN-ACK field extraction checked against tshark on real captures, the
 * classifier on those fields and on stack layouts, and the active guess on namespace hosts
 * (which run the Linux kernel of this machine).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySynAck, classifyTtlOnly, initialTtl } from '../../src/scan/os/classify.js';
import { scanOsFingerprint } from '../../src/scan/os/fingerprint.js';
import { synAckFromIp, synAcksFromPcap } from '../../src/scan/os/synack.js';
import { corpusPath } from '../helpers/corpus.js';
import { run } from '../helpers/netns.js';
import { ScanLab } from './lab.js';

const OPTION_KIND: Record<string, string> = { eol: '0', nop: '1', mss: '2', ws: '3', sok: '4', ts: '8' };

async function tsharkSynAcks(
  file: string,
): Promise<{ ttl: number; window: number; kinds: string; mss: string; ws: string }[]> {
  const { stdout } = await run([
    'tshark',
    '-r',
    file,
    '-Y',
    'tcp.flags.syn==1 && tcp.flags.ack==1',
    '-T',
    'fields',
    '-E',
    'separator=|',
    '-e',
    'ip.ttl',
    '-e',
    'ipv6.hlim',
    '-e',
    'tcp.window_size_value',
    '-e',
    'tcp.option_kind',
    '-e',
    'tcp.options.mss_val',
    '-e',
    'tcp.options.wscale.shift',
  ]);
  return stdout
    .trim()
    .split('\n')
    .map((l) => l.split('|'))
    .map((f) => ({ ttl: Number(f[0] || f[1]), window: Number(f[2]), kinds: f[3], mss: f[4], ws: f[5] }));
}

describe('SYN-ACK fields from captures (oracle: tshark)', () => {
  for (const rel of [
    ['lab', 'lab-basic.pcap'],
    ['attacks', 'nmap_80_all.pcap'],
    ['attacks', 'nmap_80_vanilla.pcap'],
  ]) {
    it(`${rel.join('/')}: TTL, window, option order, MSS and window scale equal tshark's`, async () => {
      const file = corpusPath(...rel);
      const ours = synAcksFromPcap(readFileSync(file));
      const theirs = await tsharkSynAcks(file);
      expect(ours.length).toBe(theirs.length);
      expect(ours.length).toBeGreaterThan(0);
      ours.forEach((f, i) => {
        const t = theirs[i];
        expect(f.ttl).toBe(t.ttl);
        expect(f.window).toBe(t.window);
        expect(f.options.map((o) => OPTION_KIND[o] ?? o.slice(1)).join(',')).toBe(t.kinds);
        expect(f.mss === null ? '' : String(f.mss)).toBe(t.mss);
        expect(f.wscale === null ? '' : String(f.wscale)).toBe(t.ws);
      });
    });
  }

  it('the Linux namespace of lab-basic (10.77.0.2, fd77::2) is classified Linux in every SYN-ACK', () => {
    const all = synAcksFromPcap(readFileSync(corpusPath('lab', 'lab-basic.pcap')));
    const guesses = all.map((f) => classifySynAck(f));
    expect(new Set(guesses.map((g) => g.os))).toEqual(new Set(['Linux']));
  });
});

describe('classifier', () => {
  it('initial TTL is the next of 32, 64, 128, 255', () => {
    expect([1, 32, 33, 58, 64, 65, 113, 128, 200, 255].map(initialTtl)).toEqual([
      32, 32, 64, 64, 64, 128, 128, 128, 255, 255,
    ]);
  });

  it('tells stacks apart by option order', () => {
    const base = { mss: 1460, df: true };
    const win = classifySynAck({
      ...base,
      ttl: 127,
      window: 65535,
      options: ['mss', 'nop', 'ws', 'nop', 'nop', 'sok'],
      wscale: 8,
    });
    expect(win.os).toBe('Windows');
    expect(win.evidence.hops).toBe(1);
    const bsd = classifySynAck({
      ...base,
      ttl: 64,
      window: 65535,
      options: ['mss', 'nop', 'ws', 'sok', 'ts'],
      wscale: 6,
    });
    expect(bsd.os).toBe('FreeBSD');
    const mac = classifySynAck({
      ...base,
      ttl: 64,
      window: 65535,
      options: ['mss', 'nop', 'ws', 'nop', 'nop', 'ts', 'sok', 'eol'],
      wscale: 6,
    });
    expect(mac.os).toBe('macOS');
    const lin = classifySynAck({
      ...base,
      ttl: 61,
      window: 65160,
      options: ['mss', 'sok', 'ts', 'nop', 'ws'],
      wscale: 7,
    });
    expect(lin.os).toBe('Linux');
    expect(lin.confidence).toBe(100);
    expect(String(lin)).toContain('Linux');
  });

  it('an option layout no signature knows, with an odd TTL, stays unknown', () => {
    const g = classifySynAck({
      ttl: 30,
      window: 1234,
      options: ['k30', 'nop'],
      mss: null,
      wscale: null,
      df: false,
    });
    expect(g.os).toBe('unknown');
    expect(g.confidence).toBe(0);
  });

  it('TTL-only guesses are weak', () => {
    expect(classifyTtlOnly(120).os).toBe('Windows');
    expect(classifyTtlOnly(63).confidence).toBeLessThan(50);
  });

  it('reads an IPv4 SYN-ACK written as bytes', () => {
    // 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], win 65160, options [mss 1460,sackOK,TS val 1 ecr 1,nop,wscale 7]
    const pkt = Buffer.from(
      '4500003c00004000400626b70a0000020a000001' +
        '00509c400000000100000001a012fe8800000000' +
        '020405b40402080a00000001000000010103030' +
        '7',
      'hex',
    );
    const f = synAckFromIp(pkt);
    expect(f).toEqual({
      ttl: 64,
      window: 65160,
      options: ['mss', 'sok', 'ts', 'nop', 'ws'],
      mss: 1460,
      wscale: 7,
      df: true,
    });
  });
});

describe('active OS guess of namespace hosts', () => {
  const lab = new ScanLab();
  beforeAll(async () => {
    await lab.start(['web', 'quiet']);
    await lab.nginx(lab.host('web'));
  });
  afterAll(async () => {
    await lab.destroy();
  });

  it('guesses Linux from the SYN-ACK of a namespace host', async () => {
    const g = await scanOsFingerprint(lab.host('web').ip, { port: 80 });
    expect(g.evidence.source).toBe('syn-ack');
    expect(g.os).toBe('Linux');
    expect(g.evidence.initial_ttl).toBe(64);
  });

  it('guesses Linux from an IPv6 SYN-ACK too', async () => {
    await lab.nodeServer(lab.host('web'), [8443]);
    const g = await scanOsFingerprint(lab.host('web').ip6, { port: 8443 });
    expect(g.evidence.source).toBe('syn-ack');
    expect(g.os).toBe('Linux');
  });

  it('finds an open port by itself', async () => {
    const g = await scanOsFingerprint(lab.host('web').ip);
    expect(g.os).toBe('Linux');
    expect(g.evidence.source).toBe('syn-ack');
  });

  it('a host with no open port falls back to the ping TTL', async () => {
    const g = await scanOsFingerprint(lab.host('quiet').ip, { timeoutMs: 8000 });
    expect(g.evidence.source).toBe('ttl-only');
    expect(g.evidence.ttl).toBe(64);
    expect(g.os).toBe('Linux');
  });
});
