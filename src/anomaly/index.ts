/**
 * AI detection over network traffic: Kitsune's online anomaly detector (no labelled data) and
 * supervised flow classifiers in ONNX, both as IDS engine observers. docs/anomaly.md.
 */
export {
  AfterImage,
  type AfterImageOptions,
  FEATURE_COUNT,
  FEATURE_NAMES,
  LAMBDAS,
} from './kitsune/after-image.js';
export {
  DEFAULT_GRACE,
  DEFAULT_THRESHOLD_FACTOR,
  DEFAULT_THRESHOLD_QUANTILE,
  type FeatureContribution,
  KitsuneDetector,
  type KitsuneOptions,
} from './kitsune/detector.js';
export { KitNet, type KitNetPhase } from './kitsune/kitnet.js';
export {
  type KitsuneModelJson,
  kitsuneFromJson,
  kitsuneModelJson,
  loadKitsuneModel,
  MODEL_FORMAT,
  MODEL_VERSION,
  saveKitsuneModel,
} from './kitsune/model-file.js';
export {
  ANOMALY_SID,
  type AnomalyEveField,
  type AnomalyObserver,
  type AnomalyObserverOptions,
  createAnomalyObserver,
} from './observer.js';
export {
  CLASSIFIER_SID,
  createOnnxClassifierObserver,
  type OnnxClassifierObserver,
  type OnnxClassifierOptions,
} from './onnx/classifier.js';
export { cicColumnIndex, loadScaler, parseScaler, type ScalerSpec } from './onnx/columns.js';
export { readOnnxMetadata } from './onnx/onnx-metadata.js';
export {
  encodeOnnxModel,
  type OnnxAttribute,
  type OnnxInitializer,
  type OnnxModelSpec,
  type OnnxNode,
  OnnxType,
  type OnnxValueInfo,
} from './onnx/onnx-writer.js';
export { type RunObserversOptions, type RunSummary, runObservers } from './run-observers.js';
export { type ScoreOptions, type ScoreSummary, scoreCapture } from './score-capture.js';
