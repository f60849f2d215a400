/**
 * TLS ClientHello (parsed on demand): real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { decode, hex } from './helpers.js';

// nfstream/pcaps/443-curl.pcap packet 4; link type 1
// tcpdump -nn -v: 22:05:20.522725 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 569) 192.168.1.13.55523 > 178.62.197.130.443: Flags [P.], cksum 0xc367 (correct), seq 3430381206:3430381723, ack 2408763774, win 4140, options [nop,nop,TS val 509756902 ecr 627575443], length 517
const HELLO = hex`
  10 13 31 f1 39 76 28 37 37 00 6d c8 08 00 45 00
  02 39 00 00 40 00 40 06 ff 48 c0 a8 01 0d b2 3e
  c5 82 d8 e3 01 bb cc 77 76 96 8f 92 d1 7e 80 18
  10 2c c3 67 00 00 01 01 08 0a 1e 62 45 e6 25 68
  0a 93 16 03 01 02 00 01 00 01 fc 03 03 3e 38 41
  ed cc 20 f6 d0 e5 f7 16 7a b7 ee 91 a8 00 c8 ef
  70 c2 d6 24 c7 c7 94 3a 24 02 6d 9f bc 00 00 86
  cc 14 cc 13 cc 15 c0 30 c0 2c c0 28 c0 24 c0 14
  c0 0a 00 a3 00 9f 00 6b 00 6a 00 39 00 38 ff 85
  00 c4 00 c3 00 88 00 87 00 81 c0 32 c0 2e c0 2a
  c0 26 c0 0f c0 05 00 9d 00 3d 00 35 00 c0 00 84
  c0 2f c0 2b c0 27 c0 23 c0 13 c0 09 00 a2 00 9e
  00 67 00 40 00 33 00 32 00 be 00 bd 00 45 00 44
  c0 31 c0 2d c0 29 c0 25 c0 0e c0 04 00 9c 00 3c
  00 2f 00 ba 00 41 c0 12 c0 08 00 16 00 13 c0 0d
  c0 03 00 0a 00 ff 01 00 01 4d 00 00 00 11 00 0f
  00 00 0c 77 77 77 2e 6e 74 6f 70 2e 6f 72 67 00
  0b 00 04 03 00 01 02 00 0a 00 3a 00 38 00 0e 00
  0d 00 19 00 1c 00 0b 00 0c 00 1b 00 18 00 09 00
  0a 00 1a 00 16 00 17 00 08 00 06 00 07 00 14 00
  15 00 04 00 05 00 12 00 13 00 01 00 02 00 03 00
  0f 00 10 00 11 00 0d 00 26 00 24 06 01 06 02 06
  03 ef ef 05 01 05 02 05 03 04 01 04 02 04 03 ee
  ee ed ed 03 01 03 02 03 03 02 01 02 02 02 03 33
  74 00 00 00 10 00 0e 00 0c 02 68 32 08 68 74 74
  70 2f 31 2e 31 00 15 00 ae 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00
`;

describe('TLS ClientHello (parsed on demand)', () => {
  it('reads SNI, ALPN, cipher suites and extensions', () => {
    const p = decode(HELLO, 1);
    const hello = p.tlsClientHello()!;
    expect(hello.serverName).toBe('www.ntop.org'); // tshark tls.handshake.extensions_server_name
    expect(hello.alpn).toEqual(['h2', 'http/1.1']); // tshark tls.handshake.extensions_alpn_str
    expect(hello.version).toBe(771); // tshark tls.handshake.version
    expect(hello.cipherSuites.length * 2).toBe(134); // tshark tls.handshake.cipher_suites_length
    expect(hello.extensions).toEqual([0, 11, 10, 13, 13172, 16, 21]); // tshark tls.handshake.extension.type
    expect(hello.complete).toBe(true);
  });
});
