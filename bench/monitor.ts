/**
 * The monitor's per-packet work (decode + flow table + protocol counts + ring copy)
 * over corpus captures, against tshark computing the same conversations (`-q -z conv,tcp -z
 * conv,udp`). Both read the file from the page cache; the times include reading and parsing.
 * Run: npx tsx bench/monitor.ts
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PacketRing } from '../src/capture/ring.js';
import { TrafficTable } from '../src/monitor/traffic.js';
import { Decoder } from '../src/packet/decoder.js';
import { readCaptureBuffer } from '../src/packet/file/reader.js';
import { corpusPath } from '../test/helpers/corpus.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const FILES = [
  ['lab/lab-basic.pcap', 'lab-basic'],
  ['attacks/tcp_0_1000_20190821.pcap', 'tcp scan'],
  ['cicflowmeter/test.pcap', 'cicflowmeter test'],
] as const;

function best<T>(runs: number, fn: () => T): { ms: number; value: T } {
  let ms = Number.POSITIVE_INFINITY;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    value = fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, value };
}

async function main(): Promise<void> {
  const load = os.loadavg()[0];
  const rows: (string | number)[][] = [];
  for (const [rel, label] of FILES) {
    const file = corpusPath(...rel.split('/'));
    const bytes = readFileSync(file);
    let packets = 0;
    let flows = 0;
    let ms = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 5; r++) {
      const table = new TrafficTable({ maxFlows: 65_536 });
      const ring = new PacketRing({ maxPackets: 10_000, maxBytes: 32 << 20 });
      const d = new Decoder();
      let n = 0;
      const t0 = process.hrtime.bigint();
      readCaptureBuffer(bytes, (rec) => {
        n++;
        ring.push(rec);
        table.add(d.decode(rec));
      });
      ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
      packets = n;
      flows = table.size;
    }
    const ts = best(3, () =>
      execFileSync('tshark', ['-n', '-q', '-r', file, '-z', 'conv,tcp', '-z', 'conv,udp'], {
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 256 << 20,
      }),
    );
    rows.push([
      label,
      packets,
      flows,
      ms.toFixed(1),
      Math.round(packets / (ms / 1000)).toLocaleString('en'),
      ts.ms.toFixed(0),
      Math.round(packets / (ts.ms / 1000)).toLocaleString('en'),
    ]);
  }
  const table = markdownTable(
    ['capture', 'packets', 'flows', 'sentra ms', 'sentra pkt/s', 'tshark ms', 'tshark pkt/s'],
    rows,
  );
  process.stdout.write(table + '\n');
  writeResults(
    'monitor',
    'Monitor pipeline (decode + flow table + ring) vs tshark -z conv',
    `${toolVersion('tshark', ['-v']).split('\n')[0]}. Best of 5 (Sentra, in-process, file in memory) and ` +
      'of 3 (tshark, whole process including its start-up of ~0.3 s, so small files favour Sentra). ' +
      "Flows are the monitor's TrafficTable (the flow engine's FlowTable). " +
      `2-core machine shared with other work (1-minute load average ${load.toFixed(1)} at the start): noisy.\n\n` +
      table,
  );
}

await main();
