import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxClassifierObserver } from '../../src/anomaly/onnx/classifier.js';
import { readOnnxMetadata } from '../../src/anomaly/onnx/onnx-metadata.js';
import { encodeOnnxModel } from '../../src/anomaly/onnx/onnx-writer.js';
import { runObservers } from '../../src/anomaly/run-observers.js';
import { ErrorCodes } from '../../src/errors.js';
import { CIC_COLUMNS, cicValues } from '../../src/flow/cic.js';
import type { DetectorAlert, PacketObserver } from '../../src/ids/observer.js';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

// A logistic regression over three CIC columns, written by the project's ONNX writer: flows
// that carry no payload either way (SYN floods and scans) score high, flows with data low.
const COLUMNS = ['Tot Fwd Pkts', 'TotLen Fwd Pkts', 'TotLen Bwd Pkts'];
const MEAN = [4, 100, 1000];
const SCALE = [4, 100, 1000];
// logit(malicious) = B + W · scaled(x); two classes through Softmax over [0, logit]
const W = [0.3, -3, -2];
const B = -1.5;
const LAB_BASIC = corpusPath('lab', 'lab-basic.pcap');
let dir: string;

function logistic(v: number[]): number {
  let z = B;
  for (let i = 0; i < 3; i++) z += W[i] * ((v[i] - MEAN[i]) / SCALE[i]);
  return 1 / (1 + Math.exp(-z));
}

/** Softmax model with a 2-D input [N, 3]; column names in metadata. */
function softmaxModel(): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: 'float_input', shape: ['N', 3] }],
    outputs: [{ name: 'probabilities', shape: ['N', 2] }],
    initializers: [
      { name: 'W', dims: [3, 2], values: [0, W[0], 0, W[1], 0, W[2]] },
      { name: 'B', dims: [2], values: [0, B] },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['float_input', 'W', 'B'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 } },
    ],
    metadata: { feature_names: JSON.stringify(COLUMNS), classes: 'BENIGN,DoS' },
  });
}

/** Sigmoid model with one [N, 1] input per column, named in snake case, on raw values. */
function perColumnModel(): Uint8Array {
  const names = ['tot_fwd_pkts', 'totlen_fwd_pkts', 'totlen_bwd_pkts'];
  const w = W.map((x, i) => x / SCALE[i]);
  const b = B - W.reduce((a, x, i) => a + (x * MEAN[i]) / SCALE[i], 0);
  return encodeOnnxModel({
    inputs: names.map((name) => ({ name, shape: ['N', 1] })),
    outputs: [{ name: 'p', shape: ['N', 1] }],
    initializers: [
      { name: 'W', dims: [3, 1], values: w },
      { name: 'B', dims: [1], values: [b] },
    ],
    nodes: [
      { op: 'Concat', inputs: names, outputs: ['x'], attributes: { axis: 1 } },
      { op: 'Gemm', inputs: ['x', 'W', 'B'], outputs: ['z'] },
      { op: 'Sigmoid', inputs: ['z'], outputs: ['p'] },
    ],
  });
}

/** Expected probability of every flow of lab-basic, computed here from its CIC columns. */
async function expected(): Promise<Map<number, number>> {
  const idx = COLUMNS.map((c) => CIC_COLUMNS.indexOf(c as (typeof CIC_COLUMNS)[number]));
  const out = new Map<number, number>();
  const probe: PacketObserver = {
    name: 'probe',
    attach() {},
    onFlowEnd(f) {
      const v = cicValues(f.table, f.slot);
      out.set(out.size, logistic(idx.map((i) => Number(v[i]))));
    },
  };
  await runObservers(LAB_BASIC, [probe]);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sentra-onnx-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ONNX flow classifier', () => {
  it('writes metadata that reads back', () => {
    const meta = readOnnxMetadata(softmaxModel());
    expect(JSON.parse(meta.feature_names)).toEqual(COLUMNS);
    expect(meta.classes).toBe('BENIGN,DoS');
  });

  it('classifies every flow of a real capture as the model says, with a scaler file', async () => {
    const model = path.join(dir, 'softmax.onnx');
    writeFileSync(model, softmaxModel());
    const scaler = path.join(dir, 'scaler.json');
    writeFileSync(scaler, JSON.stringify({ columns: COLUMNS, mean: MEAN, scale: SCALE }));
    const obs = await createOnnxClassifierObserver({ model, scaler, batchSize: 100 });
    expect(obs.columns).toEqual(COLUMNS);
    expect(obs.classes).toEqual(['BENIGN', 'DoS']);
    const alerts: DetectorAlert[] = [];
    const run = await runObservers(LAB_BASIC, [obs], { onAlert: (_e, a) => alerts.push(a) });
    await obs.close();
    const want = await expected();
    expect(obs.classified).toBe(run.flows);
    expect(want.size).toBe(run.flows);
    const wantOver = [...want.values()].filter((p) => p >= 0.5);
    expect(alerts.length).toBe(wantOver.length);
    // the hping3 SYN flood alone is 3000 flows without payload
    expect(alerts.length).toBeGreaterThan(3000);
    const got = alerts
      .map((a) => (a.extra as { anomaly: { score: number } }).anomaly.score)
      .sort((x, y) => x - y);
    const exp = wantOver.sort((x, y) => x - y);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(exp[i], 5);
    const flood = alerts.filter((a) => a.src === '10.77.0.1' && a.dstPort === 80 && a.ipProto === 6);
    expect(flood.length).toBeGreaterThanOrEqual(3000);
    const a = alerts[0];
    expect(a.signature).toContain('DoS');
    expect(a.metadata?.ml_class).toEqual(['DoS']);
  });

  it('maps one input per column by name and reads a sigmoid output', async () => {
    const model = path.join(dir, 'percol.onnx');
    writeFileSync(model, perColumnModel());
    const obs = await createOnnxClassifierObserver({ model, minProbability: 0.5 });
    expect(obs.columns).toEqual(['tot_fwd_pkts', 'totlen_fwd_pkts', 'totlen_bwd_pkts']);
    let n = 0;
    await runObservers(LAB_BASIC, [obs], { onAlert: () => n++ });
    await obs.close();
    const want = [...(await expected()).values()].filter((p) => p >= 0.5).length;
    // float32 arithmetic in another order: a flow at the boundary may fall either side
    expect(Math.abs(n - want)).toBeLessThanOrEqual(2);
  });

  it('refuses a model whose features are not CIC columns, or have no names', async () => {
    const bad = path.join(dir, 'bad.onnx');
    writeFileSync(
      bad,
      encodeOnnxModel({
        inputs: [{ name: 'bogus_feature', shape: ['N', 1] }],
        outputs: [{ name: 'p', shape: ['N', 1] }],
        nodes: [{ op: 'Sigmoid', inputs: ['bogus_feature'], outputs: ['p'] }],
      }),
    );
    await expect(createOnnxClassifierObserver({ model: bad })).rejects.toMatchObject({
      code: ErrorCodes.ONNX_MODEL_INVALID,
    });
    const unnamed = path.join(dir, 'unnamed.onnx');
    writeFileSync(
      unnamed,
      encodeOnnxModel({
        inputs: [{ name: 'x', shape: ['N', 3] }],
        outputs: [{ name: 'p', shape: ['N', 3] }],
        nodes: [{ op: 'Sigmoid', inputs: ['x'], outputs: ['p'] }],
      }),
    );
    await expect(createOnnxClassifierObserver({ model: unnamed })).rejects.toMatchObject({
      code: ErrorCodes.ONNX_MODEL_INVALID,
    });
    writeFileSync(path.join(dir, 'junk.onnx'), 'not a model');
    await expect(createOnnxClassifierObserver({ model: path.join(dir, 'junk.onnx') })).rejects.toMatchObject({
      code: ErrorCodes.ONNX_MODEL_INVALID,
    });
  });

  it('sentra anomaly score --onnx writes the classifier alerts as EVE', async () => {
    const model = path.join(dir, 'cli.onnx');
    writeFileSync(model, softmaxModel());
    const scaler = path.join(dir, 'cli-scaler.json');
    writeFileSync(scaler, JSON.stringify({ columns: COLUMNS, mean: MEAN, scale: SCALE }));
    const r = await runCli([
      'anomaly',
      'score',
      LAB_BASIC,
      '--onnx',
      model,
      '--scaler',
      scaler,
      '--eve',
      '-',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const want = [...(await expected()).values()].filter((p) => p >= 0.5).length;
    expect(lines.length).toBe(want);
    expect(lines[0].alert.signature_id).toBe(9300101);
    expect(lines[0].anomaly.class).toBe('DoS');
    expect(lines[0].anomaly.features.map((f: { name: string }) => f.name).sort()).toEqual(
      [...COLUMNS].sort(),
    );
  });
});
