import { describe, expect, it } from 'vitest';
import { AfterImage, FEATURE_NAMES, LAMBDAS } from '../../src/anomaly/kitsune/after-image.js';
import { Decoder } from '../../src/packet/decoder.js';
import { readCapture } from '../../src/packet/file/reader.js';
import { corpusPath } from '../helpers/corpus.js';

// The damped statistics checked against their closed form: a stream's weight at time t is
// Σ 2^(-λ(t - t_i)) over its packets, its mean Σ 2^(-λ(t - t_i)) x_i / weight, and so on,
// recomputed from the packet list at every packet (quadratic, so a few hundred packets).
interface Obs {
  t: number;
  v: number;
}

function closedForm(list: Obs[], t: number, lambda: number): [number, number, number] {
  let w = 0;
  let s1 = 0;
  let s2 = 0;
  for (const o of list) {
    const k = 2 ** (-lambda * (t - o.t));
    w += k;
    s1 += k * o.v;
    s2 += k * o.v * o.v;
  }
  const mean = s1 / w;
  return [w, mean, Math.abs(s2 / w - mean * mean)];
}

/** Equal to 1e-7 of the larger of |b| and `scale` (variances cancel: E[x²] - mean², so their error scales with mean²). */
function close(a: number, b: number, scale = 1): boolean {
  return Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b), scale);
}

describe('AfterImage damped statistics', () => {
  it('match their closed form for the MI, HH and HH-jitter streams of a real capture', async () => {
    const file = corpusPath('lab', 'lab-basic.pcap');
    const ai = new AfterImage();
    const dec = new Decoder();
    const out = new Float64Array(100);
    const mi = new Map<string, Obs[]>();
    const hh = new Map<string, Obs[]>();
    const jit = new Map<string, Obs[]>();
    const lastOfDir = new Map<string, number>();
    let base = Number.NaN;
    let checked = 0;
    let mismatches = 0;
    await readCapture(file, (rec) => {
      if (checked >= 400) return;
      const p = dec.decode(rec);
      if (p.ipVersion === 0) return;
      if (Number.isNaN(base)) base = p.tsSec;
      const t = p.tsSec - base + p.tsNsec * 1e-9;
      const v = p.origLen;
      if (!ai.update(p, out)) return;
      const src = p.srcAddr();
      const dst = p.dstAddr();
      const kMi = `${p.srcMac()}|${src}`;
      const kHh = `${src}>${dst}`;
      const miList = mi.get(kMi) ?? [];
      miList.push({ t, v });
      mi.set(kMi, miList);
      const hhList = hh.get(kHh) ?? [];
      hhList.push({ t, v });
      hh.set(kHh, hhList);
      const prev = lastOfDir.get(kHh);
      const gap = prev === undefined ? 0 : t - prev;
      lastOfDir.set(kHh, t);
      const jList = jit.get(kHh) ?? [];
      jList.push({ t, v: gap });
      jit.set(kHh, jList);
      LAMBDAS.forEach((l, i) => {
        const [w, m, vr] = closedForm(miList, t, l);
        const [hw, hm, hv] = closedForm(hhList, t, l);
        const [jw, jm, jv] = closedForm(jList, t, l);
        // HH carries the std: compared squared, as a variance
        const hs = out[17 + 7 * i];
        const got = [out[3 * i], out[3 * i + 1], out[3 * i + 2], out[15 + 7 * i], out[16 + 7 * i], hs * hs];
        const want = [w, m, vr, hw, hm, hv];
        const scale = [1, 1, m * m, 1, 1, hm * hm];
        const gotJ = [out[50 + 3 * i], out[51 + 3 * i], out[52 + 3 * i]];
        const wantJ = [jw, jm, jv];
        for (let k = 0; k < got.length; k++) if (!close(got[k], want[k], scale[k])) mismatches++;
        for (let k = 0; k < 3; k++) if (!close(gotJ[k], wantJ[k], k === 2 ? jm * jm : 1)) mismatches++;
      });
      checked++;
    });
    expect(checked).toBe(400);
    expect(mismatches).toBe(0);
    expect(FEATURE_NAMES[15]).toBe('HH_L5_weight');
    expect(FEATURE_NAMES[52]).toBe('HH_jit_L5_variance');
  });
});
