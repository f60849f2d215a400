/**
 * IP reassembly: the rebuilt frames equal what Suricata logs for the suricata-verify bug-6887
 * captures (the `packet` field its test.yaml expects), and a crafted IPv4 datagram cut into
 * fragments comes back byte for byte, in any arrival order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Decoder } from '../../src/packet/decoder.js';
import { IpDefragmenter } from '../../src/packet/defrag.js';
import { readCaptureBuffer } from '../../src/packet/file/reader.js';
import { corpusPath } from '../helpers/corpus.js';

function rebuiltFrames(dir: string, pcap: string): { frames: Uint8Array[]; linkType: number } {
  const bytes = readFileSync(corpusPath('suricata-verify', 'tests', 'defrag', dir, pcap));
  const dec = new Decoder();
  const d = new IpDefragmenter();
  const frames: Uint8Array[] = [];
  let linkType = -1;
  readCaptureBuffer(bytes, (rec) => {
    linkType = rec.linkType;
    const whole = d.add(dec.decode(rec));
    if (whole !== null) frames.push(whole);
  });
  return { frames, linkType };
}

function expectedPacket(dir: string): string {
  const y = parse(readFileSync(corpusPath('suricata-verify', 'tests', 'defrag', dir, 'test.yaml'), 'utf8'));
  return y.checks[0].filter.match.packet;
}

describe('IpDefragmenter on the bug-6887 captures (Suricata packet field as oracle)', () => {
  for (const [dir, pcap] of [
    ['bug-6887-defrag-ipv6-tcp', 'frag-ip-tcp.pcap'],
    ['bug-6887-defrag-eth-vlan-ipv6-tcp', 'frag-eth-vlan-ipv6-tcp.pcap'],
    ['bug-6887-defrag-ppp-ipv6-tcp', 'frag-ppp-ipv6-tcp.pcap'],
  ]) {
    it(`${dir}: one datagram, rebuilt as Suricata logs it, decodes to 1000 TCP payload bytes`, () => {
      const { frames, linkType } = rebuiltFrames(dir, pcap);
      expect(frames).toHaveLength(1);
      expect(Buffer.from(frames[0]).toString('base64')).toBe(expectedPacket(dir));
      const p = new Decoder().decodeBytes(frames[0], 0, frames[0].length, frames[0].length, linkType);
      expect(p.malformed).toBe(0);
      expect(p.ipProto).toBe(6);
      expect(p.payloadLen).toBe(1000);
    });
  }
});

/** An IPv4/UDP datagram (raw IP link type) with `n` payload bytes. */
function udpDatagram(n: number): Uint8Array {
  const b = new Uint8Array(28 + n);
  b.set([0x45, 0, (28 + n) >> 8, (28 + n) & 0xff, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  b.set([0x30, 0x39, 0x00, 0x35, (8 + n) >> 8, (8 + n) & 0xff, 0, 0], 20);
  for (let i = 0; i < n; i++) b[28 + i] = (i * 7) & 0xff;
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b[10] = (~sum >> 8) & 0xff;
  b[11] = ~sum & 0xff;
  return b;
}

/** Cuts an IPv4 datagram (20-byte header) into fragments of `size` data bytes. */
function fragments(dgram: Uint8Array, size: number): Uint8Array[] {
  const data = dgram.subarray(20);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += size) {
    const part = data.subarray(off, Math.min(off + size, data.length));
    const f = new Uint8Array(20 + part.length);
    f.set(dgram.subarray(0, 20));
    f[2] = (20 + part.length) >> 8;
    f[3] = (20 + part.length) & 0xff;
    const more = off + size < data.length ? 0x2000 : 0;
    const fo = more | (off >> 3);
    f[6] = fo >> 8;
    f[7] = fo & 0xff;
    f.set(part, 20);
    out.push(f);
  }
  return out;
}

function feed(d: IpDefragmenter, frames: Uint8Array[], tsSec = 0): Uint8Array | null {
  const dec = new Decoder();
  let whole: Uint8Array | null = null;
  for (const f of frames) {
    const r = d.add(dec.decodeBytes(f, 0, f.length, f.length, 101, tsSec, 0));
    if (r !== null) whole = r;
  }
  return whole;
}

describe('IpDefragmenter on crafted IPv4 fragments', () => {
  const dgram = udpDatagram(1200);
  const frags = fragments(dgram, 400);

  it('in order or reversed, the datagram comes back as it was (lengths and checksum rewritten)', () => {
    expect(frags).toHaveLength(4);
    expect(feed(new IpDefragmenter(), frags)).toEqual(dgram);
    expect(feed(new IpDefragmenter(), [...frags].reverse())).toEqual(dgram);
  });

  it('nothing before the last missing piece; a non-fragment is ignored', () => {
    const d = new IpDefragmenter();
    expect(feed(d, frags.slice(0, 3))).toBeNull();
    expect(d.size).toBe(1);
    expect(feed(d, [dgram])).toBeNull();
    expect(feed(d, frags.slice(3))).toEqual(dgram);
    expect(d.reassembled).toBe(1);
  });

  it('overlapping bytes: the first copy received wins', () => {
    const evil = frags[1].slice();
    evil.fill(0x41, 20);
    expect(feed(new IpDefragmenter(), [frags[0], frags[1], evil, frags[2], frags[3]])).toEqual(dgram);
  });

  it('a datagram that does not complete within the timeout is dropped', () => {
    const d = new IpDefragmenter({ timeoutSec: 60 });
    feed(d, frags.slice(0, 2), 0);
    expect(feed(d, frags.slice(2), 100)).toBeNull();
    expect(d.dropped).toBe(1);
  });

  it('at most maxDatagrams are kept: the oldest leaves for a new one', () => {
    const d = new IpDefragmenter({ maxDatagrams: 1 });
    const other = fragments(udpDatagram(800), 400).map((f) => {
      const g = f.slice();
      g[5] = 0x99; // another IP id
      return g;
    });
    feed(d, frags.slice(0, 1));
    feed(d, other.slice(0, 1));
    expect(d.size).toBe(1);
    expect(d.dropped).toBe(1);
    expect(feed(d, frags.slice(1))).toBeNull();
  });
});
