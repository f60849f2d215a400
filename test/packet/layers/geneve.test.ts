/**
 * Geneve: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// suricata-verify/tests/bug-6402-01/input.pcap packet 1; link type 1
// tcpdump -nn -v: 14:20:52.914666 IP (tos 0x0, ttl 255, id 0, offset 0, flags [none], proto UDP (17), length 152) 10.0.10.74.60276 > 10.0.8.64.6081: Geneve, Flags [none], vni 0x0, options [class Unknown (0x108) type 0x1 len 12, class Unknown (0x108) type 0x2 len 12, class Unknown (0x108) type 0x3 len 8] IP (tos 0x0, ttl 224, id 42879, offset 0, flags [DF], proto GRE (47), length 84) 10.0.1.72 > 10.0.2.31: GREv0, Flags [none], length 64 IP (tos 0x0, ttl 64, id 57489, offset 0, flags [DF], proto TCP (6), length 60) 10.2.0.1.39198 > 10.2.0.2.1234: Flags [S], cksum 0x5121 (correct), seq 3210130781, win 62559, options [mss 8937,sackOK,TS val 3993555093 ecr 0,nop,wscale 7], length 0
const GENEVE = hex`
  02 a1 7b a6 35 45 02 dd 26 a7 53 99 08 00 45 00
  00 98 00 00 00 00 ff 11 94 cb 0a 00 0a 4a 0a 00
  08 40 eb 74 17 c1 00 84 91 19 08 00 08 00 00 00
  00 00 01 08 01 02 31 e1 29 cd c0 cd 86 33 01 08
  02 02 00 00 00 00 00 00 00 00 01 08 03 01 3d c9
  56 ac 45 00 00 54 a7 7f 40 00 e0 2f db 94 0a 00
  01 48 0a 00 02 1f 00 00 08 00 45 00 00 3c e0 91
  40 00 40 06 46 24 0a 02 00 01 0a 02 00 02 99 1e
  04 d2 bf 56 b5 5d 00 00 00 00 a0 02 f4 5f 51 21
  00 00 02 04 22 e9 04 02 08 0a ee 08 d0 95 00 00
  00 00 01 03 03 07
`;

describe('Geneve', () => {
  it('decodes the packet inside Geneve (here IP carrying GRE carrying IP)', () => {
    const p = decode(GENEVE, 1);
    expect(p.vni).toBe(0); // tshark geneve.vni
    expect(p.inner!.srcAddr()).toBe('10.0.1.72'); // tshark ip.src
    expect(p.inner!.inner!.srcAddr()).toBe('10.2.0.1'); // tshark ip.src
    expect(p.inner!.inner!.srcPort).toBe(39198); // tshark tcp.srcport
    expect(p.innerKind).toBe(Encap.GENEVE);
    expect(p.inner!.innerKind).toBe(Encap.GRE);
    expect(p.innermost().depth).toBe(2);
  });
});
