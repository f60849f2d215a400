/**
 * The daemon's costs: analysing an uploaded capture end to end (upload, engine with the built-in
 * rules and the detectors, flows and alerts into SQLite, EVE file) against the same engine alone
 * and against tshark reading the file into conversations; and alert ingest through the API with
 * and without fsync (the durability the kill -9 test relies on). The peer IDS (Suricata) is not
 * installed here; tshark is the reference for reading the capture.
 * Run: npx tsx bench/daemon.ts
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../src/daemon/config.js';
import { startDaemon } from '../src/daemon/daemon.js';
import { demoRulesPath } from '../src/daemon/demo.js';
import { createDetectors } from '../src/detect/registry.js';
import { runIdsOnCapture } from '../src/ids/engine/run.js';
import { loadRuleFiles } from '../src/ids/rules/loader.js';
import { eveAlert, tempDir } from '../test/daemon/helpers.js';
import { corpusPath } from '../test/helpers/corpus.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const RUNS = 3;

async function best(fn: () => Promise<void>): Promise<number> {
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

async function daemonWith(overrides: Record<string, unknown>) {
  const dir = tempDir('bench');
  const d = await startDaemon(
    loadConfig({ overrides: { data_dir: dir, 'http.port': 0, 'firewall.backend': 'memory', ...overrides } }),
    { log: () => {} },
  );
  const headers = { authorization: `Bearer ${d.token}` };
  return {
    d,
    headers,
    stop: async () => {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const file = corpusPath('lab', 'lab-basic.pcap');
  const bytes = readFileSync(file);
  const rules = loadRuleFiles([demoRulesPath()]).ruleSet;
  let packets = 0;
  const engineMs = await best(async () => {
    const r = await runIdsOnCapture(file, { ruleSet: rules, observers: createDetectors() });
    packets = r.stats.packets;
  });
  const tsharkMs = await best(async () => {
    execFileSync('tshark', ['-r', file, '-q', '-z', 'conv,ip'], { stdio: ['ignore', 'ignore', 'ignore'] });
  });
  const daemon = await daemonWith({});
  const daemonMs = await best(async () => {
    const up = (await (
      await fetch(`${daemon.d.url}/api/captures?name=lab.pcap`, {
        method: 'POST',
        headers: daemon.headers,
        body: bytes,
      })
    ).json()) as { id: string };
    for (;;) {
      const j = (await (
        await fetch(`${daemon.d.url}/api/captures/${up.id}`, { headers: daemon.headers })
      ).json()) as {
        status: string;
      };
      if (j.status === 'done' || j.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  await daemon.stop();
  const pps = (ms: number) => Math.round(packets / (ms / 1000)).toLocaleString('en-US');
  const analysis = markdownTable(
    ['lab-basic.pcap (13,698 packets)', 'best of 3 (ms)', 'packets/s'],
    [
      ['daemon: upload → engine + detectors → SQLite + EVE', daemonMs.toFixed(0), pps(daemonMs)],
      ['engine + detectors alone (runIdsOnCapture)', engineMs.toFixed(0), pps(engineMs)],
      [`tshark -q -z conv,ip (${toolVersion('tshark').split('\n')[0]})`, tsharkMs.toFixed(0), pps(tsharkMs)],
    ],
  );

  const ingest: (string | number)[][] = [];
  for (const fsync of [true, false]) {
    const t = await daemonWith({ 'outputs.eve.fsync': fsync });
    const batches = 100;
    const size = 100;
    const body = (b: number) =>
      JSON.stringify(Array.from({ length: size }, (_, i) => eveAlert(b * size + i)));
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      await fetch(`${t.d.url}/api/alerts`, {
        method: 'POST',
        headers: { ...t.headers, 'content-type': 'application/json' },
        body: body(b),
      });
    }
    const ms = performance.now() - t0;
    ingest.push([
      `${batches} requests × ${size} alerts, EVE fdatasync ${fsync ? 'on' : 'off'} (SQLite synchronous=FULL)`,
      ms.toFixed(0),
      Math.round((batches * size) / (ms / 1000)).toLocaleString('en-US'),
    ]);
    await t.stop();
  }
  const ingestTable = markdownTable(['alert ingest (POST /api/alerts)', 'ms', 'alerts/s'], ingest);
  const text = `${analysis}\n\n${ingestTable}\n\nThe daemon's figure includes the HTTP upload, writing the capture to disk, the traffic view and storing 5,600 flows and the alerts in SQLite. The machine has 2 cores shared with other work (load average ${os.loadavg()[0].toFixed(1)} at the end of this run): numbers are noisy.`;
  console.log(text);
  writeResults('daemon', 'Daemon: capture analysis and alert ingest', text);
}

await main();
