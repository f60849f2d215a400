/**
 * Teredo: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// nfstream/pcaps/teredo.pcap packet 1; link type 1
// tcpdump -nn -v: 09:33:35.305874 IP (tos 0x0, ttl 126, id 22970, offset 0, flags [none], proto UDP (17), length 89) 10.112.16.106.52513 > 194.136.28.76.3544: UDP, length 61
const TEREDO = hex`
  6c 41 6a 8c 80 89 00 1b 17 00 01 15 08 00 45 00
  00 59 59 ba 00 00 7e 11 e9 2b 0a 70 10 6a c2 88
  1c 4c cd 21 0d d8 00 45 7d 87 00 01 00 00 b1 1b
  3f ea 46 a9 af e9 00 60 00 00 00 00 08 3a ff fe
  80 00 00 00 00 00 00 00 00 ff ff ff ff ff fe ff
  02 00 00 00 00 00 00 00 00 00 00 00 00 00 02 85
  00 7d 38 00 00 00 00
`;

describe('Teredo', () => {
  it('decodes the IPv6 packet inside Teredo', () => {
    const p = decode(TEREDO, 1);
    expect(p.srcPort).toBe(52513); // tshark udp.srcport
    expect(p.inner!.srcAddr()).toBe('fe80::ffff:ffff:fffe'); // tshark ipv6.src
    expect(p.inner!.dstAddr()).toBe('ff02::2'); // tshark ipv6.dst
    expect(p.innerKind).toBe(Encap.TEREDO);
  });
});
