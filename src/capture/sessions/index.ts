/** Capture sessions: the spec's `capture_*` functions over {@link LiveCapture} and a packet ring. */
export {
  CaptureRegistry,
  type CaptureSaveResult,
  type CaptureSessionInfo,
  type CaptureStartOptions,
  captureGetPackets,
  captureInfo,
  captureSavePcap,
  captureStart,
  captureStop,
  defaultCaptureRegistry,
  writeRing,
} from './registry.js';
/** Full decode of a packet from `captureGetPackets` (spec `capture_analyze_packet(packet)`). */
export {
  analyzePacket,
  analyzePacket as captureAnalyzePacket,
  type PacketAnalysis,
  type PacketSummary,
  protocolName,
} from './summary.js';
