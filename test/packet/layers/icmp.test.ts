/**
 * ICMP: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 375; link type 1
// tcpdump -nn -v: 01:49:30.660113 IP (tos 0x0, ttl 64, id 43669, offset 0, flags [DF], proto ICMP (1), length 84) 10.77.0.3 > 10.77.0.2: ICMP echo request, id 4418, seq 1, length 64
const ECHO = hex`
  fe 02 38 6a d3 9d 72 a0 ea 2e 9f 9d 08 00 45 00
  00 54 aa 95 40 00 40 01 7b 75 0a 4d 00 03 0a 4d
  00 02 08 00 2f 25 11 42 00 01 2a 4a 02 6b 00 00
  00 00 c2 0f 0a 00 00 00 00 00 10 11 12 13 14 15
  16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
  26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
  36 37
`;
// attacks/nmap_80_all.pcap packet 412; link type 1
// tcpdump -nn -v: 05:49:46.032526 IP (tos 0x0, ttl 58, id 11324, offset 0, flags [none], proto ICMP (1), length 68) 130.211.223.103 > 10.87.1.10: ICMP host 130.211.223.103 unreachable - admin prohibited, length 48 IP (tos 0x0, ttl 49, id 18761, offset 0, flags [DF], proto TCP (6), length 40) 10.87.1.10.52300 > 130.211.223.103.80: Flags [R], cksum 0x1a57 (correct), seq 3816454102, win 0, length 0
const UNREACHABLE = hex`
  d0 50 99 51 31 3d c4 ad 34 d2 d7 b5 08 00 45 00
  00 44 2c 3c 00 00 3a 01 e6 e1 82 d3 df 67 0a 57
  01 0a 03 0a 6a ac 00 00 00 00 45 00 00 28 49 49
  40 00 31 06 92 eb 0a 57 01 0a 82 d3 df 67 cc 4c
  00 50 e3 7a 77 d6 00 00 00 00 50 04 00 00 1a 57
  00 00
`;

describe('ICMP', () => {
  it('reads type, code, identifier and sequence of an echo request', () => {
    const p = decode(ECHO, 1);
    expect(p.icmpType).toBe(8); // tshark icmp.type
    expect(p.icmpCode).toBe(0); // tshark icmp.code
    expect(p.icmpId).toBe(4418); // tshark icmp.ident
    expect(p.icmpSeq).toBe(1); // tshark icmp.seq
    expect(p.inner).toBe(null);
  });
  it('decodes the datagram an unreachable quotes as an inner packet', () => {
    const p = decode(UNREACHABLE, 1);
    expect(p.icmpType).toBe(3); // tshark icmp.type
    expect(p.icmpCode).toBe(10); // tshark icmp.code
    expect(p.inner!.srcAddr()).toBe('10.87.1.10'); // tshark ip.src
    expect(p.inner!.dstAddr()).toBe('130.211.223.103'); // tshark ip.dst
    expect(p.inner!.srcPort).toBe(52300); // tshark tcp.srcport
    expect(p.inner!.dstPort).toBe(80); // tshark tcp.dstport
    expect(p.innerKind).toBe(Encap.ICMP_QUOTE);
    expect(p.inner!.outerKind).toBe(Encap.ICMP_QUOTE);
    expect(p.innermost()).toBe(p);
  });
});
