/**
 * Live capture throughput: packets/s that Sentra's LiveCapture takes in without losing any, on
 * a veth pair between two namespaces this script creates, next to `tcpdump -w /dev/null` on
 * the same interface, filter and kernel buffer size, in the same run.
 *
 *   npx tsx bench/capture.ts [--quick]
 *
 * The generator is this same file run as a child (`--generate`): it writes 60-byte UDP frames
 * with LiveCapture.inject on namespace `gen`'s end, paced to a target rate (or as fast as it
 * can), bounded by a packet count. The frames are addressed to `cap`'s MAC but to an IP it
 * does not own, so `cap`'s kernel drops them after the capture taps without answering.
 * Each trial: start the capture, run the generator, wait for the capture to drain, read its
 * counters. Sentra's callback counts packets and bytes (tcpdump writes them to /dev/null).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LiveCapture } from '../src/capture/index.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const execFileP = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const FILTER = 'udp and dst port 9';
const BUFFER_KIB = 8192; // default buffering for both tools (tcpdump -B is in KiB)
const SNAPLEN = 1600; // whole frames, and small enough that Sentra's batches can be small too

interface GenSpec {
  netns: string;
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  count: number;
  rate: number; // packets/s, 0 = as fast as possible, -1 = two generators as fast as possible
  size: number; // frame bytes (without FCS), 60-1514
  bufferKiB: number; // total buffering each tool gets
}

interface GenResult {
  sent: number;
  errors: number;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// generator (child process)

function frame(spec: GenSpec): Uint8Array {
  const f = new Uint8Array(spec.size);
  const mac = (s: string) => s.split(':').map((x) => Number.parseInt(x, 16));
  const ip = (s: string) => s.split('.').map(Number);
  f.set(mac(spec.dstMac), 0);
  f.set(mac(spec.srcMac), 6);
  f[12] = 0x08; // IPv4
  const ipHdr = 14;
  f[ipHdr] = 0x45;
  const ipLen = spec.size - 14;
  f[ipHdr + 2] = ipLen >> 8;
  f[ipHdr + 3] = ipLen & 0xff;
  f[ipHdr + 8] = 64;
  f[ipHdr + 9] = 17; // UDP
  f.set(ip(spec.srcIp), ipHdr + 12);
  f.set(ip(spec.dstIp), ipHdr + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (f[ipHdr + i] << 8) | f[ipHdr + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  f[ipHdr + 10] = c >> 8;
  f[ipHdr + 11] = c & 0xff;
  const udp = ipHdr + 20;
  f[udp] = 0x30; // source port 12345
  f[udp + 1] = 0x39;
  f[udp + 3] = 9; // destination port 9 (discard)
  f[udp + 4] = (ipLen - 20) >> 8; // UDP length; checksum 0 (none)
  f[udp + 5] = (ipLen - 20) & 0xff;
  return f;
}

function generate(spec: GenSpec): GenResult {
  const tx = LiveCapture.open('eth0', { netns: spec.netns, filter: 'less 1' });
  const f = frame(spec);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const start = process.hrtime.bigint();
  let sent = 0;
  let errors = 0;
  while (sent + errors < spec.count) {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed > 30) break; // bounded in time as well as in count
    const due = spec.rate > 0 ? Math.min(spec.count, Math.floor(elapsed * spec.rate) + 1) : spec.count;
    while (sent + errors < due) {
      try {
        tx.inject(f);
        sent++;
      } catch {
        errors++;
      }
      if (spec.rate === 0 && (sent & 1023) === 0) break;
    }
    if (spec.rate > 0) Atomics.wait(nap, 0, 0, 0.2);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  tx.close();
  return { sent, errors, seconds };
}

// ---------------------------------------------------------------------------------------------
// orchestration

async function sh(argv: string[]): Promise<string> {
  const { stdout } = await execFileP(argv[0], argv.slice(1), { timeout: 60_000 });
  return stdout;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function rxPackets(ns: string): Promise<number> {
  const j = JSON.parse(await sh(['ip', '-n', ns, '-s', '-j', 'link', 'show', 'eth0'])) as {
    stats64: { rx: { packets: number } };
  }[];
  return j[0].stats64.rx.packets;
}

/** Runs the generator; rate -1 runs two at once, each sending half, flat out. */
async function runGenerator(spec: GenSpec): Promise<GenResult> {
  if (spec.rate >= 0) return runOneGenerator(spec);
  const half = { ...spec, rate: 0, count: Math.floor(spec.count / 2) };
  const [a, b] = await Promise.all([runOneGenerator(half), runOneGenerator(half)]);
  return { sent: a.sent + b.sent, errors: a.errors + b.errors, seconds: Math.max(a.seconds, b.seconds) };
}

function runOneGenerator(spec: GenSpec): Promise<GenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--generate', JSON.stringify(spec)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) reject(new Error(`generator exited ${code}`));
      else resolve(JSON.parse(out.trim()) as GenResult);
    });
  });
}

interface Trial {
  tool: string;
  rate: number;
  size: number;
  bufferKiB: number;
  gen: GenResult;
  arrived: number;
  captured: number;
  droppedKernel: number;
  droppedOwn: number;
  cpuSeconds: number;
}

async function trialSentra(spec: GenSpec): Promise<Trial> {
  const rx0 = await rxPackets(NS.cap);
  // the same total buffering as tcpdump -B: Sentra's kernel buffer plus its own queue
  const total = spec.bufferKiB * 1024;
  const queueBytes = total >= 4 * 1024 * 1024 ? 1024 * 1024 : Math.max(65536, total / 2);
  const cap = LiveCapture.open('eth0', {
    netns: NS.cap,
    filter: FILTER,
    snaplen: SNAPLEN,
    bufferSize: total - queueBytes,
    queueBytes,
    batchBytes: Math.min(1024 * 1024, queueBytes / 2),
  });
  let n = 0;
  let bytes = 0;
  cap.onPacket((r) => {
    n++;
    bytes += r.capLen;
  });
  const cpu0 = process.cpuUsage();
  const gen = await runGenerator(spec);
  // drained: the counters stop moving
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const s = cap.stats();
    if (s.captured === last && s.delivered + s.droppedBuffer === s.captured) break;
    last = s.captured;
  }
  const cpu = process.cpuUsage(cpu0);
  const s = cap.stats();
  cap.close();
  const arrived = (await rxPackets(NS.cap)) - rx0;
  if (bytes !== n * spec.size) throw new Error('byte count mismatch');
  return {
    tool: 'sentra LiveCapture',
    rate: spec.rate,
    size: spec.size,
    bufferKiB: spec.bufferKiB,
    gen,
    arrived,
    captured: n,
    droppedKernel: s.droppedKernel,
    droppedOwn: s.droppedBuffer,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

function procCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
}

async function trialTcpdump(spec: GenSpec): Promise<Trial> {
  const rx0 = await rxPackets(NS.cap);
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      NS.cap,
      'tcpdump',
      '-i',
      'eth0',
      '-n',
      '-B',
      String(spec.bufferKiB),
      '-s',
      String(SNAPLEN),
      '-w',
      '/dev/null',
      FILTER,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 100 && !stderr.includes('listening on'); i++) await sleep(50);
  if (!stderr.includes('listening on')) throw new Error(`tcpdump did not start: ${stderr}`);
  const cpu0 = procCpuSeconds(child.pid!);
  const gen = await runGenerator(spec);
  await sleep(1500); // tcpdump's 1 s kernel timeout: let the last block reach it
  const cpu = procCpuSeconds(child.pid!) - cpu0;
  child.kill('SIGINT');
  await exited;
  const num = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? Number.NaN);
  const arrived = (await rxPackets(NS.cap)) - rx0;
  return {
    tool: 'tcpdump -w /dev/null',
    rate: spec.rate,
    size: spec.size,
    bufferKiB: spec.bufferKiB,
    gen,
    arrived,
    captured: num(/(\d+) packets? captured/),
    droppedKernel: num(/(\d+) packets? dropped by kernel/),
    droppedOwn: 0,
    cpuSeconds: cpu,
  };
}

function rateLabel(rate: number): string {
  return rate > 0 ? rate.toLocaleString('en-US') : rate === 0 ? 'max' : 'max x2';
}

const NS = { gen: `snt-${process.pid}-bench-gen`, cap: `snt-${process.pid}-bench-cap` };

async function setup(): Promise<{ macGen: string; macCap: string; net: string }> {
  const net = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
  await sh(['ip', 'netns', 'add', NS.gen]);
  await sh(['ip', 'netns', 'add', NS.cap]);
  const a = `bg${process.pid % 100000}`;
  const b = `bc${process.pid % 100000}`;
  await sh(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  await sh(['ip', 'link', 'set', a, 'netns', NS.gen]);
  await sh(['ip', 'link', 'set', b, 'netns', NS.cap]);
  await sh(['ip', '-n', NS.gen, 'link', 'set', a, 'name', 'eth0']);
  await sh(['ip', '-n', NS.cap, 'link', 'set', b, 'name', 'eth0']);
  await sh(['ip', '-n', NS.gen, 'addr', 'add', `${net}.1/24`, 'dev', 'eth0']);
  await sh(['ip', '-n', NS.cap, 'addr', 'add', `${net}.2/24`, 'dev', 'eth0']);
  for (const ns of [NS.gen, NS.cap]) {
    await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    await sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
  }
  const mac = async (ns: string) =>
    (JSON.parse(await sh(['ip', '-n', ns, '-j', 'link', 'show', 'eth0'])) as { address: string }[])[0]
      .address;
  return { macGen: await mac(NS.gen), macCap: await mac(NS.cap), net };
}

async function teardown(): Promise<void> {
  for (const ns of [NS.gen, NS.cap]) await sh(['ip', 'netns', 'del', ns]).catch(() => undefined);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const plan: { size: number; rates: number[]; maxCount: number; bufferKiB: number }[] = quick
    ? [{ size: 60, rates: [50_000, 0], maxCount: 200_000, bufferKiB: BUFFER_KIB }]
    : [
        { size: 60, rates: [50_000, 100_000, 200_000, 0, -1], maxCount: 400_000, bufferKiB: BUFFER_KIB },
        { size: 1514, rates: [25_000, 50_000, 100_000, 0, -1], maxCount: 200_000, bufferKiB: BUFFER_KIB },
        // small buffers: lag of the capturing process shows up as loss
        { size: 60, rates: [0, -1], maxCount: 400_000, bufferKiB: 256 },
      ];
  const seconds = quick ? 1 : 2;
  const cleanup = () => {
    void teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  const env = await setup();
  const load = os.loadavg()[0].toFixed(1);
  const trials: Trial[] = [];
  try {
    for (const { size, rates, maxCount, bufferKiB } of plan) {
      for (const rate of rates) {
        const spec: GenSpec = {
          netns: NS.gen,
          srcMac: env.macGen,
          dstMac: env.macCap,
          srcIp: `${env.net}.1`,
          dstIp: `${env.net}.99`, // on the link, owned by nobody: dropped by cap's kernel after the taps
          count: rate > 0 ? rate * seconds : rate === 0 ? maxCount : 2 * maxCount,
          rate,
          size,
          bufferKiB,
        };
        for (const run of [trialSentra, trialTcpdump]) {
          const t = await run(spec);
          trials.push(t);
          const lost = t.gen.sent - t.captured;
          console.log(
            `${size} B ${bufferKiB} KiB ${rateLabel(rate).padStart(7)} pps  ${t.tool.padEnd(22)} sent ${t.gen.sent} in ${t.gen.seconds.toFixed(2)} s, ` +
              `arrived ${t.arrived}, captured ${t.captured}, kernel drops ${t.droppedKernel}, own drops ${t.droppedOwn}, lost ${lost}, cpu ${t.cpuSeconds.toFixed(2)} s`,
          );
        }
      }
    }
  } finally {
    await teardown();
  }

  const rows = trials.map((t) => {
    const achieved = Math.round(t.gen.sent / t.gen.seconds);
    const lost = t.gen.sent - t.captured;
    return [
      t.size,
      t.bufferKiB,
      rateLabel(t.rate),
      achieved.toLocaleString('en-US'),
      t.tool,
      t.gen.sent,
      t.arrived,
      t.captured,
      t.droppedKernel,
      t.tool.startsWith('sentra') ? t.droppedOwn : '-',
      `${((100 * lost) / Math.max(1, t.gen.sent)).toFixed(2)} %`,
      t.cpuSeconds.toFixed(2),
    ];
  });
  const best = (tool: string, size: number) => {
    const ok = trials.filter(
      (t) => t.tool === tool && t.size === size && t.bufferKiB === BUFFER_KIB && t.captured === t.gen.sent,
    );
    return ok.length === 0 ? 0 : Math.max(...ok.map((t) => Math.round(t.gen.sent / t.gen.seconds)));
  };
  const table = markdownTable(
    [
      'frame B',
      'buffer KiB',
      'target pps',
      'sent pps',
      'tool',
      'sent',
      'arrived (rx)',
      'captured',
      'kernel drops',
      'Sentra buffer drops',
      'lost',
      'capture CPU s',
    ],
    rows,
  );
  const sizes = [...new Set(plan.map((p) => p.size))];
  const tools = ['sentra LiveCapture', 'tcpdump -w /dev/null'];
  const nsPerPacket = (tool: string) => {
    const ts = trials.filter((t) => t.tool === tool && t.bufferKiB === BUFFER_KIB);
    const cpu = ts.reduce((s, t) => s + t.cpuSeconds, 0);
    const pkts = ts.reduce((s, t) => s + t.captured, 0);
    return Math.round((cpu * 1e9) / Math.max(1, pkts));
  };
  const smallLoss = (tool: string) =>
    trials
      .filter((t) => t.tool === tool && t.bufferKiB !== BUFFER_KIB)
      .map((t) => `${rateLabel(t.rate)}: ${((100 * (t.gen.sent - t.captured)) / t.gen.sent).toFixed(2)} %`)
      .join(', ');
  const summary = markdownTable(
    [
      'tool',
      ...sizes.map((z) => `${z}-byte frames: highest rate without loss (pps), ${BUFFER_KIB} KiB`),
      'CPU per packet (ns, capturing process)',
      'loss with 256 KiB buffering, 60-byte frames',
    ],
    tools.map((tool) => [
      tool,
      ...sizes.map((z) => best(tool, z).toLocaleString('en-US')),
      nsPerPacket(tool),
      smallLoss(tool) || '-',
    ]),
  );
  const fastest = Math.max(...trials.map((t) => Math.round(t.gen.sent / t.gen.seconds)));
  const body = `UDP frames (${sizes.join(' and ')} bytes) injected on one end of a veth pair (namespace \`gen\`),
captured on the other end (namespace \`cap\`) with filter \`${FILTER}\`, one tool at a time, with
the same buffering for both (tcpdump \`-B\`; for Sentra its kernel buffer plus its own queue:
with backpressure, the default, both hold packets), ${seconds} s per paced trial (\`max\`: a fixed
count as fast as one generator goes; \`max x2\`: two generators at once, which leaves the
capturing tool fighting them for the 2 cores; the fastest sending was ${fastest.toLocaleString('en-US')} pps).
When a tool loses nothing even at \`max\`, its limit is above what this generator can send
here: the figure is then a lower bound. "capture CPU s" is the capturing process's own CPU
time; the kernel's copy into the capture ring is charged to the sender's softirq.
Sentra's callback counts packets and bytes; tcpdump writes to /dev/null. "arrived" is the
veth's rx counter; "lost" = sent - captured; snaplen ${SNAPLEN} for both. Peers: ${toolVersion('tcpdump', ['--version'])}.
The generator, the capturing tool and the kernel's veth work share the machine's 2 cores (with
whatever else ran on it at the time: the 1-minute load average was ${load} when the run began,
so numbers are noisy), and the "max" rows measure the whole machine as much as the tool.

${summary}

${table}`;
  console.log(`\n${summary}\n\n${table}`);
  writeResults('capture', 'Live capture: packets/s without loss (LiveCapture vs tcpdump)', body);
}

if (process.argv[2] === '--generate') {
  const r = generate(JSON.parse(process.argv[3]) as GenSpec);
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  main().catch(async (e) => {
    console.error(e);
    await teardown();
    process.exit(1);
  });
}
