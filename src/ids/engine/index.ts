/** The signature IDS engine (docs/ids-engine.md). */
export { IdsEngine, innermostIp } from './engine.js';
export {
  type CaptureRunOptions,
  type CaptureRunResult,
  type LiveIdsResult,
  type LiveRunOptions,
  runIdsLive,
  runIdsOnCapture,
} from './run.js';
export {
  type AlertInfo,
  type EveSink,
  type EveTypes,
  type IdsEngineConfig,
  type IdsEngineOptions,
  type IdsStats,
  type SignatureCount,
  Verdict,
  type VerdictValue,
} from './types.js';
