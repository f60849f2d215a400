/**
 * `sentra ids --detect` and `--anomaly`: the behavioural detectors and the Kitsune detector run
 * inside the signature engine and write to the same EVE file. Checked on the lab capture
 * against its truth file (who attacked whom), not against our own earlier output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

const LAB = corpusPath('lab', 'lab-basic.pcap');
const truth = JSON.parse(readFileSync(corpusPath('lab', 'lab-basic.truth.json'), 'utf8')) as {
  hosts: Record<string, string>;
  incidents: { type: string; src: string; dst: string }[];
};
const attacker = Object.entries(truth.hosts).find(([, what]) => what === 'attacker')?.[0];
const tmp = mkdtempSync(path.join(tmpdir(), 'sentra-ids-obs-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Eve = {
  src_ip: string;
  dest_ip: string;
  alert: { signature_id: number; severity: number; metadata: Record<string, string[]> };
  anomaly?: { score: number; threshold: number; features: unknown[] };
};
const readEve = (file: string): Eve[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('sentra ids --detect', () => {
  it('reports the scan, flood and web incidents of the lab with the attacker as source, without rules', async () => {
    const eve = path.join(tmp, 'detect.json');
    const r = await runCli(['ids', LAB, '--detect', '--eve', eve, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    const recs = readEve(eve);
    expect(summary.alerts).toBe(recs.length);
    expect(attacker).toBeDefined();
    const byDetector = (d: string) => recs.filter((e) => e.alert.metadata.detector?.[0] === d);
    for (const d of ['portscan', 'dos', 'webattack']) {
      expect(byDetector(d).length, d).toBeGreaterThan(0);
      expect(
        byDetector(d).some((e) => e.src_ip === attacker),
        d,
      ).toBe(true);
    }
    // every high/critical alert names the attacker (EVE severity 1)
    for (const e of recs.filter((x) => x.alert.severity === 1)) expect(e.src_ip).toBe(attacker);
  });

  it('runs only the detectors named', async () => {
    const eve = path.join(tmp, 'scan-only.json');
    const r = await runCli(['ids', LAB, '--detect', 'portscan', '--eve', eve]);
    expect(r.code).toBe(0);
    const detectors = new Set(readEve(eve).map((e) => e.alert.metadata.detector?.[0]));
    expect([...detectors]).toEqual(['portscan']);
  });

  it('refuses an unknown detector and a run with nothing to detect (exit 2)', async () => {
    const bad = await runCli(['ids', LAB, '--detect', 'portscan,nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown detector "nope"');
    const none = await runCli(['ids', LAB]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--rules');
  });
});

describe('sentra ids --anomaly', () => {
  it('trains on the first packets, then writes anomaly alerts with score, threshold and features', async () => {
    const eve = path.join(tmp, 'anomaly.json');
    const r = await runCli(['ids', LAB, '--anomaly', '--grace', '5000', '--eve', eve]);
    expect(r.code).toBe(0);
    const recs = readEve(eve);
    expect(recs.length).toBeGreaterThan(0);
    for (const e of recs) {
      expect(e.alert.signature_id).toBe(9300001);
      expect(e.anomaly?.score).toBeGreaterThan(e.anomaly?.threshold as number);
      expect(e.anomaly?.features.length).toBeGreaterThan(0);
    }
    expect(recs.some((e) => e.src_ip === attacker)).toBe(true);
  });

  it('--grace without --anomaly is a usage error', async () => {
    const r = await runCli(['ids', LAB, '--detect', '--grace', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--grace applies to --anomaly only');
  });
});
