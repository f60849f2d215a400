/** The packet layer: capture files (pcap, pcapng), the zero-copy decoder and its formatting. */
export { CaptureRecord } from './file/capture-record.js';
export { DEFAULT_CHUNK, MAX_BLOCK_LEN, MAX_CAPLEN } from './file/limits.js';
export type { CaptureFormat, CaptureInterface, PacketHandler } from './file/parser.js';
export {
  encodePcapHeader,
  isPcapMagic,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  type PcapHeader,
  parsePcapHeader,
} from './file/pcap-format.js';
export { PcapWriter, type PcapWriterOptions, pcapHeaderFor } from './file/pcap-writer.js';
export { type ReadOptions, type ReadSummary, readCapture, readCaptureBuffer } from './file/reader.js';
export { LinkType, newPacketRecord, type PacketRecord } from './record.js';
