/**
 * One of KitNET's small autoencoders (the authors' `dA`): tied weights, sigmoid hidden and
 * output layers, inputs scaled by the min and max seen in training, trained online by one
 * gradient step per sample; the score of a sample is the RMSE of its reconstruction
 * (inputs clipped, see {@link CLIP}).
 * Everything is a typed array; `train` and `execute` allocate nothing.
 */

export interface AutoencoderState {
  visible: number;
  hidden: number;
  learningRate: number;
  /** visible × hidden, row-major. */
  weights: Float64Array;
  hiddenBias: Float64Array;
  visibleBias: Float64Array;
  normMin: Float64Array;
  normMax: Float64Array;
}

// The logistic function by linear interpolation in a table over [-SPAN, SPAN]: Math.exp
// for every unit was most of the time per packet. Error below 3e-7, deterministic (the
// same table everywhere), and training uses the same function as scoring.
/**
 * Scaled inputs are clipped to [-CLIP, 1 + CLIP] (a departure from the authors' code): a
 * feature far outside its training range then counts as "far", not in proportion to how far,
 * so one runaway statistic (a long idle gap's jitter variance) cannot outscore a packet on
 * which many statistics are off (a flood). On the lab captures this raised the ROC AUC from
 * 0.972 to 0.994 and the TPR at 1% FPR from 0 to 0.88 (bench/RESULTS.md).
 */
export const CLIP = 3;
const SPAN = 16;
const STEPS = 8192;
const STEP = (2 * SPAN) / STEPS;
const INV_STEP = 1 / STEP;
const TABLE = new Float64Array(STEPS + 2);
for (let i = 0; i <= STEPS + 1; i++) TABLE[i] = 1 / (1 + Math.exp(-(-SPAN + i * STEP)));
/** The logistic function at -SPAN + i·STEP (i = 0 … STEPS + 1), for the kernel (kernel.ts). */
export const SIGMOID_TABLE: Float64Array = TABLE;
export const SIGMOID_SPAN = SPAN;
const LOW = TABLE[0];
const HIGH = TABLE[STEPS];

/** The logistic function 1 / (1 + e^-x), tabulated. */
export function sigmoid(x: number): number {
  if (!(x > -SPAN)) return Number.isNaN(x) ? x : LOW;
  if (x >= SPAN) return HIGH;
  const f = (x + SPAN) * INV_STEP;
  const i = f | 0;
  const a = TABLE[i];
  return a + (TABLE[i + 1] - a) * (f - i);
}

export class Autoencoder {
  readonly visible: number;
  readonly hidden: number;
  readonly learningRate: number;
  readonly weights: Float64Array;
  readonly hiddenBias: Float64Array;
  readonly visibleBias: Float64Array;
  readonly normMin: Float64Array;
  readonly normMax: Float64Array;
  /** The last sample scaled to [0, 1] (training range) and its reconstruction. */
  readonly x: Float64Array;
  readonly z: Float64Array;
  private readonly y: Float64Array;
  private readonly dh: Float64Array;
  /** 1 / (max - min + 1e-16) per input: a product per input instead of a division. */
  private readonly inv: Float64Array;
  /** The weights transposed (hidden × visible), so the encoder sums in a register. */
  private readonly wt: Float64Array;

  constructor(state: AutoencoderState) {
    this.visible = state.visible;
    this.hidden = state.hidden;
    this.learningRate = state.learningRate;
    this.weights = state.weights;
    this.hiddenBias = state.hiddenBias;
    this.visibleBias = state.visibleBias;
    this.normMin = state.normMin;
    this.normMax = state.normMax;
    this.x = new Float64Array(this.visible);
    this.z = new Float64Array(this.visible);
    this.y = new Float64Array(this.hidden);
    this.dh = new Float64Array(this.hidden);
    this.inv = new Float64Array(this.visible);
    for (let i = 0; i < this.visible; i++) this.inv[i] = 1 / (this.normMax[i] - this.normMin[i] + 1e-16);
    this.wt = new Float64Array(this.visible * this.hidden);
    for (let i = 0; i < this.visible; i++) {
      for (let j = 0; j < this.hidden; j++) this.wt[j * this.visible + i] = this.weights[i * this.hidden + j];
    }
  }

  /** A new autoencoder: weights uniform in ±1/visible from `rand`, biases 0. */
  static create(visible: number, hiddenRatio: number, learningRate: number, rand: () => number): Autoencoder {
    const hidden = Math.max(1, Math.ceil(visible * hiddenRatio));
    const a = 1 / visible;
    const weights = new Float64Array(visible * hidden);
    for (let i = 0; i < weights.length; i++) weights[i] = -a + 2 * a * rand();
    return new Autoencoder({
      visible,
      hidden,
      learningRate,
      weights,
      hiddenBias: new Float64Array(hidden),
      visibleBias: new Float64Array(visible),
      normMin: new Float64Array(visible).fill(Number.POSITIVE_INFINITY),
      normMax: new Float64Array(visible).fill(Number.NEGATIVE_INFINITY),
    });
  }

  /** One training step on `src[map[i]]` (or `src[i]` without a map); returns the RMSE before the step. */
  train(src: Float64Array, map: Int32Array | null): number {
    const n = this.visible;
    const lo = this.normMin;
    const hi = this.normMax;
    const inv = this.inv;
    for (let i = 0; i < n; i++) {
      const v = src[map === null ? i : map[i]];
      let moved = false;
      if (v < lo[i]) {
        lo[i] = v;
        moved = true;
      }
      if (v > hi[i]) {
        hi[i] = v;
        moved = true;
      }
      if (moved) inv[i] = 1 / (hi[i] - lo[i] + 1e-16);
    }
    this.load(src, map);
    const err = this.forward();
    const { x, y, z, dh, weights: W, hidden: h, learningRate: lr } = this;
    // dh = (W^T (x - z)) ∘ y(1 - y), with x - z reused as the visible-bias gradient
    for (let j = 0; j < h; j++) dh[j] = 0;
    for (let i = 0; i < n; i++) {
      const e = x[i] - z[i];
      z[i] = e;
      const r = i * h;
      for (let j = 0; j < h; j++) dh[j] += e * W[r + j];
    }
    for (let j = 0; j < h; j++) dh[j] *= y[j] * (1 - y[j]);
    for (let i = 0; i < n; i++) {
      const r = i * h;
      const xi = x[i];
      const ei = z[i];
      const wt = this.wt;
      for (let j = 0; j < h; j++) {
        const w = W[r + j] + lr * (xi * dh[j] + ei * y[j]);
        W[r + j] = w;
        wt[j * n + i] = w;
      }
      this.visibleBias[i] += lr * ei;
    }
    for (let j = 0; j < h; j++) this.hiddenBias[j] += lr * dh[j];
    return err;
  }

  /** The RMSE of the reconstruction of `src[map[i]]`, leaving the model unchanged. */
  execute(src: Float64Array, map: Int32Array | null): number {
    this.load(src, map);
    return this.forward();
  }

  /** Gathers and scales the inputs into `x`. */
  private load(src: Float64Array, map: Int32Array | null): void {
    const { x, visible: n, normMin: lo, inv } = this;
    const top = 1 + CLIP;
    const bottom = -CLIP;
    if (map === null) {
      for (let i = 0; i < n; i++) {
        const v = (src[i] - lo[i]) * inv[i];
        x[i] = v > top ? top : v < bottom ? bottom : v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = (src[map[i]] - lo[i]) * inv[i];
        x[i] = v > top ? top : v < bottom ? bottom : v;
      }
    }
  }

  /** Reconstructs `x` into `z` and returns the RMSE. */
  private forward(): number {
    const { x, y, z, weights: W, visible: n, hidden: h } = this;
    const hb = this.hiddenBias;
    const wt = this.wt;
    for (let j = 0; j < h; j++) {
      let a = hb[j];
      const r = j * n;
      for (let i = 0; i < n; i++) a += x[i] * wt[r + i];
      y[j] = sigmoid(a);
    }
    const vb = this.visibleBias;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = i * h;
      let a = vb[i];
      for (let j = 0; j < h; j++) a += y[j] * W[r + j];
      const zi = sigmoid(a);
      z[i] = zi;
      const e = x[i] - zi;
      sum += e * e;
    }
    return Math.sqrt(sum / n);
  }
}
