/**
 * Throughput of the Kitsune anomaly detector on one core:
 *
 *   npx tsx bench/anomaly.ts [scale]
 *
 * A lab capture (../shared/tools/lab-capture.sh at `scale`, default 3, kept in bench/.data)
 * is read into memory; the detector is trained on its first 2,000 packets, then every packet
 * is decoded and scored, RUNS times. Reported: packets per second of wall time and per CPU
 * second (user + system of this process: closer to "one core" when the machine is shared),
 * best of the runs, for decoding alone and for decoding plus the detector, and the
 * detector's own cost per packet. No peer: Kitsune's reference code is not packaged here.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { KitsuneDetector } from '../src/anomaly/kitsune/detector.js';
import { Decoder } from '../src/packet/decoder.js';
import { readCaptureBuffer } from '../src/packet/file/reader.js';
import { labCapture } from './anomaly-lab.js';
import { markdownTable, writeResults } from './lib/results.js';

const RUNS = 5;
const scale = Number(process.argv[2] ?? 3);
const file = await labCapture(scale, 'a');
const bytes = new Uint8Array(readFileSync(file));

function measure(fn: () => number): { wall: number; cpu: number; packets: number } {
  let best = { wall: 0, cpu: 0, packets: 0 };
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = fn();
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    if (n / cpu > best.cpu) best = { wall: n / wall, cpu: n / cpu, packets: n };
  }
  return best;
}

const decoder = new Decoder();
const det = new KitsuneDetector({ grace: 2000, seed: 1 });
readCaptureBuffer(bytes, (r) => {
  if (det.phase !== 'detecting') det.process(decoder.decode(r));
});
const decodeOnly = measure(() => {
  let n = 0;
  readCaptureBuffer(bytes, (r) => {
    n++;
    decoder.decode(r);
  });
  return n;
});
const withDetector = measure(() => {
  det.reset();
  let n = 0;
  readCaptureBuffer(bytes, (r) => {
    n++;
    det.process(decoder.decode(r));
  });
  return n;
});
const usDetector = (1 / withDetector.cpu - 1 / decodeOnly.cpu) * 1e6;
const load = os.loadavg()[0].toFixed(1);
const table = markdownTable(
  ['stage', 'packets', 'pkt/s (wall)', 'pkt/s (CPU time)'],
  [
    ['decode only', decodeOnly.packets, Math.round(decodeOnly.wall), Math.round(decodeOnly.cpu)],
    [
      'decode + Kitsune (features + KitNET)',
      withDetector.packets,
      Math.round(withDetector.wall),
      Math.round(withDetector.cpu),
    ],
    ['Kitsune alone (derived)', '', '', Math.round(1e6 / usDetector)],
  ],
);
const body = [
  `Capture: lab-capture.sh scale ${scale} (${withDetector.packets} packets), in memory; ${det.net.ensemble.length} autoencoders after training on 2,000 packets; best of ${RUNS} runs.`,
  `Detector cost: ${usDetector.toFixed(2)} µs of CPU per packet. Load average when measured: ${load} on ${os.cpus().length} cores (other sessions were working: wall-time numbers are noisy, CPU-time ones less so).`,
  "No peer in the same run: Kitsune (the authors' Python/Cython code) is not packaged in Debian or npm.",
  '',
  table,
].join('\n');
console.log(body);
writeResults('anomaly', 'Anomaly detector throughput (Kitsune, one core)', body);
