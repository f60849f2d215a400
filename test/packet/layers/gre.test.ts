/**
 * GRE: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// suricata-verify/tests/bug-2576-04-ips/temp6.pcap packet 1; link type 1
// tcpdump -nn -v: 09:42:18.756044 IP (tos 0x0, ttl 64, id 3421, offset 0, flags [DF], proto GRE (47), length 98) 192.168.0.23 > 192.168.0.20: GREv0, Flags [none], length 78 IP (tos 0x0, ttl 64, id 6130, offset 0, flags [DF], proto TCP (6), length 60) 10.95.48.225.42270 > 14.215.177.39.80: Flags [S], cksum 0xae35 (correct), seq 669994804, win 27200, options [mss 1360,sackOK,TS val 3210172614 ecr 0,nop,wscale 7], length 0
const GRE_ETH = hex`
  00 0c 29 27 dc 8f 00 0c 29 9b c7 71 08 00 45 00
  00 62 0d 5d 40 00 40 2f ab 94 c0 a8 00 17 c0 a8
  00 14 00 00 65 58 ac 74 09 f5 6d 45 00 50 56 9e
  6e 80 08 00 45 00 00 3c 17 f2 40 00 40 06 27 8c
  0a 5f 30 e1 0e d7 b1 27 a5 1e 00 50 27 ef 4f 34
  00 00 00 00 a0 02 6a 40 ae 35 00 00 02 04 05 50
  04 02 08 0a bf 57 58 c6 00 00 00 00 01 03 03 07
`;
// suricata-verify/tests/bug-5633-gre-01/gre-udp.pcap packet 1; link type 1
// tcpdump -nn -v: 15:51:38.513355 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto GRE (47), length 56) 1.1.1.2 > 1.1.1.1: GREv0, Flags [none], length 36 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 32) 2.2.2.3.12345 > 2.2.2.2.514: (invalid)
const GRE_IP = hex`
  ff ff ff ff ff ff 00 01 02 03 04 05 81 00 00 06
  08 00 45 00 00 38 00 01 00 00 40 2f 76 92 01 01
  01 02 01 01 01 01 00 00 08 00 45 00 00 20 00 01
  00 00 40 11 72 c4 02 02 02 03 02 02 02 02 30 39
  02 02 00 0c 36 f0 45 56 49 4c
`;

describe('GRE', () => {
  it('decodes Ethernet bridged over GRE', () => {
    const p = decode(GRE_ETH, 1);
    expect(p.greProto).toBe(25944); // tshark gre.proto
    expect(p.inner!.srcMac()).toBe('00:50:56:9e:6e:80'); // tshark eth.src
    expect(p.inner!.srcAddr()).toBe('10.95.48.225'); // tshark ip.src
    expect(p.inner!.srcPort).toBe(42270); // tshark tcp.srcport
    expect(p.innerKind).toBe(Encap.GRE);
  });
  it('decodes IP over GRE', () => {
    const p = decode(GRE_IP, 1);
    expect(p.greProto).toBe(2048); // tshark gre.proto
    expect(p.inner!.srcAddr()).toBe('2.2.2.3'); // tshark ip.src
    expect(p.inner!.dstAddr()).toBe('2.2.2.2'); // tshark ip.dst
    expect(p.innerKind).toBe(Encap.GRE);
  });
});
