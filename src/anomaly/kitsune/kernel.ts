/**
 * KitNET's scoring pass, frozen into one contiguous Float64Array once training is over.
 *
 * The per-autoencoder path ({@link Autoencoder.execute}) sums each unit in one chain
 * `a += x[i] * w[i]`: every addition waits for the previous one (floating-point add latency),
 * and with 10 inputs and 8 hidden units the loops are too short for anything else to hide
 * it. Here four units are summed side by side (four independent chains, each in the same
 * order as before, so the scores are bit-identical to the per-autoencoder path), all
 * parameters of the ensemble sit in one array read front to back, and there is one call per
 * autoencoder instead of three. Copies are taken at {@link KitNetKernel.from}: the kernel
 * must be rebuilt if the autoencoders learn again (KitNet does this).
 *
 * Layout per autoencoder, at `meta[4a + 2]`: normMin (n), 1 / (max − min + 1e-16) (n), hidden
 * bias (h), encoder weights hidden-major (h × n), visible bias (n), decoder weights
 * visible-major (n × h); `meta[4a] = n`, `meta[4a + 1] = h`, `meta[4a + 3]` = the offset of
 * the autoencoder's feature indices in `map`.
 */
import { type Autoencoder, CLIP, SIGMOID_SPAN, SIGMOID_TABLE } from './autoencoder.js';

// Module-level copies of the imported values: when tsx loads these files as CommonJS, reading
// an imported binding is a getter call, and calling the imported `sigmoid` made this pass
// twice as slow (measured; native ES modules are not affected).
const TABLE: Float64Array = SIGMOID_TABLE;
const SPAN: number = SIGMOID_SPAN;
const LOW = TABLE[0];
const HIGH = TABLE[TABLE.length - 2];
const INV_STEP = (TABLE.length - 2) / (2 * SPAN);

/** Autoencoder's `sigmoid`, the same arithmetic on the same table. */
function sigmoid(x: number): number {
  if (!(x > -SPAN)) return Number.isNaN(x) ? x : LOW;
  if (x >= SPAN) return HIGH;
  const f = (x + SPAN) * INV_STEP;
  const i = f | 0;
  const a = TABLE[i];
  return a + (TABLE[i + 1] - a) * (f - i);
}

const TOP = 1 + CLIP;
const BOTTOM = -CLIP;

export class KitNetKernel {
  private readonly params: Float64Array;
  private readonly meta: Int32Array;
  private readonly map: Int32Array;
  /** Scaled inputs and hidden activations of the autoencoder being run. */
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly z: Float64Array;
  /** The ensemble's RMSEs (the output autoencoder's input), then the output's. */
  private readonly layer: Float64Array;
  private readonly count: number;

  private constructor(params: Float64Array, meta: Int32Array, map: Int32Array, width: number, count: number) {
    this.params = params;
    this.meta = meta;
    this.map = map;
    this.x = new Float64Array(width);
    this.y = new Float64Array(width);
    this.z = new Float64Array(width);
    this.layer = new Float64Array(count + 1);
    this.count = count;
  }

  /** A kernel of the trained `ensemble` (inputs `groups`) and `output` autoencoders. */
  static from(
    groups: readonly Int32Array[],
    ensemble: readonly Autoencoder[],
    output: Autoencoder,
  ): KitNetKernel {
    const all = [...ensemble, output];
    let size = 0;
    let mapSize = 0;
    let width = 1;
    for (const ae of all) {
      size += 3 * ae.visible + ae.hidden + 2 * ae.visible * ae.hidden;
      width = Math.max(width, ae.visible, ae.hidden);
    }
    for (const g of groups) mapSize += g.length;
    const P = new Float64Array(size);
    const meta = new Int32Array(4 * all.length);
    const map = new Int32Array(mapSize);
    let p = 0;
    let m = 0;
    for (let a = 0; a < all.length; a++) {
      const ae = all[a];
      const n = ae.visible;
      const h = ae.hidden;
      meta[4 * a] = n;
      meta[4 * a + 1] = h;
      meta[4 * a + 2] = p;
      meta[4 * a + 3] = m;
      if (a < ensemble.length) {
        map.set(groups[a], m);
        m += n;
      }
      // the same expressions as Autoencoder's, so the scaled inputs are the same numbers
      for (let i = 0; i < n; i++) P[p++] = ae.normMin[i];
      for (let i = 0; i < n; i++) P[p++] = 1 / (ae.normMax[i] - ae.normMin[i] + 1e-16);
      for (let j = 0; j < h; j++) P[p++] = ae.hiddenBias[j];
      for (let j = 0; j < h; j++) for (let i = 0; i < n; i++) P[p++] = ae.weights[i * h + j];
      for (let i = 0; i < n; i++) P[p++] = ae.visibleBias[i];
      for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) P[p++] = ae.weights[i * h + j];
    }
    return new KitNetKernel(P, meta, map, width, ensemble.length);
  }

  /** The anomaly score of the feature vector `x`, as {@link KitNet.execute} computes it. */
  execute(x: Float64Array): number {
    const S = this.layer;
    const c = this.count;
    // results go through `layer`, not return values: a returned double is boxed
    for (let a = 0; a < c; a++) this.run(a, x, true);
    this.run(c, S, false);
    return S[c];
  }

  /** Writes into `layer[a]` the RMSE of autoencoder `a`'s reconstruction of its inputs from `src`. */
  private run(a: number, src: Float64Array, mapped: boolean): void {
    const P = this.params;
    const meta = this.meta;
    const X = this.x;
    const Y = this.y;
    const Z = this.z;
    const n = meta[4 * a];
    const h = meta[4 * a + 1];
    const lo = meta[4 * a + 2];
    const inv = lo + n;
    if (mapped) {
      const map = this.map;
      const m = meta[4 * a + 3];
      for (let i = 0; i < n; i++) {
        const v = (src[map[m + i]] - P[lo + i]) * P[inv + i];
        X[i] = v > TOP ? TOP : v < BOTTOM ? BOTTOM : v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = (src[i] - P[lo + i]) * P[inv + i];
        X[i] = v > TOP ? TOP : v < BOTTOM ? BOTTOM : v;
      }
    }
    // encoder: y = sigmoid(hb + Wᵀx), four hidden units at a time
    const hb = inv + n;
    const we = hb + h;
    let j = 0;
    for (; j + 4 <= h; j += 4) {
      let a0 = P[hb + j];
      let a1 = P[hb + j + 1];
      let a2 = P[hb + j + 2];
      let a3 = P[hb + j + 3];
      const r0 = we + j * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      for (let i = 0; i < n; i++) {
        const xi = X[i];
        a0 += xi * P[r0 + i];
        a1 += xi * P[r1 + i];
        a2 += xi * P[r2 + i];
        a3 += xi * P[r3 + i];
      }
      Y[j] = a0;
      Y[j + 1] = a1;
      Y[j + 2] = a2;
      Y[j + 3] = a3;
    }
    for (; j < h; j++) {
      let acc = P[hb + j];
      const r = we + j * n;
      for (let i = 0; i < n; i++) acc += X[i] * P[r + i];
      Y[j] = acc;
    }
    for (j = 0; j < h; j++) Y[j] = sigmoid(Y[j]);
    // decoder: z = sigmoid(vb + Wy), four visible units at a time
    const vb = we + h * n;
    const wd = vb + n;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      let a0 = P[vb + i];
      let a1 = P[vb + i + 1];
      let a2 = P[vb + i + 2];
      let a3 = P[vb + i + 3];
      const r0 = wd + i * h;
      const r1 = r0 + h;
      const r2 = r1 + h;
      const r3 = r2 + h;
      for (let k = 0; k < h; k++) {
        const yk = Y[k];
        a0 += yk * P[r0 + k];
        a1 += yk * P[r1 + k];
        a2 += yk * P[r2 + k];
        a3 += yk * P[r3 + k];
      }
      Z[i] = a0;
      Z[i + 1] = a1;
      Z[i + 2] = a2;
      Z[i + 3] = a3;
    }
    for (; i < n; i++) {
      let acc = P[vb + i];
      const r = wd + i * h;
      for (let k = 0; k < h; k++) acc += Y[k] * P[r + k];
      Z[i] = acc;
    }
    // one call site each for the logistic function, so that it is inlined (a call boxes its result)
    let sum = 0;
    for (i = 0; i < n; i++) {
      const e = X[i] - sigmoid(Z[i]);
      sum += e * e;
    }
    this.layer[a] = Math.sqrt(sum / n);
  }
}
