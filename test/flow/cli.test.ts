/** `sentra flows` as users run it: the built CLI on corpus captures. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cicValues } from '../../src/flow/cic.js';
import { processCapture } from '../../src/flow/process.js';
import { runCommand } from '../../src/sys/exec.js';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-flows-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const lab = corpusPath('lab', 'lab-basic.pcap');

describe('sentra flows', () => {
  beforeAll(async () => {
    await runCommand(['npm', 'run', 'build'], { timeoutMs: 120_000 });
  }, 180_000);

  it('writes CICFlowMeter CSE-CIC-IDS2018 CSV with its exact header, one row per flow, and a summary', async () => {
    const out = path.join(tmp, 'lab.csv');
    const r = await runCli(['flows', lab, '-o', out]);
    expect(r.code).toBe(0);
    const header = readFileSync(corpusPath('cicflowmeter', 'test.cic2018.csv'), 'utf8').split(/\r?\n/)[0];
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(header);
    const cols = header.split(',').length;
    for (const l of lines.slice(1)) expect(l.split(',')).toHaveLength(cols);
    const flows = Number(/flows\s+(\d+)/.exec(r.stderr)?.[1]);
    expect(lines.length - 1).toBe(flows);
    expect(r.stderr).toContain('bytes per active flow');
    // the rows (written as bytes) are the column values joined by commas, in the same order
    const want: string[] = [];
    await processCapture(lab, { onFlow: (f) => want.push(cicValues(f.table, f.slot).join(',')) });
    expect(lines.slice(1)).toEqual(want);
  });

  it('--format jsonl with --json: flows on stdout, the summary JSON on stderr; stdin as -', async () => {
    const r = await runCli(['flows', '-', '--format', 'jsonl', '--json', '--bytes', 'ip'], {
      input: readFileSync(lab),
    });
    expect(r.code).toBe(0);
    const flows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const summary = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}');
    expect(flows.length).toBe(summary.flows);
    expect(summary.packets).toBe(13698);
    for (const f of flows) {
      expect(f.bidirectional_packets).toBe(f.src2dst_packets + f.dst2src_packets);
      expect(f.bidirectional_bytes).toBe(f.src2dst_bytes + f.dst2src_bytes);
    }
    // the lab capture holds DNS, HTTP and SSH sessions: the decoders name them
    const names = new Set(flows.filter((f) => !f.application_is_guessed).map((f) => f.application_name));
    for (const n of ['DNS', 'HTTP', 'SSH']) expect(names.has(n), n).toBe(true);
  });

  it('bad options exit 2 with a message', async () => {
    for (const args of [
      ['--format', 'xml'],
      ['--idle-timeout', '-3'],
      ['--bytes', 'bits'],
      ['--max-flows', '0'],
    ]) {
      const r = await runCli(['flows', lab, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/SENTRA_ERR_INVALID_ARGUMENT/);
    }
  });

  it('a truncated capture: the flows before the damage are written, exit 3', async () => {
    const bytes = readFileSync(lab);
    const cut = path.join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const out = path.join(tmp, 'cut.csv');
    const r = await runCli(['flows', cut, '-o', out]);
    expect(r.code).toBe(3);
    // every IP packet before the damage is in a written flow: tshark counts them independently
    const before = Number(/(\d+) packets were read before it/.exec(r.stderr)?.[1]);
    expect(before).toBeGreaterThan(100);
    const t = await runCommand([
      'tshark',
      '-n',
      '-r',
      lab,
      '-c',
      String(before),
      '-Y',
      'ip || ipv6',
      '-T',
      'fields',
      '-e',
      'frame.number',
    ]);
    const ipPackets = t.stdout.trim().split('\n').length;
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const counted = rows.reduce((n, l) => {
      const c = l.split(',');
      return n + Number(c[8]) + Number(c[9]);
    }, 0);
    expect(counted).toBe(ipPackets);
  });
});
