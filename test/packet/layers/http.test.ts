/**
 * HTTP/1.x (parsed on demand): real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 14; link type 1
// tcpdump -nn -v: 01:49:29.518753 IP (tos 0x0, ttl 64, id 61015, offset 0, flags [DF], proto TCP (6), length 135) 10.77.0.3.54250 > 10.77.0.2.80: Flags [P.], cksum 0x1518 (incorrect -> 0x06f1), seq 544829638:544829721, ack 1064812057, win 63, options [nop,nop,TS val 4220010076 ecr 570067164], length 83: HTTP, length: 83 GET /index.html HTTP/1.1 Host: 10.77.0.2 User-Agent: curl/7.88.1 Accept: */*
const REQUEST = hex`
  fe 02 38 6a d3 9d 72 a0 ea 2e 9f 9d 08 00 45 00
  00 87 ee 57 40 00 40 06 37 7b 0a 4d 00 03 0a 4d
  00 02 d3 ea 00 50 20 79 70 c6 3f 77 be 19 80 18
  00 3f 15 18 00 00 01 01 08 0a fb 88 3e 5c 21 fa
  88 dc 47 45 54 20 2f 69 6e 64 65 78 2e 68 74 6d
  6c 20 48 54 54 50 2f 31 2e 31 0d 0a 48 6f 73 74
  3a 20 31 30 2e 37 37 2e 30 2e 32 0d 0a 55 73 65
  72 2d 41 67 65 6e 74 3a 20 63 75 72 6c 2f 37 2e
  38 38 2e 31 0d 0a 41 63 63 65 70 74 3a 20 2a 2f
  2a 0d 0a 0d 0a
`;
// lab/lab-basic.pcap packet 16; link type 1
// tcpdump -nn -v: 01:49:29.518888 IP (tos 0x0, ttl 64, id 61000, offset 0, flags [DF], proto TCP (6), length 324) 10.77.0.2.80 > 10.77.0.3.54250: Flags [P.], cksum 0x15d5 (incorrect -> 0x64f0), seq 1064812057:1064812329, ack 544829721, win 64, options [nop,nop,TS val 570067164 ecr 4220010076], length 272: HTTP, length: 272 HTTP/1.1 200 OK Server: nginx/1.22.1 Date: Sun, 22 Nov 2026 01:49:29 GMT Content-Type: text/html Content-Length: 36 Last-Modified: Sun, 22 Nov 2026 01:49:27 GMT Connection: keep-alive ETag: "6b024a27-24" Accept-Ranges: bytes <html><body>hello lab</body></html>
const RESPONSE = hex`
  72 a0 ea 2e 9f 9d fe 02 38 6a d3 9d 08 00 45 00
  01 44 ee 48 40 00 40 06 36 cd 0a 4d 00 02 0a 4d
  00 03 00 50 d3 ea 3f 77 be 19 20 79 71 19 80 18
  00 40 15 d5 00 00 01 01 08 0a 21 fa 88 dc fb 88
  3e 5c 48 54 54 50 2f 31 2e 31 20 32 30 30 20 4f
  4b 0d 0a 53 65 72 76 65 72 3a 20 6e 67 69 6e 78
  2f 31 2e 32 32 2e 31 0d 0a 44 61 74 65 3a 20 53
  75 6e 2c 20 32 32 20 4e 6f 76 20 32 30 32 36 20
  30 31 3a 34 39 3a 32 39 20 47 4d 54 0d 0a 43 6f
  6e 74 65 6e 74 2d 54 79 70 65 3a 20 74 65 78 74
  2f 68 74 6d 6c 0d 0a 43 6f 6e 74 65 6e 74 2d 4c
  65 6e 67 74 68 3a 20 33 36 0d 0a 4c 61 73 74 2d
  4d 6f 64 69 66 69 65 64 3a 20 53 75 6e 2c 20 32
  32 20 4e 6f 76 20 32 30 32 36 20 30 31 3a 34 39
  3a 32 37 20 47 4d 54 0d 0a 43 6f 6e 6e 65 63 74
  69 6f 6e 3a 20 6b 65 65 70 2d 61 6c 69 76 65 0d
  0a 45 54 61 67 3a 20 22 36 62 30 32 34 61 32 37
  2d 32 34 22 0d 0a 41 63 63 65 70 74 2d 52 61 6e
  67 65 73 3a 20 62 79 74 65 73 0d 0a 0d 0a 3c 68
  74 6d 6c 3e 3c 62 6f 64 79 3e 68 65 6c 6c 6f 20
  6c 61 62 3c 2f 62 6f 64 79 3e 3c 2f 68 74 6d 6c
  3e 0a
`;

describe('HTTP/1.x (parsed on demand)', () => {
  it('reads the request line, Host and User-Agent', () => {
    const p = decode(REQUEST, 1);
    const http = p.http()!;
    expect(http.method).toBe('GET'); // tshark http.request.method
    expect(http.uri).toBe('/index.html'); // tshark http.request.uri
    expect(http.version).toBe('HTTP/1.1'); // tshark http.request.version
    expect(http.header('host')).toBe('10.77.0.2'); // tshark http.host
    expect(http.header('user-agent')).toBe('curl/7.88.1'); // tshark http.user_agent
    expect(http.kind).toBe('request');
    expect(http.complete).toBe(true);
  });
  it('reads the status line', () => {
    const p = decode(RESPONSE, 1);
    const http = p.http()!;
    expect(http.statusCode).toBe(200); // tshark http.response.code
    expect(http.version).toBe('HTTP/1.1'); // tshark http.response.version
    expect(http.header('server')).toBe('nginx/1.22.1'); // tshark http.server
    expect(http.kind).toBe('response');
  });
});
