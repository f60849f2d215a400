/** The packet layer: capture files (pcap, pcapng), the zero-copy decoder and its formatting. */

// decoding
export { Decoder, isSupportedLinkType } from './decoder.js';
// capture files
export { CaptureRecord } from './file/capture-record.js';
export { DEFAULT_CHUNK, MAX_BLOCK_LEN, MAX_CAPLEN } from './file/limits.js';
export {
  type CaptureFormat,
  type CaptureInterface,
  CaptureParser,
  type PacketHandler,
  type ParserEvents,
} from './file/parser.js';
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
export * from './filter/index.js';
// formatting
export { DECODE_FIELDS, type DecodeField, epochString, packetFields } from './format/fields.js';
export { ProtocolStats } from './format/stats.js';
export { summaryLine, timeOfDay } from './format/summary.js';
export {
  Encap,
  EtherType,
  IpProto,
  LAYER_NAMES,
  Layer,
  MAX_DEPTH,
  MAX_IPV6_EXT_HEADERS,
  MAX_VLAN_TAGS,
  TcpFlag,
} from './layers/constants.js';
export { type DnsAnswer, type DnsMessage, type DnsQuestion, DnsType, parseDns } from './layers/dns.js';
export { type HttpMessage, parseHttp } from './layers/http.js';
export { Ipv6Ext } from './layers/ipv6.js';
export { parseSshBanner, type SshBanner } from './layers/ssh.js';
export { parseTlsClientHello, type TlsClientHello } from './layers/tls.js';
export { formatMac, Packet } from './packet.js';
export { LinkType, newPacketRecord, type PacketRecord } from './record.js';
