/** `sentra conformance suricata-verify`: per-test lines and the summary line. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { corpusPath } from '../../helpers/corpus.js';

describe('sentra conformance suricata-verify', () => {
  it('prints one line per test and "N passed, N failed, N skipped"', async () => {
    const dir = corpusPath('suricata-verify', 'tests', 'util-action-tests');
    const r = await runCli(['conformance', 'suricata-verify', dir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const last = lines[lines.length - 1];
    const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(last);
    expect(m, last).not.toBeNull();
    const total = Number(m![1]) + Number(m![2]) + Number(m![3]);
    const perTest = lines.filter((l) => /^(pass|fail|not-supported)\s/.test(l));
    expect(perTest).toHaveLength(total);
    expect(total).toBe(readdirSync(dir).filter((d) => existsSync(path.join(dir, d, 'test.yaml'))).length);
    expect(lines.some((l) => /^pass\s+util-action-02$/.test(l))).toBe(true);
  });

  it('--json: one object per test and a summary', async () => {
    const dir = corpusPath('suricata-verify', 'tests', 'detect-itype');
    const r = await runCli(['conformance', 'suricata-verify', dir, '--json']);
    expect(r.code).toBe(0);
    const objs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objs[0]).toMatchObject({ name: 'detect-itype', status: 'pass' });
    expect(objs[1].summary).toMatchObject({ tests: 1, passed: 1, failed: 0, skipped: 0 });
  });

  it('a folder without tests is a usage error', async () => {
    const r = await runCli(['conformance', 'suricata-verify', corpusPath('lab')]);
    expect(r.code).toBe(2);
  });
});
