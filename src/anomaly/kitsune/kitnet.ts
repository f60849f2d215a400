/**
 * KitNET (Mirsky et al., section IV-C/D): an ensemble of small autoencoders, one per group of
 * correlated features, whose RMSEs feed an output autoencoder; the output's RMSE is the
 * anomaly score. Three phases in packet order, as in the paper: the feature mapper learns
 * the groups during the first `mappingGrace` samples, the autoencoders train during the next
 * `trainingGrace`, and every later sample is only scored.
 */
import { Autoencoder } from './autoencoder.js';
import { CorrelationClustering } from './cluster.js';
import { KitNetKernel } from './kernel.js';
import { mulberry32 } from './prng.js';

export interface KitNetOptions {
  /** Samples that teach the feature mapper. */
  mappingGrace: number;
  /** Samples that train the autoencoders after it. */
  trainingGrace: number;
  /** Largest feature group, i.e. visible units of one ensemble autoencoder (default 10). */
  maxGroup?: number;
  /** Hidden units per visible unit (default 0.75). */
  hiddenRatio?: number;
  /** Default 0.1. */
  learningRate?: number;
  /** Seed of the weight initialisation (default 1). */
  seed?: number;
}

export type KitNetPhase = 'mapping' | 'training' | 'detecting';

export class KitNet {
  readonly features: number;
  readonly mappingGrace: number;
  readonly trainingGrace: number;
  readonly maxGroup: number;
  readonly hiddenRatio: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Samples seen so far. */
  seen = 0;
  groups: Int32Array[] = [];
  ensemble: Autoencoder[] = [];
  output: Autoencoder | null = null;
  private mapper: CorrelationClustering | null;
  private layer = new Float64Array(0);
  /** The frozen scoring pass, once training is over (null while the autoencoders learn). */
  private kernel: KitNetKernel | null = null;

  constructor(features: number, opts: KitNetOptions) {
    this.features = features;
    this.mappingGrace = opts.mappingGrace;
    this.trainingGrace = opts.trainingGrace;
    this.maxGroup = opts.maxGroup ?? 10;
    this.hiddenRatio = opts.hiddenRatio ?? 0.75;
    this.learningRate = opts.learningRate ?? 0.1;
    this.seed = opts.seed ?? 1;
    this.mapper = new CorrelationClustering(features);
    if (this.mappingGrace <= 0) this.build(this.defaultGroups());
  }

  get phase(): KitNetPhase {
    if (this.output === null) return 'mapping';
    return this.seen < this.mappingGrace + this.trainingGrace ? 'training' : 'detecting';
  }

  /** Learns from `x` during the grace periods; returns the RMSE of the training step (0 while mapping). */
  train(x: Float64Array): number {
    this.seen++;
    this.kernel = null;
    if (this.output === null) {
      this.mapper?.update(x);
      if (this.seen >= this.mappingGrace)
        this.build((this.mapper as CorrelationClustering).cluster(this.maxGroup));
      return 0;
    }
    const S = this.layer;
    for (let a = 0; a < this.ensemble.length; a++) S[a] = this.ensemble[a].train(x, this.groups[a]);
    const err = this.output.train(S, null);
    if (this.seen >= this.mappingGrace + this.trainingGrace) this.freeze();
    return err;
  }

  /**
   * The anomaly score of `x` (the model is not changed). Only after mapping. Once training
   * is over the frozen kernel computes it (bit-identical, faster).
   */
  execute(x: Float64Array): number {
    if (this.kernel !== null) return this.kernel.execute(x);
    return this.executeEach(x);
  }

  /** {@link execute} autoencoder by autoencoder, the reference the kernel must match. */
  executeEach(x: Float64Array): number {
    const S = this.layer;
    for (let a = 0; a < this.ensemble.length; a++) S[a] = this.ensemble[a].execute(x, this.groups[a]);
    return (this.output as Autoencoder).execute(S, null);
  }

  /** Replaces the model with saved parts (see model-file.ts). */
  restore(groups: Int32Array[], ensemble: Autoencoder[], output: Autoencoder, seen: number): void {
    this.groups = groups;
    this.ensemble = ensemble;
    this.output = output;
    this.layer = new Float64Array(ensemble.length);
    this.seen = seen;
    this.mapper = null;
    this.freeze();
  }

  private freeze(): void {
    this.kernel = KitNetKernel.from(this.groups, this.ensemble, this.output as Autoencoder);
  }

  private defaultGroups(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.features; i += this.maxGroup) {
      const g: number[] = [];
      for (let j = i; j < Math.min(this.features, i + this.maxGroup); j++) g.push(j);
      out.push(g);
    }
    return out;
  }

  private build(groups: number[][]): void {
    const rand = mulberry32(this.seed);
    this.groups = groups.map((g) => Int32Array.from(g));
    this.ensemble = groups.map((g) =>
      Autoencoder.create(g.length, this.hiddenRatio, this.learningRate, rand),
    );
    this.output = Autoencoder.create(groups.length, this.hiddenRatio, this.learningRate, rand);
    this.layer = new Float64Array(groups.length);
    this.mapper = null;
    if (this.seen >= this.mappingGrace + this.trainingGrace) this.freeze();
  }
}
