/**
 * A real server and real clients on loopback, recorded by tcpdump: a node HTTP server sends a
 * gzip response in chunks (curl --compressed asks for it) and receives a POST on a kept-alive
 * connection; the capture is reassembled and parsed, and every body must equal what the
 * server sent and received.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpTxFlag } from '../../../src/ids/app/http/transaction.js';
import { runCommand } from '../../../src/sys/exec.js';
import { sleep, startTcpdump } from '../../capture/lab.js';
import { NetnsLab } from '../../helpers/netns.js';
import { parseFile } from './http-files.js';

const lab = new NetnsLab();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-http-live-'));
afterAll(async () => {
  await lab.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

const PAGE = Array.from({ length: 4000 }, (_, i) => `<p>row ${i} of the page</p>\n`).join('');
const POST_BODY = JSON.stringify({ items: Array.from({ length: 500 }, (_, i) => ({ i, name: `n${i}` })) });

describe('HTTP from a real server on loopback (tcpdump capture)', () => {
  it('chunked gzip response and a kept-alive POST parse back to what was sent', async () => {
    let received = '';
    const server = http.createServer((req, res) => {
      if (req.url === '/page') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Encoding': 'gzip' });
        const gz = createGzip();
        gz.pipe(res);
        // several writes so that the chunked body spans many chunks and segments
        let off = 0;
        const step = () => {
          if (off >= PAGE.length) {
            gz.end();
            return;
          }
          gz.write(PAGE.slice(off, off + 7000));
          gz.flush();
          off += 7000;
          setTimeout(step, 2);
        };
        step();
        return;
      }
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => {
        received += body;
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const file = path.join(tmp, 'live.pcap');
    const td = await startTcpdump(lab, null, 'lo', `tcp port ${port}`, file);
    try {
      const curl = await runCommand(['curl', '-s', '--compressed', `http://127.0.0.1:${port}/page`], {
        timeoutMs: 30_000,
        packageHint: 'curl',
      });
      expect(curl.stdout).toBe(PAGE);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let k = 0; k < 2; k++) {
        await new Promise<void>((resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              path: `/post${k}`,
              method: 'POST',
              agent,
              headers: { 'Content-Type': 'application/json' },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve());
            },
          );
          req.on('error', reject);
          req.end(POST_BODY);
        });
      }
      agent.destroy();
      await sleep(200);
    } finally {
      await td.stop();
      server.close();
    }
    expect(received).toBe(POST_BODY + POST_BODY);

    const conns = parseFile(file).filter((c) => c.txs.length > 0);
    expect(conns).toHaveLength(2);
    const [page, posts] = conns;
    expect(page.txs).toHaveLength(1);
    const tx = page.txs[0];
    expect(tx.responseHeader('transfer-encoding')).toBe('chunked');
    expect(tx.response?.status).toBe(200);
    expect(tx.flags & ~HttpTxFlag.RESPONSE_BODY_LIMIT).toBe(0);
    expect(Buffer.from(tx.response?.body ?? []).toString('utf8')).toBe(PAGE);
    expect(tx.responseComplete).toBe(true);
    expect(posts.txs.map((t) => Buffer.from(t.request.rawUri).toString())).toEqual(['/post0', '/post1']);
    for (const t of posts.txs) {
      expect(Buffer.from(t.request.body ?? []).toString('latin1')).toBe(POST_BODY);
      expect(t.response?.status).toBe(201);
      expect(Buffer.from(t.response?.body ?? []).toString()).toBe('{"ok":true}');
    }
  }, 60_000);
});
