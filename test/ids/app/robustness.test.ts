/**
 * Malformed input never throws out of the stream engine or the HTTP parser: random segments
 * (random flags, sequence numbers around a handshake, random payloads) and random or mutated
 * HTTP bytes, split anywhere. A seeded generator makes failures reproducible.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HttpParser } from '../../../src/ids/app/http/parser.js';
import { TcpSession } from '../../../src/ids/stream/session.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const SAMPLE = Buffer.concat([
  Buffer.from(
    'POST /a%2f../b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n',
  ),
  Buffer.from('10\r\n'),
  gzipSync('x'.repeat(300)).subarray(0, 16),
  Buffer.from('\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.0\r\n\r\n'),
]);

describe('robustness', () => {
  it('TcpSession takes any segment sequence without throwing and stays within its limits', () => {
    const r = rng(7);
    for (let round = 0; round < 200; round++) {
      const s = new TcpSession({ midstream: r() < 0.5, maxOutOfOrderBytes: 512, depth: 4096 });
      const isn = [Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)];
      for (let i = 0; i < 100; i++) {
        const d = r() < 0.5 ? 0 : 1;
        const flags = Math.floor(r() * 0x40);
        const seq = (isn[d] + Math.floor((r() - 0.2) * 3000)) >>> 0;
        const ack = (isn[d ^ 1] + Math.floor(r() * 3000)) >>> 0;
        const payload = new Uint8Array(Math.floor(r() * 300)).map(() => Math.floor(r() * 256));
        s.handleSegment(d, flags, seq, ack, payload, i);
        for (const dir of [0, 1]) {
          s.takeGap(dir);
          const v = s.read(dir);
          s.consume(dir, Math.floor(v.length * r()));
          expect(s.dirs[dir].pendingBytes).toBeLessThanOrEqual(512 + 300);
          expect(s.delivered(dir)).toBeLessThanOrEqual(4096);
        }
      }
      s.flush(0);
      s.flush(1);
    }
  });

  it('HttpParser takes random and mutated input in random splits without throwing', () => {
    const r = rng(11);
    for (let round = 0; round < 300; round++) {
      const p = new HttpParser({ maxHeaderBytes: 2048 });
      for (const toServer of [true, false]) {
        let data: Buffer;
        if (round % 3 === 0) data = Buffer.from(new Uint8Array(400).map(() => Math.floor(r() * 256)));
        else {
          data = Buffer.from(SAMPLE);
          for (let k = 0; k < 1 + Math.floor(r() * 8); k++)
            data[Math.floor(r() * data.length)] = Math.floor(r() * 256);
          if (!toServer)
            data = Buffer.concat([
              Buffer.from('HTTP/1.1 200 OK\r\n'),
              data.subarray(data.indexOf('\r\n') + 2),
            ]);
        }
        let i = 0;
        while (i < data.length) {
          const n = 1 + Math.floor(r() * 40);
          expect(() => p.feed(toServer, data.subarray(i, i + n))).not.toThrow();
          if (r() < 0.02) p.gap(toServer, Math.floor(r() * 50));
          i += n;
          p.clearEvents();
        }
        p.end(toServer);
      }
    }
  });
});
