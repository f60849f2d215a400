/**
 * Cisco HDLC, PPP and NSH: real packets as bytes (suricata-verify captures), each with the line
 * tcpdump prints for it; expected values are what tcpdump reports for the same bytes. Crafted
 * packets cover what the corpus lacks.
 */
import { describe, expect, it } from 'vitest';
import { Layer } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// suricata-verify decode-chdlc-01/hdlc-http_1tx.pcap packet 1; link type 104
// tcpdump -nn -v: IP (tos 0x0, ttl 128, id 5466, offset 0, flags [DF], proto TCP (6), length 48)
//   192.168.2.7.4938 > 65.55.116.183.80: Flags [S], seq 2620655980, win 16384, length 0
const CHDLC = hex`
  0f 00 08 00 45 00 00 30 15 5a 40 00 80 06 6c d0
  c0 a8 02 07 41 37 74 b7 13 4a 00 50 9c 34 09 6c
  00 00 00 00 70 02 40 00 11 47 00 00 02 04 05 b4
  01 01 04 02
`;

// suricata-verify decode-nsh-type1/input.pcap packet 1; link type 1
// tcpdump -nn -v: NSH, flags [none], service-path-id 0x000001, service-index 0x2
//   IP (tos 0x0, ttl 64, id 10308, offset 0, flags [DF], proto UDP (17), length 34)
//   10.0.0.1.52377 > 10.0.0.2.52464: UDP, length 6
const NSH = hex`
  52 54 00 00 00 01 52 54 00 00 00 02 89 4f 00 06
  01 01 00 00 01 02 00 00 00 01 00 00 00 02 00 00
  00 03 00 00 00 04 45 00 00 22 28 44 40 00 40 11
  e9 6a 0a 00 00 01 0a 00 00 02 cc 99 cc f0 00 0e
  00 00 64 61 74 61 0a 0a
`;

// suricata-verify defrag/bug-6887-defrag-ppp-ipv6-tcp packet 1 (first 64 bytes); link type 9
// tcpdump -nn -v: IP6 (hlim 64, next-header Fragment (44) payload length: 464) ::1 > ::1:
//   frag (0x231a6066:0|456) 12345 > 8080
const PPP_COMPRESSED = hex`
  57 60 00 00 00 01 d0 2c 40 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 01 06 00 00 01 23 1a 60
  66 30 39 1f 90 00 00 00 01 00 00 00 00 50 10 20
`;

describe('Cisco HDLC (link type 104)', () => {
  it('reads the EtherType and decodes the IPv4/TCP packet after the 4-byte header', () => {
    const p = decode(CHDLC, 104);
    expect(p.has(Layer.CHDLC)).toBe(true);
    expect(p.etherType).toBe(0x0800);
    expect(p.srcAddr()).toBe('192.168.2.7');
    expect(p.dstAddr()).toBe('65.55.116.183');
    expect(p.srcPort).toBe(4938);
    expect(p.dstPort).toBe(80);
  });
  it('a frame shorter than the header is malformed', () => {
    expect(decode(CHDLC.subarray(0, 3), 104).malformed).toBe(Layer.CHDLC);
  });
});

describe('NSH (EtherType 0x894f)', () => {
  it('skips the MD type 1 header (24 bytes) and decodes the IPv4/UDP packet', () => {
    const p = decode(NSH, 1);
    expect(p.has(Layer.NSH)).toBe(true);
    expect(p.srcAddr()).toBe('10.0.0.1');
    expect(p.dstAddr()).toBe('10.0.0.2');
    expect(p.srcPort).toBe(52377);
    expect(p.dstPort).toBe(52464);
    expect(p.payloadLen).toBe(6);
  });
  it('an MD type 1 header whose length is not 6 words is malformed', () => {
    const bad = NSH.slice();
    bad[15] = 0x05;
    expect(decode(bad, 1).malformed).toBe(Layer.NSH);
  });
});

describe('PPP (link type 9)', () => {
  it('a compressed one-byte protocol field 0x57 is IPv6', () => {
    const p = decode(PPP_COMPRESSED, 9);
    expect(p.has(Layer.PPP)).toBe(true);
    expect(p.ipVersion).toBe(6);
    expect(p.srcAddr()).toBe('::1');
  });
  it('address/control 0xff 0x03 and a two-byte protocol 0x0021 are IPv4', () => {
    const ip = CHDLC.subarray(4);
    const p = decode(Uint8Array.of(0xff, 0x03, 0x00, 0x21, ...ip), 9);
    expect(p.has(Layer.PPP)).toBe(true);
    expect(p.srcAddr()).toBe('192.168.2.7');
    expect(p.dstPort).toBe(80);
  });
  it('LCP (0xc021) stops decoding', () => {
    const p = decode(Uint8Array.of(0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4), 9);
    expect(p.has(Layer.PPP)).toBe(true);
    expect(p.ipVersion).toBe(0);
  });
});
