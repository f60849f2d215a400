/**
 * TCP reassembly and HTTP parsing throughput on a capture, side by side with tshark in the
 * same run (`tshark -q -z follow,tcp,raw,0`, which reassembles every TCP stream to find one,
 * and `tshark -q -z http,tree`, which dissects HTTP over reassembled streams).
 *
 *   npx tsx bench/stream-http.ts [capture.pcap]
 *
 * Without an argument the capture is bench/.data/stream-http.pcap: corpus captures with HTTP
 * (lab-basic, nfstream exe_download, 1kxun, http-manipulated) appended with `mergecap -a`
 * eight times.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowTable } from '../src/flow/table.js';
import { HttpParser } from '../src/ids/app/http/parser.js';
import { HttpStats } from '../src/ids/app/http/stats.js';
import { streamConfig } from '../src/ids/stream/config.js';
import { TcpSession } from '../src/ids/stream/session.js';
import { StreamStats } from '../src/ids/stream/stats.js';
import { Decoder } from '../src/packet/decoder.js';
import { readCaptureBuffer } from '../src/packet/file/reader.js';
import { Layer } from '../src/packet/layers/constants.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';
import { median } from './lib/stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.join(HERE, '.data');
const CORPUS = path.resolve(HERE, '..', '..', 'shared', 'corpus');
const RUNS = 5;

function ensureCapture(arg: string | undefined): string {
  if (arg) return arg;
  const file = path.join(DATA, 'stream-http.pcap');
  if (existsSync(file)) return file;
  mkdirSync(DATA, { recursive: true });
  const parts = [
    path.join(CORPUS, 'lab', 'lab-basic.pcap'),
    path.join(CORPUS, 'nfstream', 'pcaps', 'exe_download.pcap'),
    path.join(CORPUS, 'nfstream', 'pcaps', '1kxun.pcap'),
    path.join(CORPUS, 'nfstream', 'pcaps', 'http-manipulated.pcap'),
  ];
  const all: string[] = [];
  for (let i = 0; i < 8; i++) all.push(...parts);
  execFileSync('mergecap', ['-F', 'pcap', '-a', '-w', file, ...all]);
  return file;
}

const METHODS = ['GET ', 'POST', 'HEAD', 'PUT ', 'DELE', 'OPTI', 'CONN', 'PATC'];

/** Decode + flow table + reassembly (+ HTTP when `http`): seconds, stream bytes, transactions. */
function run(
  bytes: Buffer,
  http: boolean,
): { secs: number; streamBytes: number; txs: number; packets: number } {
  const cfg = streamConfig({ midstream: true });
  const sstats = new StreamStats();
  const hstats = new HttpStats();
  const sessions: (TcpSession | undefined)[] = [];
  // per slot: 0 undecided, 1 HTTP, 2 not HTTP
  const kind: number[] = [];
  const parsers: (HttpParser | undefined)[] = [];
  const dec = new Decoder();
  const table = new FlowTable({});
  let streamBytes = 0;
  let packets = 0;
  const t0 = performance.now();
  readCaptureBuffer(bytes, (rec) => {
    packets++;
    const p = dec.decode(rec);
    if ((p.layers & Layer.TCP) === 0) {
      table.update(p);
      return;
    }
    const st = table.update(p);
    if (st === null) return;
    const slot = st.slot;
    let s = sessions[slot];
    if (s === undefined) {
      s = new TcpSession(cfg, sstats);
      sessions[slot] = s;
    }
    if (st.isNew) {
      s.reset();
      kind[slot] = 0;
      parsers[slot] = undefined;
    }
    const d = st.direction;
    if (s.handlePacket(p, d, 0) === 0 && s.available(d) === 0) return;
    for (;;) {
      const gap = s.takeGap(d);
      if (gap > 0) parsers[slot]?.gap(d === 0, gap);
      const v = s.read(d);
      if (v.length === 0) break;
      streamBytes += v.length;
      if (http) {
        if (kind[slot] === 0 && d === 0 && v.length >= 4) {
          const head = String.fromCharCode(v[0], v[1], v[2], v[3]);
          kind[slot] = METHODS.includes(head) ? 1 : 2;
          if (kind[slot] === 1) parsers[slot] = new HttpParser({}, hstats);
        }
        const hp = parsers[slot];
        if (hp !== undefined) {
          hp.feed(d === 0, v);
          hp.clearEvents();
        }
      }
      s.consume(d, v.length);
    }
  });
  return { secs: (performance.now() - t0) / 1000, streamBytes, txs: hstats.transactions, packets };
}

function timeTshark(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync('tshark', argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.status !== 0) throw new Error(`tshark ${argv.join(' ')} failed`);
  return (performance.now() - t0) / 1000;
}

function main(): void {
  const file = ensureCapture(process.argv[2]);
  const bytes = readFileSync(file);
  const load = os.loadavg()[0];
  const base: number[] = [];
  const reasm: number[] = [];
  const withHttp: number[] = [];
  let info = { secs: 0, streamBytes: 0, txs: 0, packets: 0 };
  // warm-up: the first pass pays for JIT compilation
  run(bytes, true);
  for (let r = 0; r < RUNS; r++) {
    // decode + flow table only, to separate the stream engine's own cost
    const dec = new Decoder();
    const table = new FlowTable({});
    const t0 = performance.now();
    readCaptureBuffer(bytes, (rec) => {
      table.update(dec.decode(rec));
    });
    base.push((performance.now() - t0) / 1000);
    reasm.push(run(bytes, false).secs);
    info = run(bytes, true);
    withHttp.push(info.secs);
  }
  const tsFollow = timeTshark(['-r', file, '-q', '-z', 'follow,tcp,raw,0']);
  const tsHttp = timeTshark(['-r', file, '-q', '-z', 'http,tree']);
  const mb = info.streamBytes / 1e6;
  const fileMb = bytes.length / 1e6;
  const rows = [
    ['decode + flow table (baseline)', median(base).toFixed(2), '', ''],
    [
      'decode + flow table + TCP reassembly',
      median(reasm).toFixed(2),
      (mb / median(reasm)).toFixed(0),
      (mb / Math.max(1e-9, median(reasm) - median(base))).toFixed(0),
    ],
    [
      '... + HTTP parsing (de-chunk, gunzip, URI normalization)',
      median(withHttp).toFixed(2),
      (mb / median(withHttp)).toFixed(0),
      (mb / Math.max(1e-9, median(withHttp) - median(base))).toFixed(0),
    ],
    ['tshark -q -z follow,tcp,raw,0', tsFollow.toFixed(2), (mb / tsFollow).toFixed(0), ''],
    ['tshark -q -z http,tree', tsHttp.toFixed(2), (mb / tsHttp).toFixed(0), ''],
  ];
  const table = markdownTable(
    ['run', 'seconds', 'stream MB/s (whole run)', 'stream MB/s (above baseline)'],
    rows,
  );
  const body =
    `Capture: ${path.basename(file)} (${info.packets.toLocaleString('en-US')} packets, ${fileMb.toFixed(1)} MB; ` +
    `${mb.toFixed(1)} MB of reassembled TCP stream data, ${info.txs.toLocaleString('en-US')} HTTP transactions), ` +
    `read from memory, one thread; median of ${RUNS} runs after a warm-up pass. tshark (${toolVersion('tshark').split('\n')[0]}) reads the ` +
    `file and dissects every packet, so its time is the whole job, ours the engine's share of it. ` +
    `Load average at start: ${load.toFixed(1)} (2 cores shared with other work: numbers are noisy).\n\n${table}`;
  console.log(body);
  writeResults('stream-http', 'TCP reassembly and HTTP parsing (bench/stream-http.ts)', body);
}

main();
