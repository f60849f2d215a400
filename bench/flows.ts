/**
 * Flow engine benchmark: flows plus every CIC feature on a lab capture of at least 250,000
 * packets, side by side with `argus -r FILE -w /dev/null` in the same run; then memory with a
 * synthetic generator of distinct flow keys (1,000,000 concurrent flows).
 *
 *   npx tsx bench/flows.ts [capture.pcap]
 *
 * Without an argument the capture is bench/.data/lab-bench.pcap: lab captures appended until
 * there are 250,000 packets (see ensureCapture).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureEngineAddon, processCaptureCic } from '../src/flow/capture-engine.js';
import { CicWriter } from '../src/flow/cic-writer.js';
import { processCapture } from '../src/flow/process.js';
import { FlowTable } from '../src/flow/table.js';
import { Decoder } from '../src/packet/decoder.js';
import { readCaptureBuffer } from '../src/packet/file/reader.js';
import { BENCH_DATA, LAB_BENCH_SCALE, labBenchCapture } from './lib/lab-bench.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';
import { cpuSince, median } from './lib/stats.js';

const RUNS = 7;

/** Memory mode (run in a child process for a clean RSS): N concurrent flows of distinct keys. */
function memoryChild(n: number): void {
  const frame = new Uint8Array(14 + 20 + 8 + 16);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
  frame.set([0x45, 0, 0, 44, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 0, 192, 168, 0, 1], 14);
  frame.set([0, 0, 0, 53, 0, 24, 0, 0], 34);
  const dec = new Decoder();
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  const table = new FlowTable({ maxFlows: n, idleTimeout: 1e6, activeTimeout: 1e7 });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    // distinct keys: the source address 10.a.b.c takes i (frame bytes 27-29)
    frame[27] = (i >>> 16) & 0xff;
    frame[28] = (i >>> 8) & 0xff;
    frame[29] = i & 0xff;
    table.update(
      dec.decodeBytes(frame, 0, frame.length, frame.length, 1, 1_700_000_000 + Math.floor(i / 1e5), 0),
    );
  }
  const secs = (performance.now() - t0) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage().rss;
  const st = table.stats();
  process.stdout.write(
    JSON.stringify({
      flows: st.active,
      rss: after,
      rssDelta: after - before,
      bytesHeld: st.bytesHeld,
      perFlow: st.bytesPerFlow,
      secs,
    }),
  );
}

/** A pcap of `n` UDP packets of distinct flows (source 10.a.b.c), made once in bench/.data. */
function distinctFlowsCapture(n: number): string {
  const file = path.join(BENCH_DATA, `distinct-flows-${n}.pcap`);
  if (existsSync(file)) return file;
  const frameLen = 14 + 20 + 8 + 16;
  const rec = 16 + frameLen;
  const b = Buffer.alloc(24 + n * rec);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  const frame = Buffer.from([
    2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
    0x45, 0, 0, 44, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 0, 192, 168, 0, 1,
    0, 53, 0, 53, 0, 24, 0, 0, ...new Array<number>(16).fill(0),
  ]); // biome-ignore format: header layout
  for (let i = 0; i < n; i++) {
    const at = 24 + i * rec;
    b.writeUInt32LE(1_700_000_000 + Math.floor(i / 1e5), at);
    b.writeUInt32LE(i % 1e5, at + 4);
    b.writeUInt32LE(frameLen, at + 8);
    b.writeUInt32LE(frameLen, at + 12);
    frame[27] = (i >>> 16) & 0xff;
    frame[28] = (i >>> 8) & 0xff;
    frame[29] = i & 0xff;
    frame.copy(b, at + 16);
  }
  mkdirSync(BENCH_DATA, { recursive: true });
  writeFileSync(file, b);
  return file;
}

/** Memory of the capture engine (run in a child): `file`'s flows all in the table at once. */
async function engineMemoryChild(file: string, n: number): Promise<void> {
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const s = await processCaptureCic(file, {
    maxFlows: n,
    idleTimeout: 1e6,
    activeTimeout: 1e7,
    onOutput: () => {},
  });
  if (s === null) throw new Error('the capture engine is not built');
  process.stdout.write(
    JSON.stringify({
      flows: s.peakActive,
      maxRss: process.resourceUsage().maxRSS * 1024,
      before,
      bytesHeld: s.bytesHeld,
      secs: (performance.now() - t0) / 1000,
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--memory') {
    memoryChild(Number(process.argv[3]));
    return;
  }
  if (process.argv[2] === '--memory-engine') {
    await engineMemoryChild(process.argv[3], Number(process.argv[4]));
    return;
  }
  const file = labBenchCapture(process.argv[2]);
  const loadStart = os.loadavg()[0];
  const bytes = readFileSync(file);

  // 1. the engine alone, from memory: decode + flow table + every feature, CIC rows written
  // (as `sentra flows --format cic` does: rows as bytes, no application guess); with the flow
  // addon writing the rows (the default when it is built) and with the JavaScript writer
  const engine: number[] = [];
  const engineCpu: number[] = [];
  const engineJsCpu: number[] = [];
  let packets = 0;
  let flows = 0;
  let csvBytes = 0;
  const nativeRows = new CicWriter().native;
  for (let r = 0; r < 2 * RUNS; r++) {
    const js = r % 2 === 1;
    let rows = 0;
    let chars = 0;
    const w = new CicWriter(undefined, undefined, !js);
    const table = new FlowTable({
      detectApp: false,
      onFlow: (f) => {
        w.row(f.table, f.slot);
        // as if written out: the buffer is reused once it holds 256 KiB
        if (w.length >= 1 << 18) {
          chars += w.length;
          w.discard();
        }
        rows++;
      },
    });
    const dec = new Decoder();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = readCaptureBuffer(bytes, (rec) => {
      table.update(dec.decode(rec));
    });
    table.flush();
    chars += w.length;
    if (js) {
      engineJsCpu.push(cpuSince(c0));
      continue;
    }
    engine.push((performance.now() - t0) / 1000);
    engineCpu.push(cpuSince(c0));
    packets = s.packets;
    flows = rows;
    csvBytes = chars;
    if (chars === 0) throw new Error('no output');
  }
  // 2. end to end from the file, as `sentra flows FILE --format cic` does, output discarded:
  // the capture engine (native/flow/engine.cc: records, flows and rows in C++), and the
  // JavaScript engine (streaming reader, FlowTable, rows by the addon) that runs without it
  const engineAddon = captureEngineAddon() !== null;
  const e2eNative: number[] = [];
  const e2eNativeCpu: number[] = [];
  let nativeCsv = 0;
  for (let r = 0; r < RUNS && engineAddon; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let got = 0;
    const s = await processCaptureCic(file, {
      onOutput: (b) => {
        got += b.length;
      },
    });
    e2eNative.push((performance.now() - t0) / 1000);
    e2eNativeCpu.push(cpuSince(c0));
    if (s === null || s.packets !== packets) throw new Error('the capture engine declined the capture');
    nativeCsv = got;
  }
  const e2e: number[] = [];
  const e2eCpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const w = new CicWriter();
    await processCapture(file, {
      detectApp: false,
      onFlow: (f) => {
        w.row(f.table, f.slot);
        if (w.length >= 1 << 18) w.discard();
      },
    });
    e2e.push((performance.now() - t0) / 1000);
    e2eCpu.push(cpuSince(c0));
  }
  // the table alone (decode + flows + every CIC feature, no output); and with the
  // application guess that JSON Lines output adds
  const bare: number[] = [];
  const bareApp: number[] = [];
  for (let r = 0; r < 2 * RUNS; r++) {
    const table = new FlowTable({ detectApp: r % 2 === 1 });
    const dec = new Decoder();
    const c0 = process.cpuUsage();
    readCaptureBuffer(bytes, (rec) => {
      table.update(dec.decode(rec));
    });
    table.flush();
    (r % 2 === 1 ? bareApp : bare).push(cpuSince(c0));
  }
  // 3. argus on the same file
  const argus: number[] = [];
  const argusCpu: number[] = [];
  const argusVersion = toolVersion('argus', ['-h']).slice(0, 60);
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    // /usr/bin/time reports the child's CPU seconds (user, system) on stderr
    const res = spawnSync('/usr/bin/time', ['-f', '%U %S', 'argus', '-r', file, '-w', '/dev/null'], {
      encoding: 'utf8',
    });
    if (res.status !== 0)
      throw new Error(`argus failed (${res.status}): ${res.stderr}; install argus-server`);
    argus.push((performance.now() - t0) / 1000);
    const [u, sy] = res.stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [0, 0];
    argusCpu.push(u + sy);
  }
  // 4. memory: one million concurrent flows
  const N = 1_000_000;
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory', String(N)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr}`);
  const mem = JSON.parse(child.stdout) as {
    flows: number;
    rss: number;
    rssDelta: number;
    bytesHeld: number;
    perFlow: number;
    secs: number;
  };

  // the capture engine's table: one million flows from a file, peak RSS of the whole process
  let engineMem: { flows: number; maxRss: number; before: number; bytesHeld: number; secs: number } | null =
    null;
  if (engineAddon) {
    const big = distinctFlowsCapture(N);
    const c = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--memory-engine', big, String(N)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (c.status !== 0) throw new Error(`engine memory run failed: ${c.stderr}`);
    engineMem = JSON.parse(c.stdout);
  }

  const pps = (s: number) => Math.round(packets / s).toLocaleString('en-US');
  const best = (xs: number[]) => Math.min(...xs);
  const argB = best(argusCpu);
  const argM = median(argusCpu);
  const line = (name: string, cpu: number[], wall: number[] | null) => [
    name,
    wall === null ? '-' : median(wall).toFixed(3),
    `${best(cpu).toFixed(3)} / ${median(cpu).toFixed(3)}`,
    `${pps(best(cpu))} / ${pps(median(cpu))}`,
    `${(argB / best(cpu)).toFixed(1)}x / ${(argM / median(cpu)).toFixed(1)}x`,
  ];
  const rows = [
    line(
      'JavaScript engine (FlowTable): decode + flow table + every CIC feature (in memory, no output)',
      bare,
      null,
    ),
    line('JavaScript engine: the same + the application guess (a JSON Lines field)', bareApp, null),
    line(
      `JavaScript engine: decode + flows + CIC CSV rows written (in memory)${nativeRows ? ', rows by the flow addon' : ' (flow addon NOT built: JavaScript rows)'}`,
      engineCpu,
      engine,
    ),
    line(
      'JavaScript engine: the same, rows by the JavaScript writer (SENTRA_FLOW_NATIVE=0)',
      engineJsCpu,
      null,
    ),
    ...(engineAddon
      ? [
          line(
            '**sentra flows FILE end to end: the capture engine (C++ records, flows and CIC rows; file read included)**',
            e2eNativeCpu,
            e2eNative,
          ),
        ]
      : []),
    line(
      'sentra flows end to end with the JavaScript engine (streaming reader, FlowTable, rows by the addon): the path without the capture engine',
      e2eCpu,
      e2e,
    ),
    line(`argus -r FILE -w /dev/null (${argusVersion})`, argusCpu, argus),
  ];
  const memRows = [
    ['concurrent flows', mem.flows.toLocaleString('en-US')],
    ['state per flow (fixed)', `${mem.perFlow} bytes`],
    ['table bytes held / flow', `${Math.round(mem.bytesHeld / mem.flows)} bytes`],
    ['RSS growth / flow', `${Math.round(mem.rssDelta / mem.flows)} bytes`],
    ['process RSS with 1M flows', `${(mem.rss / 2 ** 20).toFixed(0)} MiB`],
    ['time to insert 1M flows', `${mem.secs.toFixed(2)} s`],
    ...(engineMem === null
      ? []
      : [
          [
            'capture engine (sentra flows FILE): concurrent flows from a file',
            engineMem.flows.toLocaleString('en-US'),
          ],
          [
            'capture engine: table bytes held / flow',
            `${Math.round(engineMem.bytesHeld / engineMem.flows)} bytes`,
          ],
          [
            'capture engine: peak RSS growth / flow (whole run: reading, 1M rows written)',
            `${Math.round((engineMem.maxRss - engineMem.before) / engineMem.flows)} bytes`,
          ],
          ['capture engine: peak process RSS', `${(engineMem.maxRss / 2 ** 20).toFixed(0)} MiB`],
          ['capture engine: time for the file (1M flows in, 1M rows out)', `${engineMem.secs.toFixed(2)} s`],
        ]),
  ];
  const table1 = markdownTable(
    [
      `run (${RUNS} times)`,
      'wall s (median)',
      'CPU s (best / median)',
      'packets per CPU second (best / median)',
      'vs argus CPU (best / median)',
    ],
    rows,
  );
  const table2 = markdownTable(['memory', 'value'], memRows);
  console.log(table1);
  console.log();
  console.log(table2);
  writeResults(
    'flows',
    'Flow engine (bench/flows.ts)',
    `Capture: ${path.basename(file)} (${packets.toLocaleString('en-US')} packets, ${flows.toLocaleString('en-US')} flows, ${(bytes.length / 2 ** 20).toFixed(1)} MiB), lab captures (../shared/tools/lab-capture.sh, scale ${LAB_BENCH_SCALE}) appended with mergecap -a. ` +
      'Speeds are packets per CPU second (user + system), so that other load on the machine counts less than in wall time. ' +
      'Targets: >= 2M packets/s on one core, >= 5x argus, <= 1 KB per active flow, 1M concurrent flows under 1.5 GB RSS. ' +
      `The capture is scan-heavy (${(packets / flows).toFixed(1)} packets per flow): per-flow work (a new flow, a CSV row) weighs more than per-packet work. ` +
      `\`sentra flows FILE --format cic\` on a pcap file runs the capture engine (native/flow/engine.cc) when the flow addon is built${engineAddon ? ` (${(nativeCsv / 2 ** 20).toFixed(1)} MiB of CSV per run, byte for byte the JavaScript engine's: test/flow/native-parity.test.ts)` : ' (it was not built for this run)'}: the records are decoded, counted into flows and written as rows in C++, records it does not decode (fragments, tunnels, cut headers) are handed to the JavaScript decoder one by one; its table has the same slot layout as FlowTable (same bytes per flow). The other sentra rows measure the JavaScript engine (FlowTable, used by detectors, the IDS, live capture, JSON Lines and pcapng input). ` +
      `CIC rows are written as bytes into a reused buffer (CicWriter, ${(csvBytes / 2 ** 20).toFixed(1)} MiB of CSV per run), by the flow addon (native/flow/, C++) when it is built${nativeRows ? '' : ' (it was not built for this run)'}, else by JavaScript (same bytes; both are measured); the application guess is a JSON Lines field, so CIC runs skip it (its cost is the second row). ` +
      `Each measure is run ${RUNS} times in this process (argus ${RUNS} times as a child; its CPU time from /usr/bin/time): best and median. ` +
      `The machine has 2 cores shared with other work (1-minute load average ${loadStart.toFixed(1)} at the start of this run, ${os.loadavg()[0].toFixed(1)} at the end): numbers are noisy.\n\n` +
      `${table1}\n\n${table2}\n`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
