/**
 * The CSV row writer (cicRow) takes shortcuts for speed: cached address and number text, a
 * word comparison for the Flow ID order. Its output must be exactly the column values
 * (cicValues, built with String() and cicFlowId's byte-by-byte comparison) joined by commas,
 * for every flow of real captures, IPv4 and IPv6, both Flow ID orders.
 */
import { describe, expect, it } from 'vitest';
import { cicRow, cicValues } from '../../src/flow/cic.js';
import { CicWriter } from '../../src/flow/cic-writer.js';
import { processCapture } from '../../src/flow/process.js';
import { corpusFiles, corpusPath } from '../helpers/corpus.js';

const files = [corpusPath('lab', 'lab-basic.pcap'), ...corpusFiles('nfstream/pcaps')];

describe('cicRow', () => {
  it('equals the column values joined by commas, flow by flow', async () => {
    let rows = 0;
    let v6 = 0;
    let reversed = 0;
    for (const file of files) {
      const bad: string[] = [];
      await processCapture(file, {
        onFlow: (f) => {
          const want = cicValues(f.table, f.slot, 'L').join(',');
          const got = cicRow(f.table, f.slot, 'L');
          if (got !== want && bad.length < 3) bad.push(`${got}\n${want}`);
          rows++;
          const v = cicValues(f.table, f.slot);
          if (String(v[1]).includes(':')) v6++;
          if (!String(v[0]).startsWith(`${v[1]}-`)) reversed++;
        },
      }).catch(() => undefined); // a file the reader rejects has no rows to compare
      expect(bad, file).toEqual([]);
    }
    // the comparison covered both address families and both Flow ID orders
    expect(rows).toBeGreaterThan(5000);
    expect(v6).toBeGreaterThan(100);
    expect(reversed).toBeGreaterThan(100);
  });
});

describe('CicWriter', () => {
  it('writes every row byte for byte as cicRow and a newline', async () => {
    let rows = 0;
    for (const file of files) {
      const w = new CicWriter('L');
      const want: string[] = [];
      await processCapture(file, {
        onFlow: (f) => {
          want.push(`${cicRow(f.table, f.slot, 'L')}\n`);
          w.row(f.table, f.slot);
          rows++;
        },
      }).catch(() => undefined);
      expect(w.take().toString('latin1'), file).toBe(want.join(''));
    }
    expect(rows).toBeGreaterThan(5000);
  });
});
