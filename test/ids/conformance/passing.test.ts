/**
 * Every suricata-verify test on the committed passing list still passes: the test's rules,
 * options and pcap run through the engine in-process, and the checks of its test.yaml (the
 * suite's own expectations, i.e. what Suricata produces) are evaluated on our EVE records.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVerifyTest } from '../../../src/ids/engine/conformance.js';
import { corpusPath } from '../../helpers/corpus.js';

const LIST = path.join(path.dirname(new URL(import.meta.url).pathname), 'suricata-verify-passing.txt');
const names = readFileSync(LIST, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('suricata-verify passing list', () => {
  it('lists at least 300 tests', () => {
    expect(names.length).toBeGreaterThanOrEqual(300);
  });

  it('every listed test passes', async () => {
    const root = corpusPath('suricata-verify', 'tests');
    const failed: string[] = [];
    for (const n of names) {
      const o = await runVerifyTest(path.join(root, n));
      if (o.status !== 'pass') failed.push(`${n}: ${o.status}: ${o.reason}`);
    }
    expect(failed).toEqual([]);
  }, 300_000);
});
