/**
 * The flow and detector benchmarks' capture: lab captures (../shared/tools/lab-capture.sh at
 * scale 10, about 116,000 packets each, as root) appended with `mergecap -a` until there are at
 * least 250,000 packets. Cached in bench/.data/ (gitignored), so both benches read one file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureBuffer } from '../../src/packet/file/reader.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_DATA = path.join(HERE, '..', '.data');
export const LAB_BENCH_SCALE = '10';
export const LAB_BENCH_MIN_PACKETS = 250_000;

/** Packets in a pcap file (the reader counts them; nothing is decoded). */
export function countPackets(file: string): number {
  return readCaptureBuffer(readFileSync(file), () => {}).packets;
}

/** `arg` when given, else bench/.data/lab-bench.pcap, made on first use. */
export function labBenchCapture(arg?: string): string {
  if (arg) return arg;
  const file = path.join(BENCH_DATA, 'lab-bench.pcap');
  if (existsSync(file)) return file;
  mkdirSync(BENCH_DATA, { recursive: true });
  const parts: string[] = [];
  let total = 0;
  for (let i = 1; total < LAB_BENCH_MIN_PACKETS; i++) {
    const part = path.join(BENCH_DATA, `part-${i}.pcap`);
    if (!existsSync(part)) {
      console.error(`making lab capture ${i} (scale ${LAB_BENCH_SCALE}, needs root)...`);
      execFileSync(
        path.resolve(HERE, '..', '..', '..', 'shared', 'tools', 'lab-capture.sh'),
        [part, LAB_BENCH_SCALE],
        {
          stdio: 'inherit',
        },
      );
    }
    parts.push(part);
    total += countPackets(part);
  }
  execFileSync('mergecap', ['-F', 'pcap', '-a', '-w', file, ...parts]);
  return file;
}
