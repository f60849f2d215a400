/**
 * The Kitsune detector: AfterImage features of every packet into KitNET, with the alert
 * threshold calibrated on the training traffic itself.
 *
 * Threshold rule: during the second half of the autoencoders' training period each packet is
 * scored before it is learned (what the model would have said of benign traffic it had not
 * yet seen); when training ends the threshold is the `thresholdQuantile` quantile of those
 * scores (default 0.9) times `thresholdFactor` (default 3). A quantile rather than the
 * maximum because a benign event seen for the first time in training (a host idle for a
 * while, a first large transfer) scores high before it is learned, and is learned after;
 * the factor leaves room for benign traffic the training did not show. The defaults come
 * from three lab runs (docs/anomaly.md). A fixed `threshold` overrides the rule.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { Packet } from '../../packet/packet.js';
import { AfterImage, type AfterImageOptions, FEATURE_COUNT, FEATURE_NAMES } from './after-image.js';
import { KitNet, type KitNetPhase } from './kitnet.js';

export interface KitsuneOptions extends AfterImageOptions {
  /** Training packets in all, feature mapping included (default 55,000: 5,000 + 50,000 as in the paper). */
  grace?: number;
  /** Of those, packets that teach the feature mapper (default grace / 11). */
  mappingGrace?: number;
  /** Largest autoencoder of the ensemble, in features (default 10). */
  maxGroup?: number;
  /** Default 0.75. */
  hiddenRatio?: number;
  /** Default 0.1. */
  learningRate?: number;
  /** Seed of the autoencoders' initial weights (default 1). */
  seed?: number;
  /** Quantile of the calibration scores the threshold starts from (0..1, default 0.9). */
  thresholdQuantile?: number;
  /** Multiplier of that quantile (default 3). */
  thresholdFactor?: number;
  /** A fixed threshold instead of the calibrated one. */
  threshold?: number;
}

/** A feature that the autoencoders reconstructed worst for the last scored packet. */
export interface FeatureContribution {
  /** Kitsune feature name, e.g. `HpHp_L0.1_weight`. */
  name: string;
  /** The feature's value. */
  value: number;
  /** Squared reconstruction error of the feature, in its training-range scale. */
  error: number;
}

export const DEFAULT_GRACE = 55000;
export const DEFAULT_THRESHOLD_FACTOR = 3;
export const DEFAULT_THRESHOLD_QUANTILE = 0.9;
/** Fewest training packets accepted (the mapper needs a few samples, the autoencoders more). */
export const MIN_GRACE = 20;
/** Calibration scores kept (the latest ones). */
const MAX_CALIBRATION = 1 << 18;

export class KitsuneDetector {
  /** The features of the last packet processed (reused). */
  readonly features = new Float64Array(FEATURE_COUNT);
  readonly afterImage: AfterImage;
  readonly net: KitNet;
  readonly thresholdQuantile: number;
  readonly thresholdFactor: number;
  /** Alert threshold: NaN until training ends (or a fixed one). */
  threshold: number;
  /** Packets processed since construction or {@link reset}. */
  packets = 0;
  private calib: Float64Array;
  private calibCount = 0;
  private readonly calibFrom: number;
  private readonly fixedThreshold: boolean;

  constructor(opts: KitsuneOptions = {}) {
    const grace = opts.grace ?? DEFAULT_GRACE;
    if (!(grace >= MIN_GRACE) || !Number.isFinite(grace)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `the grace period must be a number of packets >= ${MIN_GRACE}, got ${grace}`,
      );
    }
    const mapping = Math.min(grace, opts.mappingGrace ?? Math.ceil(grace / 11));
    const training = grace - mapping;
    this.afterImage = new AfterImage(opts);
    this.net = new KitNet(FEATURE_COUNT, {
      mappingGrace: mapping,
      trainingGrace: training,
      maxGroup: opts.maxGroup,
      hiddenRatio: opts.hiddenRatio,
      learningRate: opts.learningRate,
      seed: opts.seed,
    });
    this.thresholdQuantile = opts.thresholdQuantile ?? DEFAULT_THRESHOLD_QUANTILE;
    this.thresholdFactor = opts.thresholdFactor ?? DEFAULT_THRESHOLD_FACTOR;
    this.fixedThreshold = opts.threshold !== undefined;
    this.threshold = opts.threshold ?? Number.NaN;
    this.calibFrom = mapping + Math.floor(training / 2);
    this.calib = new Float64Array(
      Math.min(MAX_CALIBRATION, Math.max(0, mapping + training - this.calibFrom)),
    );
  }

  get phase(): KitNetPhase {
    return this.net.phase;
  }

  /** Scores calibrated on so far (or saved with the model). */
  get calibrationCount(): number {
    return Math.min(this.calibCount, this.calib.length);
  }

  /**
   * Processes one decoded packet: its score once training is over, else NaN (NaN as well
   * for a frame without addresses). Packets must come in time order.
   */
  process(pkt: Packet): number {
    if (!this.afterImage.update(pkt, this.features)) return Number.NaN;
    this.packets++;
    const net = this.net;
    if (net.phase === 'detecting') return net.execute(this.features);
    if (net.seen >= this.calibFrom && net.output !== null && this.calib.length > 0) {
      // a ring: the latest scores when training is longer than the buffer
      this.calib[this.calibCount++ % this.calib.length] = net.execute(this.features);
    }
    net.train(this.features);
    if ((net.phase as KitNetPhase) === 'detecting') this.finishTraining();
    return Number.NaN;
  }

  /** Scores a feature vector without learning from it (after training). */
  scoreFeatures(x: Float64Array): number {
    return this.net.execute(x);
  }

  /** Forgets the traffic statistics (not the model): the next packet starts a new capture. */
  reset(): void {
    this.afterImage.reset();
  }

  /**
   * The `k` features reconstructed worst for the last scored packet (call right after
   * {@link process}); allocates, so call it for alerts only.
   */
  explain(k = 5): FeatureContribution[] {
    const out: FeatureContribution[] = [];
    const net = this.net;
    for (let a = 0; a < net.ensemble.length; a++) {
      const ae = net.ensemble[a];
      const g = net.groups[a];
      ae.execute(this.features, g);
      for (let i = 0; i < g.length; i++) {
        const e = ae.x[i] - ae.z[i];
        out.push({ name: FEATURE_NAMES[g[i]], value: this.features[g[i]], error: e * e });
      }
    }
    out.sort((p, q) => q.error - p.error);
    return out.slice(0, k);
  }

  /** Training scores kept for calibration (a copy). */
  calibrationScores(): Float64Array {
    return this.calib.slice(0, this.calibrationCount);
  }

  /** Restores calibration data and threshold from a saved model. */
  restoreCalibration(scores: Float64Array, threshold: number): void {
    this.calib = scores;
    this.calibCount = scores.length;
    this.threshold = threshold;
  }

  private finishTraining(): void {
    if (this.fixedThreshold) return;
    const s = this.calibrationScores().sort();
    if (s.length === 0) {
      this.threshold = Number.POSITIVE_INFINITY;
      return;
    }
    const q = Math.min(1, Math.max(0, this.thresholdQuantile));
    this.threshold = s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] * this.thresholdFactor;
  }
}
