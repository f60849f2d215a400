/**
 * MPLS: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Layer } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// crafted; link type 1
// tcpdump -nn -v: 22:13:20.000000 MPLS (label 100, tc 0, ttl 64) (label 200, tc 0, [S], ttl 64) IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32) 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 4
const MPLS = hex`
  02 00 00 00 00 02 02 00 00 00 00 01 88 47 00 06
  40 40 00 0c 81 40 45 00 00 20 12 34 40 00 40 11
  14 97 0a 00 00 01 0a 00 00 02 13 88 17 70 00 0c
  00 00 64 61 74 61
`;

describe('MPLS', () => {
  it('walks a two-label stack to IPv4', () => {
    const p = decode(MPLS, 1);
    expect(p.srcAddr()).toBe('10.0.0.1'); // tshark ip.src
    expect(p.dstPort).toBe(6000); // tshark udp.dstport
    expect(p.has(Layer.MPLS)).toBe(true);
  });
});
