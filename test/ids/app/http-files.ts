/**
 * Test helpers: the HTTP transactions of a capture as our parser sees them (reassembly +
 * HttpParser) and as tshark dissects them (the oracle).
 */
import { HttpParser } from '../../../src/ids/app/http/parser.js';
import type { HttpTransaction } from '../../../src/ids/app/http/transaction.js';
import { runCommand } from '../../../src/sys/exec.js';
import { reassembleFile } from '../stream/follow.js';

export interface ConnTxs {
  txs: HttpTransaction[];
  parser: HttpParser;
  node0: string;
}

/** Every connection of `file` with the transactions its parser produced (bodies unlimited). */
export function parseFile(file: string): ConnTxs[] {
  const out: ConnTxs[] = [];
  const get = (i: number) => {
    while (out.length <= i) {
      out.push({
        txs: [],
        parser: new HttpParser({ requestBodyLimit: 0, responseBodyLimit: 0, decompressLimit: 0 }),
        node0: '',
      });
    }
    return out[i];
  };
  const collect = (c: ConnTxs) => {
    for (let k = 0; k < c.parser.eventCount; k++) {
      const tx = c.parser.events[k].tx;
      if (!c.txs.includes(tx)) c.txs.push(tx);
    }
    c.parser.clearEvents();
  };
  const conns = reassembleFile(file, { midstream: true, depth: 0 }, undefined, {
    data: (i, d, bytes) => {
      const c = get(i);
      c.parser.feed(d === 0, bytes);
      collect(c);
    },
    end: (i, d) => {
      const c = get(i);
      c.parser.end(d === 0);
      collect(c);
    },
  });
  conns.forEach((c, i) => {
    get(i).node0 = c.node0;
  });
  for (const c of out) c.txs.sort((a, b) => a.id - b.id);
  return out;
}

export interface TsharkHttp {
  stream: number;
  requests: { method: string; uri: string }[];
  responses: { code: number; contentType?: string; body?: Buffer }[];
}

/** tshark's HTTP requests and responses per TCP stream, bodies de-chunked and decompressed. */
export async function tsharkHttp(file: string): Promise<Map<number, TsharkHttp>> {
  const r = await runCommand(
    [
      'tshark',
      '-r',
      file,
      '-Y',
      'http',
      '-T',
      'json',
      '-x',
      '-J',
      'http tcp',
      '-o',
      'http.desegment_body:TRUE',
      '-o',
      'http.dechunk_body:TRUE',
      '-o',
      'http.decompress_body:TRUE',
      '-o',
      'tcp.desegment_tcp_streams:TRUE',
    ],
    { timeoutMs: 300_000 },
  );
  const packets = JSON.parse(r.stdout) as Array<{ _source: { layers: Record<string, unknown> } }>;
  const out = new Map<number, TsharkHttp>();
  for (const p of packets) {
    const layers = p._source.layers;
    const tcp = layers.tcp as Record<string, unknown> | undefined;
    const stream = Number(tcp?.['tcp.stream']);
    // pipelined messages in one segment give an array of http layers
    const https = ([] as unknown[]).concat(layers.http ?? []) as Record<string, unknown>[];
    for (const h of https) {
      let e = out.get(stream);
      if (!e) {
        e = { stream, requests: [], responses: [] };
        out.set(stream, e);
      }
      let method: string | undefined;
      let uri: string | undefined;
      let code: number | undefined;
      for (const [k, v] of Object.entries(h)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          const o = v as Record<string, unknown>;
          if ('http.request.method' in o) {
            method = String(o['http.request.method']);
            uri = String(o['http.request.uri']);
          }
          if ('http.response.code' in o) code = Number(o['http.response.code']);
        }
        void k;
      }
      const raw = h['http.file_data_raw'] as unknown[] | undefined;
      const body = raw ? Buffer.from(String(raw[0]), 'hex') : undefined;
      const ct = h['http.content_type'] as string | undefined;
      if (method !== undefined) e.requests.push({ method, uri: uri ?? '' });
      if (code !== undefined) e.responses.push({ code, contentType: ct, body });
    }
  }
  return out;
}
