/**
 * PPPoE: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Layer } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// crafted; link type 1
// tcpdump -nn -v: 22:13:20.000000 PPPoE [ses 0x42] IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 33) 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 13
const PPPOE = hex`
  02 00 00 00 00 02 02 00 00 00 00 01 88 64 11 00
  00 42 00 23 00 21 45 00 00 21 12 34 40 00 40 01
  14 a6 0a 00 00 01 0a 00 00 02 08 00 b4 25 00 07
  00 01 68 65 6c 6c 6f
`;

describe('PPPoE', () => {
  it('decodes IPv4 in a PPPoE session', () => {
    const p = decode(PPPOE, 1);
    expect(p.srcAddr()).toBe('10.0.0.1'); // tshark ip.src
    expect(p.icmpType).toBe(8); // tshark icmp.type
    expect(p.icmpId).toBe(7); // tshark icmp.ident
    expect(p.has(Layer.PPPOE)).toBe(true);
  });
});
