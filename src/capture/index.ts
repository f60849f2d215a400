/**
 * Live capture: libpcap through Sentra's own Node-API addon (native/). See docs/capture.md.
 */
export { captureAvailability } from './addon.js';
export { type BpfInstruction, type CompileBpfOptions, checkFilter, compileBpf } from './filter.js';
export { type CaptureDevice, type InterfaceAddress, listInterfaces } from './interfaces.js';
export { dltToLinkType } from './link-type.js';
export { type CaptureStats, LiveCapture, type LiveCaptureEvents, type LiveCaptureOptions } from './live.js';
export { RawSocket, type RawSocketOptions } from './raw-socket.js';
export { PacketRing, type PacketRingOptions, type RingOverflow } from './ring.js';
export * from './sessions/index.js';
