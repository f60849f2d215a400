/**
 * IPv4: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap, Layer } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// suricata-verify/tests/detect-ipopts/input.pcap packet 1; link type 228
// tcpdump -nn -v: 13:15:18.749110 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 44, options (RR,EOL)) 9.10.11.12.20 > 13.14.15.16.80: Flags [S], cksum 0x5f4b (correct), seq 0, win 8192, length 0
const OPTIONS = hex`
  46 00 00 2c 00 01 00 00 40 06 3e 95 09 0a 0b 0c
  0d 0e 0f 10 07 03 04 00 00 14 00 50 00 00 00 00
  00 00 00 00 50 02 20 00 5f 4b 00 00
`;
// nfstream/pcaps/badpackets.pcap packet 1; link type 1
// tcpdump -nn -v: 11:03:49.466717 IP truncated-ip - 1243 bytes missing! (tos 0x0, ttl 231, id 16212, offset 0, flags [+], proto UDP (17), length 1500) 131.78.81.254.53 > 204.186.80.229.52327: 360 NXDomain* 0/12/1 (1472)
const FIRST_FRAGMENT = hex`
  c4 34 6b b5 ad c8 78 ba f9 68 79 67 08 00 45 00
  05 dc 3f 54 20 00 e7 11 7b d0 83 4e 51 fe cc ba
  50 e5 00 35 cc 67 06 b5 4a ad 01 68 85 93 00 01
  00 00 00 0c 00 01 0b 70 68 6c 31 73 70 72 74 31
  30 38 02 61 64 03 64 6c 61 03 6d 69 6c 00 00 01
  00 01 c0 1b 00 06 00 01 00 00 02 1d 00 2d 08 65
  61 67 6c 65 69 62 31 c0 18 0b 72 61 6e 64 79 2e
  73 6d 69 74 68 c0 1b 77 b2 29 2b 00 00 2a 30 00
  00 04 38 00 09 3a 80 00 00 03 84 c0 1b 00 2e 00
  01 00 00 02 1d 00 9b 00 06 08 02 00 00 03 84 59
  2f e8 e6 59 22 ab d6 36 24 03 64 6c 61 03 6d 69
  6c 00 43 e3 63 ac da 6d 57 e6 f6 fc 24 ea 64 a1
  f6 6e 24 8f db bb 64 39 64 c6 ab 62 82 52 19 4e
  1f d1 38 d4 c2 d2 3a 4d a5 09 82 fa b2 60 d7 e5
  f9 a6 d7 32 6e a1 ba 76 77 2a d4 a3 ef 48 9a b7
  7c 6d 70 f1 50 c8 1b bc c9 7f b7 fa 1b d8 22 91
  8f 55 30 21 a6 07 12 e5 b0 ab 72 c4 73 91 6b
`;
// nfstream/pcaps/dns_fragmented.pcap packet 3; link type 1
// tcpdump -nn -v: 14:40:08.021729 IP (tos 0x0, ttl 64, id 53502, offset 1480, flags [none], proto UDP (17), length 250) 193.24.227.238 > 172.217.40.76: ip-proto-17
const LATER_FRAGMENT = hex`
  00 86 9c e7 55 14 00 0c 29 8a 5d d7 08 00 45 00
  00 fa d0 fe 00 b9 40 11 2e 0f c1 18 e3 ee ac d9
  28 4c 92 56 69 0f 05 4b db 48 1e 8f a8 56 36 39
  d5 cc ba f9 f8 22 24 d0 76 cc 24 9b da 1d 49 f0
  3e 34 44 9c 94 65 87 34 96 0b 8d 1a b3 33 be 88
  01 62 76 f1 22 7b 83 28 3d 81 f1 21 9a ba 6c 6c
  ca 72 6e 94 14 99 4d d7 bb e2 49 ee 72 69 3e ee
  0e 03 6c cd 33 c9 f4 43 d1 6d d1 84 3d ee d0 d1
  5d 8e 2f f4 ce 68 88 f3 5e d5 90 21 36 1a 95 6f
  b8 bd c5 f0 a0 c2 0b e1 0c 62 32 65 38 7a 8c f9
  24 c9 c4 fa bd 64 5f 31 25 c5 48 4e 40 ba 11 8e
  82 75 19 98 99 07 6a bd 16 16 cc 35 cf 8c 6b 72
  bb 95 d3 d7 71 f5 54 2f 08 26 2b 0d 51 e8 41 0e
  bd 8f 7a 9a 40 35 47 57 16 5c aa 55 0e a6 01 12
  fa 52 74 c1 4f 4c 5a 9b b0 e9 9a ec 72 70 ee c1
  3a a9 76 ac 2e ca 04 96 f8 97 29 20 f4 00 00 29
  10 00 00 00 80 00 00 00
`;
// nfstream/pcaps/raw.pcap packet 1; link type 101
// tcpdump -nn -v: 12:33:09.142785 IP (tos 0x0, ttl 1, id 2815, offset 0, flags [DF], proto UDP (17), length 165) 10.8.8.130.45286 > 239.255.255.250.1900: UDP, length 137
const RAW = hex`
  45 00 00 a5 0a ff 40 00 01 11 6b c5 0a 08 08 82
  ef ff ff fa b0 e6 07 6c 00 91 b3 17 4d 2d 53 45
  41 52 43 48 20 2a 20 48 54 54 50 2f 31 2e 31 0d
  0a 48 4f 53 54 3a 20 32 33 39 2e 32 35 35 2e 32
  35 35 2e 32 35 30 3a 31 39 30 30 0d 0a 53 54 3a
  20 75 72 6e 3a 73 63 68 65 6d 61 73 2d 75 70 6e
  70 2d 6f 72 67 3a 64 65 76 69 63 65 3a 49 6e 74
  65 72 6e 65 74 47 61 74 65 77 61 79 44 65 76 69
  63 65 3a 31 0d 0a 4d 41 4e 3a 20 22 73 73 64 70
  3a 64 69 73 63 6f 76 65 72 22 0d 0a 4d 58 3a 20
  32 0d 0a 0d 0a
`;
// nfstream/pcaps/4in4tunnel.pcap packet 1; link type 1
// tcpdump -nn -v: 20:44:31.794779 IP (tos 0xb8, ttl 255, id 59480, offset 0, flags [none], proto IPIP (4), length 148) 69.67.35.146 > 41.202.46.110: IP (tos 0xb8, ttl 254, id 1, offset 0, flags [none], proto UDP (17), length 128) 10.10.100.25.62367 > 10.10.101.2.17000: UDP, length 100
const IP_IN_IP = hex`
  00 00 00 00 00 04 a4 c6 4f 3b b3 9a 81 00 66 58
  81 00 61 f9 08 00 45 b8 00 94 e8 58 00 00 ff 04
  11 48 45 43 23 92 29 ca 2e 6e 45 b8 00 80 00 01
  00 00 fe 11 de 84 0a 0a 64 19 0a 0a 65 02 f3 9f
  42 68 00 6c 4b 9a 00 02 00 00 04 73 6c 10 00 00
  00 00 00 01 00 00 ab cd ab cd ab cd ab cd ab cd
  ab cd ab cd ab cd ab cd ab cd ab cd ab cd ab cd
  ab cd ab cd ab cd ab cd ab cd ab cd ab cd ab cd
  ab cd ab cd ab cd ab cd ab cd ab cd ab cd ab cd
  ab cd ab cd ab cd ab cd ab cd ab cd ab cd ab cd
  ab cd ab cd ab cd ab cd ab cd
`;
// nfstream/pcaps/6in4tunnel.pcap packet 1; link type 1
// tcpdump -nn -v: 16:54:53.450580 IP (tos 0x0, ttl 255, id 46465, offset 0, flags [DF], proto IPv6 (41), length 124) 174.3.73.24 > 184.105.255.26: IP6 (hlim 63, next-header ICMPv6 (58) payload length: 64) 2001:470:1f17:13f:3e97:eff:fe73:4dec > 2604:a880:1:20::224:b001: [icmp6 sum ok] ICMP6, echo request, id 23951, seq 346
const SIX_IN_FOUR = hex`
  00 22 90 de 3b d9 00 00 24 ce 81 34 08 00 45 00
  00 7c b5 81 40 00 ff 29 17 37 ae 03 49 18 b8 69
  ff 1a 60 00 00 00 00 40 3a 3f 20 01 04 70 1f 17
  01 3f 3e 97 0e ff fe 73 4d ec 26 04 a8 80 00 01
  00 20 00 00 00 00 02 24 b0 01 80 00 e0 bd 5d 8f
  01 5a 5d 4e 15 56 00 00 00 00 a8 dd 06 00 00 00
  00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
  1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
  2e 2f 30 31 32 33 34 35 36 37
`;

describe('IPv4', () => {
  it('skips IPv4 options using the header length', () => {
    const p = decode(OPTIONS, 228);
    expect(p.ipHeaderLen).toBe(24); // tshark ip.hdr_len
    expect(p.ipLen).toBe(44); // tshark ip.len
    expect(p.ttl).toBe(64); // tshark ip.ttl
    expect(p.ipId).toBe(1); // tshark ip.id
    expect(p.srcPort).toBe(20); // tshark tcp.srcport
    expect(p.dstPort).toBe(80); // tshark tcp.dstport
    expect(p.l4Offset).toBe(p.l3Offset + p.ipHeaderLen);
  });
  it('decodes the transport header of a first fragment', () => {
    const p = decode(FIRST_FRAGMENT, 1);
    expect(p.moreFragments).toBe(true); // tshark ip.flags.mf
    expect(p.fragOffset / 8).toBe(0); // tshark ip.frag_offset
    expect(p.ipId).toBe(16212); // tshark ip.id
    expect(p.srcPort).toBe(53); // tshark udp.srcport
    expect(p.udpLength).toBe(1717); // tshark udp.length
    expect(p.has(Layer.FRAGMENT)).toBe(true);
    expect(p.has(Layer.UDP)).toBe(true);
  });
  it('keeps a later fragment as IP payload', () => {
    const p = decode(LATER_FRAGMENT, 1);
    expect(p.fragOffset / 8).toBe(185); // tshark ip.frag_offset
    expect(p.ipProto).toBe(17); // tshark ip.proto
    expect(p.ipLen).toBe(250); // tshark ip.len
    expect(p.has(Layer.FRAGMENT)).toBe(true);
    expect(p.has(Layer.UDP) || p.has(Layer.TCP)).toBe(false);
    expect(p.payloadOffset).toBe(p.l3Offset + p.ipHeaderLen);
    expect(p.payloadLen).toBe(p.ipLen - p.ipHeaderLen);
  });
  it('decodes LINKTYPE_RAW by the version nibble', () => {
    const p = decode(RAW, 101);
    expect(p.srcAddr()).toBe('10.8.8.130'); // tshark ip.src
    expect(p.dstAddr()).toBe('239.255.255.250'); // tshark ip.dst
    expect(p.srcPort).toBe(45286); // tshark udp.srcport
    expect(p.layers & Layer.ETHERNET).toBe(0);
  });
  it('decodes IPv4-in-IPv4 into an inner packet', () => {
    const p = decode(IP_IN_IP, 1);
    expect(p.srcAddr()).toBe('69.67.35.146'); // tshark ip.src
    expect(p.inner!.srcAddr()).toBe('10.10.100.25'); // tshark ip.src
    expect(p.inner!.dstAddr()).toBe('10.10.101.2'); // tshark ip.dst
    expect(p.innerKind).toBe(Encap.IP_IN_IP);
    expect(p.ipProto).toBe(4);
    expect(p.inner!.depth).toBe(1);
  });
  it('decodes IPv6-in-IPv4 (protocol 41) into an inner packet', () => {
    const p = decode(SIX_IN_FOUR, 1);
    expect(p.srcAddr()).toBe('174.3.73.24'); // tshark ip.src
    expect(p.inner!.srcAddr()).toBe('2001:470:1f17:13f:3e97:eff:fe73:4dec'); // tshark ipv6.src
    expect(p.inner!.ipNextHeader).toBe(58); // tshark ipv6.nxt
    expect(p.innerKind).toBe(Encap.IP_IN_IP);
    expect(p.inner!.ipVersion).toBe(6);
  });
});
