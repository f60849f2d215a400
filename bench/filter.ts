/**
 * Capture-filter benchmark: a filtered read of a large capture, Sentra against tcpdump doing
 * the same work in the same run (`tcpdump -r FILE -w /dev/null EXPR`: read, filter, write the
 * matches). The capture is the lab capture repeated until it holds at least 250,000 packets,
 * written to a temporary folder. Each measurement is the best of a few runs; the match counts
 * of both tools are checked to be equal.
 *
 * Run: npx tsx bench/filter.ts [--repeat N]
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileFilter } from '../src/packet/filter/index.js';
import { PcapWriter, readCapture, readCaptureBuffer } from '../src/packet/index.js';
import { runCommand } from '../src/sys/exec.js';
import { corpusPath } from '../test/helpers/corpus.js';
import { markdownTable, RESULTS_FILE, toolVersion, writeResults } from './lib/results.js';

const EXPRESSIONS = [
  'tcp',
  'port 80',
  'host 10.77.0.3',
  'tcp[tcpflags] & tcp-syn != 0',
  'net 10.77.0.0/24 and portrange 1-1024',
  'not port 22 and (udp or icmp or ip6)',
  'tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420',
];
const MIN_PACKETS = 250_000;
const RUNS = 3;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function makeCapture(dir: string): Promise<{ file: string; packets: number }> {
  const src = readFileSync(corpusPath('lab', 'lab-basic.pcap'));
  let perCopy = 0;
  readCaptureBuffer(src, () => {
    perCopy++;
  });
  const copies = arg('--repeat', Math.ceil(MIN_PACKETS / perCopy));
  const file = path.join(dir, 'big.pcap');
  const w = new PcapWriter(createWriteStream(file), { linkType: 1 }, true);
  let packets = 0;
  for (let c = 0; c < copies; c++) {
    readCaptureBuffer(src, (rec) => {
      rec.tsSec += c * 60; // keep time moving forward from copy to copy
      w.write(rec);
      packets++;
    });
    await w.drain();
  }
  await w.close();
  return { file, packets };
}

async function best<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  let seconds = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    value = await fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s < seconds) seconds = s;
  }
  return { seconds, value: value as T };
}

/** Sentra: read the file, filter, write the matches to /dev/null (what tcpdump -w does). */
async function sentraFiltered(file: string, expr: string): Promise<number> {
  const f = compileFilter(expr, 1);
  const w = new PcapWriter(createWriteStream('/dev/null'), { linkType: 1 }, true);
  let n = 0;
  await readCapture(file, (rec) => {
    if (f.matchRecord(rec)) {
      w.write(rec);
      n++;
    }
  });
  await w.close();
  return n;
}

/** Sentra: read and filter, counting the matches (the cost of the filter without writing). */
async function sentraCounted(file: string, expr: string): Promise<number> {
  const f = compileFilter(expr, 1);
  let n = 0;
  await readCapture(file, (rec) => {
    if (f.matchRecord(rec)) n++;
  });
  return n;
}

async function tcpdumpFiltered(file: string, expr: string): Promise<void> {
  await runCommand(['tcpdump', '-r', file, '-w', '/dev/null', '--', expr], { timeoutMs: 300_000 });
}

async function tcpdumpCount(file: string, expr: string): Promise<number> {
  const r = await runCommand(['tcpdump', '--count', '-r', file, '--', expr], { timeoutMs: 300_000 });
  const m = /(\d+) packets?/.exec(r.stdout);
  if (!m) throw new Error(`tcpdump --count printed ${JSON.stringify(r.stdout)}`);
  return Number(m[1]);
}

/** The predicate alone over packets already in memory, in packets per second. */
function predicateOnly(bytes: Uint8Array, expr: string): number {
  const f = compileFilter(expr, 1);
  const offs: number[] = [];
  const caps: number[] = [];
  const lens: number[] = [];
  readCaptureBuffer(bytes, (r) => {
    offs.push(r.offset ?? 0);
    caps.push(r.capLen);
    lens.push(r.origLen);
  });
  const o = Int32Array.from(offs);
  const c = Int32Array.from(caps);
  const l = Int32Array.from(lens);
  let bestRate = 0;
  let sink = 0;
  for (let run = 0; run < RUNS + 2; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < o.length; i++) if (f.matchAt(bytes, o[i], c[i], l[i])) sink++;
    const rate = o.length / (Number(process.hrtime.bigint() - t0) / 1e9);
    if (rate > bestRate) bestRate = rate;
  }
  if (sink < 0) console.log(sink);
  return bestRate;
}

const mpps = (packets: number, seconds: number) => (packets / seconds / 1e6).toFixed(2);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sentra-bench-filter-'));
  try {
    const { file, packets } = await makeCapture(dir);
    const size = statSync(file).size;
    console.log(`capture: ${packets} packets, ${(size / 2 ** 20).toFixed(1)} MiB (lab-basic.pcap repeated)`);
    const readOnly = await best(async () => {
      let n = 0;
      await readCapture(file, () => {
        n++;
      });
      return n;
    });
    const bytes = readFileSync(file);
    const rows: (string | number)[][] = [];
    for (const expr of EXPRESSIONS) {
      const ours = await best(() => sentraFiltered(file, expr));
      const counted = await best(() => sentraCounted(file, expr));
      const theirs = await best(() => tcpdumpFiltered(file, expr));
      const count = await tcpdumpCount(file, expr);
      if (count !== ours.value || count !== counted.value) {
        throw new Error(`${expr}: sentra matched ${ours.value}/${counted.value}, tcpdump ${count}`);
      }
      const pred = predicateOnly(bytes, expr);
      rows.push([
        `\`${expr}\``,
        count,
        mpps(packets, ours.seconds),
        mpps(packets, theirs.seconds),
        `${(theirs.seconds / ours.seconds).toFixed(2)}x`,
        mpps(packets, counted.seconds),
        (pred / 1e6).toFixed(1),
      ]);
      console.log(rows[rows.length - 1].join('  '));
    }
    const headers = [
      'expression',
      'matches (both)',
      'Sentra read+filter+write Mpkt/s',
      'tcpdump -r -w /dev/null Mpkt/s',
      'Sentra speed vs tcpdump',
      'Sentra read+filter, count only Mpkt/s',
      'Sentra predicate only Mpkt/s',
    ];
    const table = markdownTable(headers, rows);
    console.log(`\n${table}\n`);
    console.log(`Sentra read only (no filter): ${mpps(packets, readOnly.seconds)} Mpkt/s`);
    writeResults(
      'filter',
      'Capture filters (bench/filter.ts)',
      [
        `Capture: ${packets} packets, ${(size / 2 ** 20).toFixed(1)} MiB (lab-basic.pcap repeated), read from a file in the page cache.`,
        `Peer: ${toolVersion('tcpdump', ['--version'])}, with \`tcpdump -r FILE -w /dev/null EXPR\` (process start included, about 10 ms).`,
        `Sentra reads with \`readCapture\`, tests each packet with \`compileFilter(...).matchRecord\` and writes the matches with \`PcapWriter\` to /dev/null.`,
        '"Count only" reads and filters without writing; writing the matches is most of the difference with it.',
        `"Predicate only" runs the compiled predicate over packets already in memory. Best of ${RUNS} runs; Sentra read only, no filter: ${mpps(packets, readOnly.seconds)} Mpkt/s.`,
        'The machine has 2 cores shared with other work: expect noise of tens of percent between runs.',
        '',
        table,
      ].join('\n'),
    );
    // the project's formatter also formats Markdown tables: keep RESULTS.md lint-clean
    await runCommand([path.resolve('node_modules', '.bin', 'biome'), 'format', '--write', RESULTS_FILE], {
      okCodes: [1],
    }).catch(() => undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
