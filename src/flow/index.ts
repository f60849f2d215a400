/** The flow engine: bidirectional flows, CICFlowMeter features, CSV and JSON Lines exporters. */
export { AppProto, appName } from './app.js';
export { type CicCaptureOptions, captureEngineAddon, processCaptureCic } from './capture-engine.js';
export {
  CIC_COLUMNS,
  CIC_NO_LABEL,
  type CicColumn,
  cicFlowId,
  cicHeader,
  cicRow,
  cicTimestamp,
  cicValues,
} from './cic.js';
export { CicWriter } from './cic-writer.js';
export { type FlowKeyInfo, flowKeyInfo } from './flow-key-format.js';
export { type FlowJson, flowJson } from './jsonl.js';
export { Direction, END_REASON_NAMES, EndReason, type EndReasonName, FLOW_BYTES } from './layout.js';
export { type FlowSummary, type ProcessOptions, processCapture } from './process.js';
export {
  type ByteMode,
  type EndedFlow,
  type FlowState,
  FlowTable,
  type FlowTableOptions,
  type FlowTableStats,
} from './table.js';
