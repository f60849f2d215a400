/**
 * 802.1Q and 802.1ad tags: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { decode, hex } from './helpers.js';

// attacks/tcp_0_1000_20190821.pcap packet 1; link type 1
// tcpdump -nn -v: 18:16:47.841604 IP (tos 0x0, ttl 252, id 40004, offset 0, flags [none], proto TCP (6), length 40) 172.31.15.102.51406 > 198.124.152.15.697: Flags [S], cksum 0x419d (correct), seq 2109343474, win 1024, length 0
const TAGGED = hex`
  40 7c 7d b1 e9 b7 00 24 38 98 cb 00 81 00 03 af
  08 00 45 00 00 28 9c 44 00 00 fc 06 08 7a ac 1f
  0f 66 c6 7c 98 0f c8 ce 02 b9 7d ba 06 f2 00 00
  00 00 50 02 04 00 41 9d 00 00 00 00 16 31 ee b5
`;
// crafted; link type 1
// tcpdump -nn -v: 22:13:20.000000 IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 29) 10.0.0.1.1111 > 10.0.0.2.2222: UDP, length 1
const QINQ = hex`
  02 00 00 00 00 02 02 00 00 00 00 01 88 a8 60 64
  81 00 00 c8 08 00 45 00 00 1d 12 34 40 00 40 11
  14 9a 0a 00 00 01 0a 00 00 02 04 57 08 ae 00 09
  00 00 78
`;

describe('802.1Q and 802.1ad tags', () => {
  it('reads the VLAN id and the EtherType after the tag', () => {
    const p = decode(TAGGED, 1);
    expect(p.vlanId).toBe(943); // tshark vlan.id
    expect(p.vlanPriority).toBe(0); // tshark vlan.priority
    expect(p.etherType).toBe(2048); // tshark vlan.etype
    expect(p.srcAddr()).toBe('172.31.15.102'); // tshark ip.src
    expect(p.vlanCount).toBe(1);
    expect(p.vlanTpid).toBe(0x8100);
  });
  it('walks stacked 802.1ad + 802.1Q tags', () => {
    const p = decode(QINQ, 1);
    expect(p.vlanId).toBe(100); // tshark ieee8021ad.id
    expect(p.vlanPriority).toBe(3); // tshark ieee8021ad.priority
    expect(p.vlanId2).toBe(200); // tshark vlan.id
    expect(p.dstPort).toBe(2222); // tshark udp.dstport
    expect(p.vlanCount).toBe(2);
    expect(p.vlanTpid).toBe(0x88a8);
    expect(p.vlanTpid2).toBe(0x8100);
  });
});
