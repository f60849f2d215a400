/**
 * The flow addon (native/flow/) writes CIC rows in C++: its number text must be byte for byte
 * ECMAScript's Number::toString (the oracle is String(x) of this very Node), and the writer
 * must give the same rows with the addon and without it (the JavaScript fallback).
 */
import { describe, expect, it } from 'vitest';
import { cicRow } from '../../src/flow/cic.js';
import { CicWriter } from '../../src/flow/cic-writer.js';
import { flowAddon } from '../../src/flow/native.js';
import { processCapture } from '../../src/flow/process.js';
import { corpusFiles, corpusPath } from '../helpers/corpus.js';

/** SENTRA_FLOW_NATIVE=0 turns the addon off on purpose: its own tests are skipped then. */
const disabled = process.env.SENTRA_FLOW_NATIVE === '0';

const BUILD_HINT =
  'the flow addon is not usable (build/Release/sentra_flow.node missing, or built without floating-point ' +
  'std::to_chars, which needs GCC 11+): run node scripts/build-native.mjs';

function addon() {
  const a = flowAddon();
  if (a === null) throw new Error(BUILD_HINT);
  return a;
}

/** Compares the addon's text of every value with String(value); returns the mismatches (a few). */
function mismatches(values: Float64Array, cached: boolean): string[] {
  const out = new Uint8Array(values.length * 26 + 32);
  const n = addon().formatNumbers(values, out, cached);
  expect(n).toBeGreaterThan(0);
  const got = Buffer.from(out.buffer, 0, n).toString('latin1').split('\n');
  const bad: string[] = [];
  for (let i = 0; i < values.length && bad.length < 5; i++) {
    const want = String(values[i]);
    if (got[i] !== want) bad.push(`${want} written as ${got[i]}`);
  }
  return bad;
}

/** A deterministic generator (xorshift32), so a failure can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe.skipIf(disabled)('flow addon number text', () => {
  const N = 1 << 20;

  it('equals String(x) for edge values', () => {
    const edges = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.2,
      0.3,
      1 / 3,
      2 / 3,
      0.5,
      1.5,
      123.456,
      -123.456,
      Number.NaN,
      Infinity,
      -Infinity,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      Number.EPSILON,
      2 ** -1022,
      2 ** -1074 * 3,
      2 ** 31,
      2 ** 31 - 1,
      2 ** 32,
      2 ** 32 - 1,
      2 ** 32 + 0.5,
      2 ** 53,
      2 ** 53 - 1,
      2 ** 53 + 2,
      2 ** 60,
      2 ** 64,
      1e21,
      1e21 - 65536,
      9.999999999999999e20,
      1e20,
      123456789012345680000,
      1.5e21,
      1e22,
      1e100,
      1e308,
      1e-7,
      1.5e-7,
      9.99e-8,
      1e-6,
      0.000001,
      0.0000015,
      1e-5,
      5e-324,
      1.7976931348623157e308,
      4.35,
      0.000123,
      8.41e21,
      1e15 + 0.3,
      4503599627370495.5,
      1234567.890123,
      100,
      1000000,
      1e7 + 0.5,
    ];
    const values = new Float64Array(edges.length);
    values.set(edges);
    // powers of ten and their neighbours, both ways
    const pow: number[] = [];
    for (let e = -325; e <= 309; e++) {
      const x = Number(`1e${e}`);
      pow.push(x, -x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON / 2));
    }
    const powers = Float64Array.from(pow);
    for (const cached of [false, true]) {
      expect(mismatches(values, cached)).toEqual([]);
      expect(mismatches(powers, cached)).toEqual([]);
    }
  });

  it('equals String(x) for 1M random bit patterns (every exponent, subnormals, NaNs)', () => {
    const next = rng(12345);
    const values = new Float64Array(N);
    const words = new Uint32Array(values.buffer);
    for (let i = 0; i < words.length; i++) words[i] = next();
    expect(mismatches(values, false)).toEqual([]);
  });

  it('equals String(x) for 2M values shaped like CIC columns (ratios, means, rates, scaled)', () => {
    const next = rng(777);
    const values = new Float64Array(2 * N);
    for (let i = 0; i < values.length; i++) {
      const r = next();
      switch (r & 3) {
        case 0: // a mean or a ratio of counters
          values[i] = (next() % 10_000_000) / (1 + (next() % 5000));
          break;
        case 1: // a rate: count / (µs / 1e6)
          values[i] = (1 + (next() % 1000)) / ((1 + next()) / 1e6);
          break;
        case 2: // a standard deviation
          values[i] = Math.sqrt(Math.max(0, (next() * 1000 + next()) / (1 + (next() % 100))));
          break;
        default: // any magnitude from 1e-12 to 1e25
          values[i] = (next() / 2 ** 32) * 10 ** ((next() % 38) - 12);
      }
    }
    // the row writer goes through its cache: the same values twice hit it
    expect(mismatches(values, true)).toEqual([]);
    expect(mismatches(values, true)).toEqual([]);
    expect(mismatches(values, false)).toEqual([]);
  });
});

const files = [corpusPath('lab', 'lab-basic.pcap'), ...corpusFiles('nfstream/pcaps')];

describe('CicWriter with and without the addon', () => {
  it.skipIf(disabled)('uses the addon when it is built', () => {
    addon();
    expect(new CicWriter().native).toBe(true);
    expect(new CicWriter('No Label', 1 << 16, false).native).toBe(false);
  });

  it('writes the same bytes as cicRow without the addon (the JavaScript fallback)', async () => {
    let rows = 0;
    for (const file of files) {
      const w = new CicWriter('L', 1 << 16, false);
      const want: string[] = [];
      await processCapture(file, {
        onFlow: (f) => {
          want.push(`${cicRow(f.table, f.slot, 'L')}\n`);
          w.row(f.table, f.slot);
          rows++;
        },
      }).catch(() => undefined); // a file the reader rejects has no rows to compare
      expect(w.take().toString('latin1'), file).toBe(want.join(''));
    }
    expect(rows).toBeGreaterThan(5000);
  });

  it.skipIf(disabled)(
    'keeps two writers apart when they take turns (each binds its own buffer again)',
    async () => {
      addon();
      const a = new CicWriter('A', 8192);
      const b = new CicWriter('B', 8192);
      const wantA: string[] = [];
      const wantB: string[] = [];
      let i = 0;
      await processCapture(corpusPath('lab', 'lab-basic.pcap'), {
        onFlow: (f) => {
          const w = i++ % 3 === 0 ? a : b;
          w.row(f.table, f.slot);
          (w === a ? wantA : wantB).push(`${cicRow(f.table, f.slot, w === a ? 'A' : 'B')}\n`);
        },
      });
      expect(i).toBeGreaterThan(100);
      expect(a.take().toString('latin1')).toBe(wantA.join(''));
      expect(b.take().toString('latin1')).toBe(wantB.join(''));
    },
  );
});
