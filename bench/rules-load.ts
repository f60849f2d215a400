/**
 * Rule loading and detection cost with ET Open:
 *  - loading all ET Open files (parse, compile, prefilter build), best and median of 3 runs;
 *  - prefilter scan throughput of the payload and http.uri automata;
 *  - detector throughput on synthetic TCP packets and HTTP transactions (no decoding, no
 *    stream reassembly: the engine's share of the work is not in these numbers).
 *
 * Run: npx tsx bench/rules-load.ts
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { BufferId, bufferIdByName } from '../src/ids/match/buffers.js';
import { Detector, MatchResult } from '../src/ids/match/detect.js';
import { FlowVars } from '../src/ids/match/flow-vars.js';
import { DetectInput, InputKind } from '../src/ids/match/input.js';
import { Candidates } from '../src/ids/prefilter/prefilter.js';
import { loadRuleFiles } from '../src/ids/rules/loader.js';
import { corpusPath } from '../test/helpers/corpus.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const dir = corpusPath('rules', 'et-open');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.rules'))
  .map((f) => path.join(dir, f));

// --- loading -----------------------------------------------------------------------------
const runs: Array<{ total: number; parse: number; build: number }> = [];
let result = loadRuleFiles(files);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  result = loadRuleFiles(files);
  runs.push({ total: performance.now() - t, parse: result.stats.parseMs, build: result.stats.buildMs });
}
runs.sort((a, b) => a.total - b.total);
const { stats, ruleSet } = result;

// --- synthetic traffic (deterministic) ---------------------------------------------------
let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
const words = [
  'index',
  'login',
  'api',
  'v1',
  'images',
  'static',
  'user',
  'search',
  'php',
  'jquery',
  'min',
  'js',
  'css',
  'update',
  'check',
];
const uri = () =>
  '/' +
  Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => words[Math.floor(rnd() * words.length)]).join('/') +
  (rnd() < 0.5 ? `.php?id=${Math.floor(rnd() * 1e6)}&q=${words[Math.floor(rnd() * words.length)]}` : '.html');
const payload = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rnd() < 0.7 ? 0x61 + Math.floor(rnd() * 26) : Math.floor(rnd() * 256);
  return b;
};
const packets = Array.from({ length: 2000 }, () => payload(200 + Math.floor(rnd() * 1200)));
const uris = Array.from({ length: 2000 }, () => Buffer.from(uri()));
const totalBytes = packets.reduce((a, p) => a + p.length, 0);

// --- prefilter scans ---------------------------------------------------------------------
function scanRate(variant: number, bufs: Buffer[], rounds: number): number {
  const pf = ruleSet.prefilters[variant];
  if (!pf) return 0;
  const c = new Candidates(ruleSet.size);
  const bytes = bufs.reduce((a, b) => a + b.length, 0) * rounds;
  const t = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const b of bufs) {
      c.reset();
      pf.scan(b, c);
    }
  return bytes / 1e6 / ((performance.now() - t) / 1000);
}
/** Calibration: one table lookup per byte, the floor any byte-at-a-time scanner pays here. */
function loopRate(bufs: Buffer[], rounds: number): number {
  const table = new Int32Array(256 * 256);
  const bytes = bufs.reduce((a, b) => a + b.length, 0) * rounds;
  let acc = 0;
  const t = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const b of bufs) {
      let st = 0;
      for (let i = 0; i < b.length; i++) st = table[(st & 0xff) * 256 + b[i]] + b[i];
      acc += st;
    }
  if (acc === -1) console.log(acc);
  return bytes / 1e6 / ((performance.now() - t) / 1000);
}
const calib = loopRate(packets, 5);
const pktScan = scanRate(BufferId.PKT_DATA, packets, 5);
const uriScan = scanRate(BufferId.HTTP_URI, uris, 50);

// --- detector ----------------------------------------------------------------------------
const det = new Detector(ruleSet);
const out = new MatchResult();
const inp = new DetectInput();
function fillPacket(p: Buffer, i: number): void {
  inp.reset();
  inp.kind = InputKind.PACKET;
  inp.ipVersion = 4;
  inp.src = new Uint8Array([192, 168, 1, (i % 200) + 1]);
  inp.dst = new Uint8Array([93, 184, 216, 34]);
  inp.ipProto = 6;
  inp.srcPort = 40000 + (i % 1000);
  inp.dstPort = [80, 443, 8080, 25, 53][i % 5];
  inp.ttl = 64;
  inp.tcpFlags = 0x18;
  inp.hasFlow = true;
  inp.established = true;
  inp.toServer = i % 2 === 0;
  inp.flowVars = new FlowVars();
  inp.payloadLen = p.length;
  inp.buffers.setPacket(BufferId.PKT_DATA, p);
}
let matched = 0;
let t0 = performance.now();
const pktRounds = 3;
for (let r = 0; r < pktRounds; r++)
  for (let i = 0; i < packets.length; i++) {
    fillPacket(packets[i], i);
    det.detect(inp, out);
    matched += out.count;
  }
let secs = (performance.now() - t0) / 1000;
const pps = (packets.length * pktRounds) / secs;
const mbps = (totalBytes * pktRounds * 8) / 1e6 / secs;

const method = bufferIdByName('http.method')!;
const host = bufferIdByName('http.host')!;
const ua = bufferIdByName('http.user_agent')!;
const hdr = bufferIdByName('http.header')!;
const txs = uris.map((u, i) => ({
  uri: u,
  method: Buffer.from(i % 3 ? 'GET' : 'POST'),
  host: Buffer.from(`${words[i % words.length]}.example.com`),
  ua: Buffer.from('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36'),
  hdr: Buffer.from(
    `Host: ${words[i % words.length]}.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n`,
  ),
}));
t0 = performance.now();
const txRounds = 3;
for (let r = 0; r < txRounds; r++)
  for (let i = 0; i < txs.length; i++) {
    fillPacket(packets[i], i);
    inp.buffers.clear();
    inp.kind = InputKind.TX;
    inp.appProto = 'http';
    inp.toServer = true;
    inp.dstPort = 80;
    const t = txs[i];
    inp.buffers.set(BufferId.HTTP_URI, true, t.uri);
    inp.buffers.set(BufferId.HTTP_URI_RAW, true, t.uri);
    inp.buffers.set(method, true, t.method);
    inp.buffers.set(host, true, t.host);
    inp.buffers.set(ua, true, t.ua);
    inp.buffers.set(hdr, true, t.hdr);
    det.detect(inp, out);
    matched += out.count;
  }
secs = (performance.now() - t0) / 1000;
const txps = (txs.length * txRounds) / secs;

const fmt = (n: number, d = 0) => n.toFixed(d);
const rows: (string | number)[][] = [
  ['ET Open rule files', stats.files],
  ['enabled rules', stats.enabled],
  ['loaded', `${stats.loaded} (${fmt((100 * stats.loaded) / stats.enabled, 2)}%)`],
  ['load time, best of 3 (ms)', fmt(runs[0].total)],
  ['load time, median of 3 (ms)', fmt(runs[1].total)],
  ['  of which parse + compile (ms, best run)', fmt(runs[0].parse)],
  ['  of which prefilter build (ms, best run)', fmt(runs[0].build)],
  ['pkt_data prefilter patterns', ruleSet.prefilters[BufferId.PKT_DATA]?.patternCount ?? 0],
  ['http.uri prefilter patterns', ruleSet.prefilters[BufferId.HTTP_URI]?.patternCount ?? 0],
  ['calibration: one table lookup per byte (MB/s)', fmt(calib)],
  ['pkt_data prefilter scan (MB/s)', fmt(pktScan)],
  ['http.uri prefilter scan (MB/s)', fmt(uriScan)],
  ['detector, synthetic TCP packets (packets/s)', fmt(pps)],
  ['detector, synthetic TCP packets (Mbit/s of payload)', fmt(mbps)],
  ['detector, synthetic HTTP requests (transactions/s)', fmt(txps)],
];
const peer = toolVersion('suricata', ['-V']);
const table = markdownTable(['measure', 'value'], rows);
console.log(table);
console.log(`(matches seen: ${matched}; suricata: ${peer})`);
writeResults(
  'rules-load',
  'IDS rules: ET Open load, prefilter and detector (bench/rules-load.ts)',
  `${table}\n\nPeer: Suricata is not packaged for this machine (\`suricata -V\`: ${peer}), so no side-by-side run; ` +
    'the issue asks for the whole ET Open set to load in under 10 s. Detector figures use synthetic ' +
    'payloads (70% lower-case letters) and HTTP requests, one core, without packet decoding or stream ' +
    'reassembly. The machine has 2 cores shared with other jobs: expect noise.',
);
