/**
 * UDP: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { decode, hex } from './helpers.js';

// nfstream/pcaps/1kxun.pcap packet 21; link type 1
// tcpdump -nn -v: 02:19:37.753112 IP (tos 0x0, ttl 46, id 40504, offset 0, flags [none], proto UDP (17), length 98) 8.8.8.8.53 > 192.168.115.8.51024: 64812 2/0/0 jp.kankan.1kxun.mobi. A 106.185.35.110, jp.kankan.1kxun.mobi. A 106.185.35.112 (70)
const DNS_RESPONSE = hex`
  00 1c 42 8e 70 31 4c 5e 0c ea 03 65 08 00 45 00
  00 62 9e 38 00 00 2e 11 aa 92 08 08 08 08 c0 a8
  73 08 00 35 c7 50 00 4e 65 f9 fd 2c 81 80 00 01
  00 02 00 00 00 00 02 6a 70 06 6b 61 6e 6b 61 6e
  05 31 6b 78 75 6e 04 6d 6f 62 69 00 00 01 00 01
  c0 0c 00 01 00 01 00 00 01 2b 00 04 6a b9 23 6e
  c0 0c 00 01 00 01 00 00 01 2b 00 04 6a b9 23 70
`;

describe('UDP', () => {
  it('reads ports and length', () => {
    const p = decode(DNS_RESPONSE, 1);
    expect(p.srcPort).toBe(53); // tshark udp.srcport
    expect(p.dstPort).toBe(51024); // tshark udp.dstport
    expect(p.udpLength).toBe(78); // tshark udp.length
    expect(p.payloadLen).toBe(p.udpLength - 8);
    expect(p.payloadOffset).toBe(p.l4Offset + 8);
  });
});
