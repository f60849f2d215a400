/**
 * DNS (parsed on demand): real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 21; link type 1
// tcpdump -nn -v: 01:49:29.574445 IP (tos 0x0, ttl 64, id 10061, offset 0, flags [none], proto UDP (17), length 83) 10.77.0.3.41124 > 10.77.0.2.53: 20811+ [1au] A? host1.lab.test. (55)
const QUERY = hex`
  fe 02 38 6a d3 9d 72 a0 ea 2e 9f 9d 08 00 45 00
  00 53 27 4d 00 00 40 11 3e af 0a 4d 00 03 0a 4d
  00 02 a0 a4 00 35 00 3f 14 ef 51 4b 01 20 00 01
  00 00 00 00 00 01 05 68 6f 73 74 31 03 6c 61 62
  04 74 65 73 74 00 00 01 00 01 00 00 29 04 d0 00
  00 00 00 00 0c 00 0a 00 08 bb 35 7f e2 1c 66 97
  e7
`;
// nfstream/pcaps/1kxun.pcap packet 21; link type 1
// tcpdump -nn -v: 02:19:37.753112 IP (tos 0x0, ttl 46, id 40504, offset 0, flags [none], proto UDP (17), length 98) 8.8.8.8.53 > 192.168.115.8.51024: 64812 2/0/0 jp.kankan.1kxun.mobi. A 106.185.35.110, jp.kankan.1kxun.mobi. A 106.185.35.112 (70)
const RESPONSE = hex`
  00 1c 42 8e 70 31 4c 5e 0c ea 03 65 08 00 45 00
  00 62 9e 38 00 00 2e 11 aa 92 08 08 08 08 c0 a8
  73 08 00 35 c7 50 00 4e 65 f9 fd 2c 81 80 00 01
  00 02 00 00 00 00 02 6a 70 06 6b 61 6e 6b 61 6e
  05 31 6b 78 75 6e 04 6d 6f 62 69 00 00 01 00 01
  c0 0c 00 01 00 01 00 00 01 2b 00 04 6a b9 23 6e
  c0 0c 00 01 00 01 00 00 01 2b 00 04 6a b9 23 70
`;

describe('DNS (parsed on demand)', () => {
  it('reads the question of a query', () => {
    const p = decode(QUERY, 1);
    const dns = p.dns()!;
    expect(dns.id).toBe(20811); // tshark dns.id
    expect(dns.response).toBe(false); // tshark dns.flags.response
    expect(dns.questions.map((q) => q.name)).toEqual(['host1.lab.test']); // tshark dns.qry.name
    expect(dns.questions.map((q) => q.type)).toEqual([1]); // tshark dns.qry.type
  });
  it('reads the answers of a response', () => {
    const p = decode(RESPONSE, 1);
    const dns = p.dns()!;
    expect(dns.response).toBe(true); // tshark dns.flags.response
    expect(dns.rcode).toBe(0); // tshark dns.flags.rcode
    expect(dns.questions.map((q) => q.name)).toEqual(['jp.kankan.1kxun.mobi']); // tshark dns.qry.name
    expect(dns.answers.filter((a) => a.type === 1).map((a) => a.data)).toEqual([
      '106.185.35.110',
      '106.185.35.112',
    ]); // tshark dns.a
    expect(dns.answerCount).toBe(2); // tshark dns.count.answers
    expect(dns.complete).toBe(true);
  });
});
