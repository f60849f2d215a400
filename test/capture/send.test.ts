/**
 * Sending: LiveCapture.inject (a whole Ethernet frame) and RawSocket (a whole IP packet), each
 * sent from namespace `a` and checked by a capture in namespace `b`, and for the raw echo
 * requests by `b`'s kernel answering them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCapture, RawSocket } from '../../src/capture/index.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { parseIPv4Bytes, parseIPv6Bytes } from '../../src/net/address.js';
import { cleanupStaleNamespaces, NetnsLab, waitFor } from '../helpers/netns.js';
import { inetChecksum, type TwoHosts, twoHosts } from './lab.js';

function macBytes(mac: string): number[] {
  return mac.split(':').map((x) => Number.parseInt(x, 16));
}

/** IPv4 + ICMP echo request with IP id `ipId`. */
function icmp4Echo(src: string, dst: string, ipId: number, seq: number): Uint8Array {
  const payload = new TextEncoder().encode('sentra raw socket test');
  const icmp = new Uint8Array(8 + payload.length);
  icmp[0] = 8; // echo request
  icmp[4] = 0x12;
  icmp[5] = 0x34;
  icmp[6] = seq >> 8;
  icmp[7] = seq & 0xff;
  icmp.set(payload, 8);
  const c = inetChecksum(icmp);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  const ip = new Uint8Array(20 + icmp.length);
  ip[0] = 0x45;
  ip[2] = ip.length >> 8;
  ip[3] = ip.length & 0xff;
  ip[4] = ipId >> 8;
  ip[5] = ipId & 0xff;
  ip[8] = 64;
  ip[9] = 1;
  ip.set(parseIPv4Bytes(src)!, 12);
  ip.set(parseIPv4Bytes(dst)!, 16);
  const ic = inetChecksum(ip.subarray(0, 20));
  ip[10] = ic >> 8;
  ip[11] = ic & 0xff;
  ip.set(icmp, 20);
  return ip;
}

/** IPv6 + ICMPv6 echo request (checksum over the RFC 8200 pseudo-header). */
function icmp6Echo(src: string, dst: string, flow: number, seq: number): Uint8Array {
  const payload = new TextEncoder().encode('sentra raw ipv6');
  const icmp = new Uint8Array(8 + payload.length);
  icmp[0] = 128;
  icmp[4] = 0x56;
  icmp[5] = 0x78;
  icmp[6] = seq >> 8;
  icmp[7] = seq & 0xff;
  icmp.set(payload, 8);
  const s = parseIPv6Bytes(src)!;
  const d = parseIPv6Bytes(dst)!;
  const pseudo = new Uint8Array(40 + icmp.length);
  pseudo.set(s, 0);
  pseudo.set(d, 16);
  pseudo[34] = icmp.length >> 8;
  pseudo[35] = icmp.length & 0xff;
  pseudo[39] = 58;
  pseudo.set(icmp, 40);
  const c = inetChecksum(pseudo);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  const ip = new Uint8Array(40 + icmp.length);
  ip[0] = 0x60;
  ip[1] = (flow >> 16) & 0x0f;
  ip[2] = (flow >> 8) & 0xff;
  ip[3] = flow & 0xff;
  ip[4] = icmp.length >> 8;
  ip[5] = icmp.length & 0xff;
  ip[6] = 58;
  ip[7] = 64;
  ip.set(s, 8);
  ip.set(d, 24);
  ip.set(icmp, 40);
  return ip;
}

const lab = new NetnsLab();
let h: TwoHosts;

beforeAll(async () => {
  await cleanupStaleNamespaces();
  h = await twoHosts(lab);
});
afterAll(() => lab.destroy());

describe('LiveCapture.inject', () => {
  it('sends a frame that the other end captures byte for byte', async () => {
    const rx = LiveCapture.open('eth0', { netns: h.b, filter: 'ether proto 0x88b5', immediate: true });
    const tx = LiveCapture.open('eth0', { netns: h.a, filter: 'ether proto 0x88b5' });
    try {
      const got: Uint8Array[] = [];
      rx.onPacket((r) => got.push(r.data.slice()));
      const frame = new Uint8Array(60);
      frame.set(macBytes(h.macB), 0);
      frame.set(macBytes(h.macA), 6);
      frame[12] = 0x88; // IEEE 802 local experimental ethertype
      frame[13] = 0xb5;
      for (let i = 14; i < 60; i++) frame[i] = i;
      expect(tx.inject(frame)).toBe(60);
      frame[59] = 0xff;
      expect(tx.inject(frame)).toBe(60);
      await waitFor(() => got.length >= 2, 10_000, 'injected frames');
      expect(got.length).toBe(2);
      expect(got[1]).toEqual(frame);
      expect(got[0][59]).toBe(59);
    } finally {
      rx.close();
      tx.close();
    }
  });
});

describe('RawSocket', () => {
  it('sends a hand-built IPv4 echo request that the target captures and answers', async () => {
    const rx = LiveCapture.open('eth0', { netns: h.b, filter: 'icmp', immediate: true });
    const sock = RawSocket.open(4, { netns: h.a });
    try {
      const got: Uint8Array[] = [];
      rx.onPacket((r) => got.push(r.data.slice()));
      const pkt = icmp4Echo(h.ipA, h.ipB, 0xbeef, 7);
      expect(sock.send(pkt, h.ipB)).toBe(true);
      await waitFor(() => got.length >= 2, 10_000, 'echo request and reply');
      const [req, rep] = got;
      // Ethernet header, then exactly the bytes we wrote
      expect(Buffer.from(req.subarray(14)).equals(Buffer.from(pkt))).toBe(true);
      expect(rep[14 + 20]).toBe(0); // echo reply
      expect((rep[14 + 20 + 6] << 8) | rep[14 + 20 + 7]).toBe(7);
      expect(Array.from(rep.subarray(14 + 12, 14 + 16)).join('.')).toBe(h.ipB);
    } finally {
      sock.close();
      sock.close();
      rx.close();
    }
  });

  it('sends a hand-built IPv6 echo request through a device-bound socket', async () => {
    const rx = LiveCapture.open('eth0', {
      netns: h.b,
      filter: 'icmp6 and (ip6[40] == 128 or ip6[40] == 129)',
      immediate: true,
    });
    const sock = RawSocket.open(6, { netns: h.a, device: 'eth0' });
    try {
      const got: Uint8Array[] = [];
      rx.onPacket((r) => got.push(r.data.slice()));
      const pkt = icmp6Echo(h.ip6A, h.ip6B, 0xabcde, 3);
      expect(sock.send(pkt, h.ip6B)).toBe(true);
      await waitFor(() => got.length >= 2, 10_000, 'echo request and reply');
      expect(Buffer.from(got[0].subarray(14)).equals(Buffer.from(pkt))).toBe(true);
      expect(got[1][14 + 40]).toBe(129);
    } finally {
      sock.close();
      rx.close();
    }
  });

  it('reports errors as SentraErrors', () => {
    const expectCode = (fn: () => unknown, code: string) => {
      try {
        fn();
        throw new Error(`expected ${code}`);
      } catch (e) {
        expect(e).toBeInstanceOf(SentraError);
        expect((e as SentraError).code).toBe(code);
      }
    };
    expectCode(() => RawSocket.open(5 as 4), ErrorCodes.INVALID_ARGUMENT);
    expectCode(() => RawSocket.open(4, { netns: h.a, device: 'nosuch0' }), ErrorCodes.NOT_FOUND);
    const sock = RawSocket.open(4, { netns: h.a });
    expectCode(() => sock.send(new Uint8Array(28), 'not-an-ip'), ErrorCodes.INVALID_ARGUMENT);
    sock.close();
    expectCode(() => sock.send(new Uint8Array(28), h.ipB), ErrorCodes.INVALID_STATE);
  });
});
