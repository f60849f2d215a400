/**
 * The saved Kitsune model: a versioned JSON document (docs/anomaly.md, "Model file"). Weights,
 * biases and normalisation bounds are stored as base64 of little-endian float64 arrays, so a
 * loaded model computes bit-identical scores. The traffic statistics (AfterImage) are not
 * saved: a loaded model starts a new capture with empty streams.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../errors.js';
import { FEATURE_COUNT, FEATURE_NAMES, LAMBDAS } from './after-image.js';
import { Autoencoder } from './autoencoder.js';
import { type KitsuneDetector as Detector, KitsuneDetector, type KitsuneOptions } from './detector.js';

export const MODEL_FORMAT = 'sentra-anomaly-kitsune';
export const MODEL_VERSION = 1;

interface AutoencoderJson {
  visible: number;
  hidden: number;
  learningRate: number;
  weights: string;
  hiddenBias: string;
  visibleBias: string;
  normMin: string;
  normMax: string;
}

/** The JSON document of a trained model. */
export interface KitsuneModelJson {
  format: typeof MODEL_FORMAT;
  version: number;
  created: string;
  lambdas: number[];
  featureNames: string[];
  mappingGrace: number;
  trainingGrace: number;
  maxGroup: number;
  hiddenRatio: number;
  learningRate: number;
  seed: number;
  threshold: number;
  thresholdRule: { quantile: number; factor: number };
  calibration: { count: number; max: number; mean: number };
  groups: number[][];
  ensemble: AutoencoderJson[];
  output: AutoencoderJson;
}

function b64(a: Float64Array): string {
  const le = new Float64Array(a);
  return Buffer.from(le.buffer, le.byteOffset, le.byteLength).toString('base64');
}

function unb64(s: unknown, len: number, what: string): Float64Array {
  if (typeof s !== 'string') throw invalid(`${what} is missing`);
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength !== len * 8) throw invalid(`${what} has ${buf.byteLength / 8} values, expected ${len}`);
  const out = new Float64Array(len);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function invalid(msg: string): SentraError {
  return new SentraError(ErrorCodes.ANOMALY_MODEL_INVALID, `invalid anomaly model: ${msg}`);
}

function aeJson(ae: Autoencoder): AutoencoderJson {
  return {
    visible: ae.visible,
    hidden: ae.hidden,
    learningRate: ae.learningRate,
    weights: b64(ae.weights),
    hiddenBias: b64(ae.hiddenBias),
    visibleBias: b64(ae.visibleBias),
    normMin: b64(ae.normMin),
    normMax: b64(ae.normMax),
  };
}

function aeFrom(j: AutoencoderJson, what: string): Autoencoder {
  if (!j || !Number.isInteger(j.visible) || !Number.isInteger(j.hidden) || j.visible < 1 || j.hidden < 1) {
    throw invalid(`${what} has no valid size`);
  }
  return new Autoencoder({
    visible: j.visible,
    hidden: j.hidden,
    learningRate: Number(j.learningRate),
    weights: unb64(j.weights, j.visible * j.hidden, `${what}.weights`),
    hiddenBias: unb64(j.hiddenBias, j.hidden, `${what}.hiddenBias`),
    visibleBias: unb64(j.visibleBias, j.visible, `${what}.visibleBias`),
    normMin: unb64(j.normMin, j.visible, `${what}.normMin`),
    normMax: unb64(j.normMax, j.visible, `${what}.normMax`),
  });
}

/** The model of a detector whose training is over. */
export function kitsuneModelJson(d: Detector): KitsuneModelJson {
  if (d.phase !== 'detecting' || d.net.output === null) {
    throw new SentraError(
      ErrorCodes.ANOMALY_NOT_TRAINED,
      `the anomaly detector is still ${d.phase} (${d.net.seen} of ${d.net.mappingGrace + d.net.trainingGrace} training packets): give it more packets or a smaller grace`,
    );
  }
  const cal = d.calibrationScores();
  let max = 0;
  let sum = 0;
  for (const v of cal) {
    if (v > max) max = v;
    sum += v;
  }
  const n = d.net;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    created: new Date().toISOString(),
    lambdas: [...LAMBDAS],
    featureNames: [...FEATURE_NAMES],
    mappingGrace: n.mappingGrace,
    trainingGrace: n.trainingGrace,
    maxGroup: n.maxGroup,
    hiddenRatio: n.hiddenRatio,
    learningRate: n.learningRate,
    seed: n.seed,
    threshold: d.threshold,
    thresholdRule: { quantile: d.thresholdQuantile, factor: d.thresholdFactor },
    calibration: { count: cal.length, max, mean: cal.length ? sum / cal.length : 0 },
    groups: n.groups.map((g) => Array.from(g)),
    ensemble: n.ensemble.map(aeJson),
    output: aeJson(n.output as Autoencoder),
  };
}

/** A detector in its detecting phase from a model document; `opts` may set table sizes or a threshold. */
export function kitsuneFromJson(j: KitsuneModelJson, opts: KitsuneOptions = {}): KitsuneDetector {
  if (!j || j.format !== MODEL_FORMAT) throw invalid(`not a ${MODEL_FORMAT} document`);
  if (j.version !== MODEL_VERSION) {
    throw invalid(`format version ${j.version}, this Sentra reads version ${MODEL_VERSION}`);
  }
  if (!Array.isArray(j.lambdas) || j.lambdas.join() !== LAMBDAS.join())
    throw invalid('different decay rates');
  if (!Array.isArray(j.groups) || !Array.isArray(j.ensemble) || j.groups.length !== j.ensemble.length) {
    throw invalid('groups and ensemble do not match');
  }
  const seen = new Set<number>();
  const groups = j.groups.map((g, a) => {
    if (!Array.isArray(g) || g.length !== j.ensemble[a]?.visible)
      throw invalid(`group ${a} does not match its autoencoder`);
    for (const f of g) {
      if (!Number.isInteger(f) || f < 0 || f >= FEATURE_COUNT || seen.has(f))
        throw invalid(`group ${a} has a bad feature ${f}`);
      seen.add(f);
    }
    return Int32Array.from(g);
  });
  const ensemble = j.ensemble.map((e, a) => aeFrom(e, `ensemble[${a}]`));
  const output = aeFrom(j.output, 'output');
  if (output.visible !== ensemble.length) throw invalid('output autoencoder does not match the ensemble');
  const threshold = opts.threshold ?? Number(j.threshold);
  const d = new KitsuneDetector({
    ...opts,
    grace: j.mappingGrace + j.trainingGrace,
    mappingGrace: j.mappingGrace,
    maxGroup: j.maxGroup,
    hiddenRatio: j.hiddenRatio,
    learningRate: j.learningRate,
    seed: j.seed,
    thresholdQuantile: j.thresholdRule?.quantile,
    thresholdFactor: j.thresholdRule?.factor,
  });
  d.net.restore(groups, ensemble, output, j.mappingGrace + j.trainingGrace);
  d.restoreCalibration(new Float64Array(0), threshold);
  return d;
}

/** Writes the model of a trained detector to `path`. */
export function saveKitsuneModel(path: string, d: Detector): KitsuneModelJson {
  const j = kitsuneModelJson(d);
  try {
    writeFileSync(path, `${JSON.stringify(j)}\n`);
  } catch (e) {
    throw new SentraError(
      ErrorCodes.IO,
      `cannot write the anomaly model to ${path}: ${(e as Error).message}`,
    );
  }
  return j;
}

/** Reads a model file written by {@link saveKitsuneModel}. */
export function loadKitsuneModel(path: string, opts: KitsuneOptions = {}): KitsuneDetector {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? ErrorCodes.NOT_FOUND : ErrorCodes.IO;
    throw new SentraError(code, `cannot read the anomaly model ${path}: ${(e as Error).message}`);
  }
  let j: KitsuneModelJson;
  try {
    j = JSON.parse(text) as KitsuneModelJson;
  } catch (e) {
    throw invalid(`${path} is not JSON (${(e as Error).message})`);
  }
  return kitsuneFromJson(j, opts);
}
