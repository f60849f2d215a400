/**
 * ICMPv6: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 387; link type 1
// tcpdump -nn -v: 01:49:31.483761 IP6 (flowlabel 0xd276a, hlim 64, next-header ICMPv6 (58) payload length: 64) fd77::3 > fd77::2: [icmp6 sum ok] ICMP6, echo request, id 4430, seq 1
const ECHO = hex`
  fe 02 38 6a d3 9d 72 a0 ea 2e 9f 9d 86 dd 60 0d
  27 6a 00 40 3a 40 fd 77 00 00 00 00 00 00 00 00
  00 00 00 00 00 03 fd 77 00 00 00 00 00 00 00 00
  00 00 00 00 00 02 80 00 34 58 11 4e 00 01 2b 4a
  02 6b 00 00 00 00 4b 61 07 00 00 00 00 00 10 11
  12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21
  22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31
  32 33 34 35 36 37
`;
// nfstream/pcaps/6in4tunnel.pcap packet 3; link type 1
// tcpdump -nn -v: 16:54:54.230722 IP (tos 0x0, ttl 255, id 46545, offset 0, flags [DF], proto IPv6 (41), length 186) 174.3.73.24 > 184.105.255.26: IP6 (hlim 64, next-header ICMPv6 (58) payload length: 126) 2001:470:1f16:13f::2 > 2604:a880:1:20::224:b001: [icmp6 sum ok] ICMP6, destination unreachable, unreachable address 2001:470:1f17:13f:25a3:3292:16f9:2ce0
const UNREACHABLE = hex`
  00 22 90 de 3b d9 00 00 24 ce 81 34 08 00 45 00
  00 ba b5 d1 40 00 ff 29 16 a9 ae 03 49 18 b8 69
  ff 1a 60 00 00 00 00 7e 3a 40 20 01 04 70 1f 16
  01 3f 00 00 00 00 00 00 00 02 26 04 a8 80 00 01
  00 20 00 00 00 00 02 24 b0 01 01 03 d2 80 00 00
  00 00 60 00 00 00 00 4e 06 36 26 04 a8 80 00 01
  00 20 00 00 00 00 02 24 b0 01 20 01 04 70 1f 17
  01 3f 25 a3 32 92 16 f9 2c e0 03 e1 ec 4b 52 fb
  7d 7d 19 70 16 98 80 18 00 49 10 f9 00 00 01 01
  08 0a b4 31 3d 00 08 75 fa c6 17 03 03 00 29 a3
  13 e7 88 08 f1 9a 65 c6 2b 1a b1 55 5e a7 3a f9
  5a f4 53 d2 ec 3b 65 da b4 43 96 65 61 a4 e2 8a
  f4 e1 72 07 f5 e2 84 ff
`;

describe('ICMPv6', () => {
  it('reads an echo request', () => {
    const p = decode(ECHO, 1);
    expect(p.icmpType).toBe(128); // tshark icmpv6.type
    expect(p.icmpCode).toBe(0); // tshark icmpv6.code
    expect(p.icmpId).toBe(4430); // tshark icmpv6.echo.identifier
    expect(p.icmpSeq).toBe(1); // tshark icmpv6.echo.sequence_number
  });
  it('decodes the packet an ICMPv6 error quotes (inside 6in4)', () => {
    const p = decode(UNREACHABLE, 1);
    expect(p.inner!.icmpType).toBe(1); // tshark icmpv6.type
    expect(p.inner!.icmpCode).toBe(3); // tshark icmpv6.code
    expect(p.inner!.inner!.srcAddr()).toBe('2604:a880:1:20::224:b001'); // tshark ipv6.src
    expect(p.inner!.inner!.srcPort).toBe(993); // tshark tcp.srcport
    expect(p.inner!.inner!.seq).toBe(1392213373); // tshark tcp.seq_raw
    expect(p.inner!.innerKind).toBe(Encap.ICMP_QUOTE);
  });
});
