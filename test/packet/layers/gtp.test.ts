/**
 * GTP-U: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// nfstream/pcaps/gtp-u.pcap packet 1; link type 1
// tcpdump -nn -v: 10:53:35.441511 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto UDP (17), length 124) 192.168.40.179.2152 > 192.168.40.178.2152: UDP, length 96
const GTP = hex`
  00 0c 29 da d1 de 00 0c 29 e3 c6 4d 08 00 45 00
  00 7c 00 00 40 00 40 11 67 bb c0 a8 28 b3 c0 a8
  28 b2 08 68 08 68 00 68 bf 64 32 ff 00 58 00 00
  00 01 28 db 00 00 45 00 00 54 00 00 40 00 40 01
  5e a5 ca 0b 28 9e c0 a8 28 b2 08 00 be e7 00 00
  28 7b 04 11 20 4b f4 3d 0d 00 08 09 0a 0b 0c 0d
  0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
  1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
  2e 2f 30 31 32 33 34 35 36 37
`;

describe('GTP-U', () => {
  it('decodes the IP packet of a G-PDU', () => {
    const p = decode(GTP, 1);
    expect(p.srcPort).toBe(2152); // tshark udp.srcport
    expect(p.inner!.srcAddr()).toBe('202.11.40.158'); // tshark ip.src
    expect(p.inner!.icmpType).toBe(8); // tshark icmp.type
    expect(p.innerKind).toBe(Encap.GTP);
  });
});
