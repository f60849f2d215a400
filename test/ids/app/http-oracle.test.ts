/**
 * HTTP transactions parsed from real captures against two oracles:
 * - tshark: per TCP stream, request method and URI, response status and Content-Type, and the
 *   de-chunked, decompressed response body (`http.file_data`, with tshark's desegment,
 *   dechunk and decompress options on), in order;
 * - Suricata, through suricata-verify's http-evader tests: where the test expects the
 *   `file_data; content:"EICAR..."` rule to fire, the decoded response body holds the EICAR
 *   string, and where it expects no alert, it does not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { parseFile, tsharkHttp } from './http-files.js';

const text = (v: Uint8Array | string) => (typeof v === 'string' ? v : Buffer.from(v).toString('latin1'));

async function compare(file: string): Promise<{ requests: number; responses: number; bodies: number }> {
  const mine = parseFile(file);
  const ts = await tsharkHttp(file);
  let requests = 0;
  let responses = 0;
  let bodies = 0;
  for (const [stream, t] of ts) {
    const conn = mine[stream];
    expect(conn, `${file}: stream ${stream}`).toBeDefined();
    const reqs = conn.txs.filter((x) => x.requestProgress > 0);
    t.requests.forEach((r, i) => {
      const tx = reqs[i];
      expect(tx, `${file} stream ${stream} request ${i}`).toBeDefined();
      expect(text(tx.request.method)).toBe(r.method);
      // tshark leaves out a request URI too long for its field (an empty string), and ends
      // the URI at the first space where libhtp takes everything up to the protocol (the
      // http-uri-spaces test below checks that against Suricata)
      const uri = text(tx.request.rawUri);
      if (r.uri !== '') expect(uri.includes(' ') ? uri.slice(0, uri.indexOf(' ')) : uri).toBe(r.uri);
      requests++;
    });
    // interim (1xx) responses are not transactions of their own
    const finals = t.responses.filter((r) => r.code >= 200 || r.code === 101);
    const resps = conn.txs.filter((x) => x.response !== null);
    finals.forEach((r, i) => {
      const tx = resps[i];
      expect(tx, `${file} stream ${stream} response ${i}`).toBeDefined();
      expect(tx.response?.status).toBe(r.code);
      expect(tx.responseHeader('content-type')).toBe(r.contentType);
      responses++;
      if (r.body) {
        expect(
          Buffer.from(tx.response?.body ?? new Uint8Array(0)).equals(r.body),
          `${file} stream ${stream} body ${i}`,
        ).toBe(true);
        bodies++;
      }
    });
  }
  return { requests, responses, bodies };
}

describe('HTTP parser vs tshark', () => {
  it.each([
    ['lab', 'lab-basic.pcap'],
    ['nfstream/pcaps', 'http-manipulated.pcap'],
    ['nfstream/pcaps', 'exe_download.pcap'],
    ['nfstream/pcaps', '1kxun.pcap'],
    ['nfstream/pcaps', 'exe_download_as_png.pcap'],
  ])(
    '%s/%s',
    async (dir, name) => {
      const r = await compare(corpusPath(...dir.split('/'), name));
      expect(r.requests).toBeGreaterThan(0);
      expect(r.responses).toBeGreaterThan(0);
    },
    120_000,
  );

  it('suricata-verify HTTP captures', async () => {
    const root = corpusPath('suricata-verify', 'tests');
    const names = [
      'http-all-headers',
      'http-post-data-decompression',
      'http-raw-header',
      'http-uri-spaces',
      'http-encoding-gzip-uncompressed',
    ];
    let total = 0;
    for (const n of names) {
      const dir = path.join(root, n);
      const pcap = readdirSync(dir).find((f) => f.endsWith('.pcap'));
      if (!pcap) throw new Error(`no pcap in ${dir}`);
      const r = await compare(path.join(dir, pcap));
      total += r.requests;
    }
    expect(total).toBeGreaterThan(0);
  }, 120_000);
});

describe('HTTP parser vs Suricata', () => {
  it('http-uri-spaces: the URI keeps what follows a space (Suricata matches " afterspace" in http_uri)', () => {
    const dir = corpusPath('suricata-verify', 'tests', 'http-uri-spaces');
    const pcap = readdirSync(dir).find((f) => f.endsWith('.pcap')) ?? '';
    const uris = parseFile(path.join(dir, pcap)).flatMap((c) =>
      c.txs.map((t) => text(t.request.normalizedUri)),
    );
    expect(uris.some((u) => u.includes(' afterspace'))).toBe(true);
  });

  it('decodes the evasive bodies Suricata decodes, and no others', () => {
    const root = corpusPath('suricata-verify', 'tests', 'http-evader');
    let agree = 0;
    let missed = 0;
    let falsePositive = 0;
    for (const d of readdirSync(root)) {
      const dir = path.join(root, d);
      const rules = readFileSync(path.join(dir, 'test.rules'), 'utf8');
      const yaml = readFileSync(path.join(dir, 'test.yaml'), 'utf8');
      const m = /count: (\d+)\s+match:\s+event_type: alert\s+alert.signature_id: 1\b/.exec(yaml);
      if (!m || !rules.includes('file_data; content:"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"; sid:1;')) continue;
      const want = Number(m[1]) > 0;
      const pcap = readdirSync(dir).find((f) => f.endsWith('.pcap'));
      if (!pcap) continue;
      let found = false;
      for (const c of parseFile(path.join(dir, pcap))) {
        for (const tx of c.txs) {
          if (
            tx.response?.body &&
            Buffer.from(tx.response.body).includes('EICAR-STANDARD-ANTIVIRUS-TEST-FILE')
          )
            found = true;
        }
      }
      if (found === want) agree++;
      else if (want) missed++;
      else falsePositive++;
    }
    // http-evader EICAR tests: 338; libhtp tolerates evasions we do not reproduce yet (docs/ids-stream-http.md)
    expect(agree + missed + falsePositive).toBe(338);
    expect(falsePositive).toBe(0);
    expect(agree).toBeGreaterThanOrEqual(248);
  }, 300_000);
});
