/**
 * Packet summaries and full analyses in the spec's snake_case shape (`capture_get_packets`,
 * `capture_analyze_packet`). These allocate (strings, objects): they are made on request from
 * packets held in a ring, never on the per-packet path.
 */

import { ErrorCodes, SentraError } from '../../errors.js';
import { Decoder } from '../../packet/decoder.js';
import { packetFields } from '../../packet/format/fields.js';
import { Layer } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import { newPacketRecord, type PacketRecord } from '../../packet/record.js';

/** One captured packet as `capture_get_packets` returns it. */
export interface PacketSummary {
  /** Source IP address ('' when the packet has no IP header, e.g. ARP). */
  src_ip: string;
  /** Source TCP/UDP port, 0 for other protocols. */
  src_port: number;
  dst_ip: string;
  dst_port: number;
  /** Highest protocol decoded: TCP, UDP, ICMP, ICMPv6, ARP, IPv4, IPv6, or OTHER. */
  protocol: string;
  /** Length on the wire in bytes (frame.len). */
  length: number;
  /** Capture time, seconds since the Unix epoch (fractional). */
  timestamp: number;
  /** LINKTYPE_* of `data` (1 = Ethernet). */
  link_type: number;
  /** Bytes captured (frame.cap_len). */
  captured_length: number;
  /** The captured frame in hex, so that `capture_analyze_packet` can decode it later. */
  data: string;
  /** Timestamp seconds and nanoseconds, exact (the fractional `timestamp` rounds). */
  ts_sec: number;
  ts_nsec: number;
}

/** `capture_analyze_packet`'s result: the summary plus Wireshark-named fields. */
export interface PacketAnalysis extends Omit<PacketSummary, 'data'> {
  /** Wireshark field name → value as `tshark -T fields` prints it (see src/packet/format/fields.ts). */
  fields: Record<string, string>;
  /** Layer names present, outermost first (eth, ip, tcp, ...). */
  layers: string[];
  /** Payload bytes of the innermost transport layer. */
  payload_length: number;
  /** Name of the header that was cut short or malformed, or ''. */
  malformed: string;
  tcp_flags?: string;
  ttl?: number;
}

/** The protocol name a summary shows for a decoded packet (innermost tunnelled level). */
export function protocolName(p: Packet): string {
  const q = p.innermost();
  const L = q.layers;
  if (L & Layer.TCP) return 'TCP';
  if (L & Layer.UDP) return 'UDP';
  if (L & Layer.ICMP) return 'ICMP';
  if (L & Layer.ICMPV6) return 'ICMPv6';
  if (L & Layer.ARP) return 'ARP';
  if (L & Layer.IPV6) return 'IPv6';
  if (L & Layer.IPV4) return 'IPv4';
  return 'OTHER';
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'packet data must be an even-length hex string');
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function baseSummary(p: Packet, rec: PacketRecord): Omit<PacketSummary, 'data'> {
  const q = p.innermost();
  const ports = (q.layers & (Layer.TCP | Layer.UDP)) !== 0;
  return {
    src_ip: q.srcAddr(),
    src_port: ports ? q.srcPort : 0,
    dst_ip: q.dstAddr(),
    dst_port: ports ? q.dstPort : 0,
    protocol: protocolName(p),
    length: rec.origLen,
    timestamp: rec.tsSec + rec.tsNsec / 1e9,
    link_type: rec.linkType,
    captured_length: rec.capLen,
    ts_sec: rec.tsSec,
    ts_nsec: rec.tsNsec,
  };
}

/** Decodes a record (from a ring or a capture) into a summary. */
export function summarize(decoder: Decoder, rec: PacketRecord): PacketSummary {
  const p = decoder.decode(rec);
  return { ...baseSummary(p, rec), data: toHex(rec.data.subarray(0, rec.capLen)) };
}

const LAYER_ORDER: [number, string][] = [
  [Layer.ETHERNET, 'eth'],
  [Layer.SLL, 'sll'],
  [Layer.LOOPBACK, 'null'],
  [Layer.VLAN, 'vlan'],
  [Layer.MPLS, 'mpls'],
  [Layer.PPPOE, 'pppoe'],
  [Layer.ARP, 'arp'],
  [Layer.IPV4, 'ip'],
  [Layer.IPV6, 'ipv6'],
  [Layer.FRAGMENT, 'fragment'],
  [Layer.ESP, 'esp'],
  [Layer.GRE, 'gre'],
  [Layer.TCP, 'tcp'],
  [Layer.UDP, 'udp'],
  [Layer.ICMP, 'icmp'],
  [Layer.ICMPV6, 'icmpv6'],
  [Layer.VXLAN, 'vxlan'],
  [Layer.GTP, 'gtp'],
  [Layer.GENEVE, 'geneve'],
  [Layer.TEREDO, 'teredo'],
];

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

/**
 * Full decode of a packet returned by `capture_get_packets` (or any object with `data` in hex,
 * `link_type`, and optionally `length`, `ts_sec`, `ts_nsec`).
 */
export function analyzePacket(packet: Partial<PacketSummary> & { data: string }): PacketAnalysis {
  if (packet === null || typeof packet !== 'object' || typeof packet.data !== 'string') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'capture_analyze_packet needs a packet from capture_get_packets (an object with hex "data")',
    );
  }
  const bytes = fromHex(packet.data);
  const rec = newPacketRecord();
  rec.data = bytes;
  rec.capLen = bytes.length;
  rec.origLen = Math.max(bytes.length, Number(packet.length) || 0);
  rec.linkType = Number.isInteger(packet.link_type) ? (packet.link_type as number) : 1;
  rec.tsSec = Number(packet.ts_sec) || Math.floor(Number(packet.timestamp) || 0);
  rec.tsNsec = Number(packet.ts_nsec) || 0;
  const decoder = new Decoder();
  const p = decoder.decode(rec);
  const layers: string[] = [];
  for (let q: Packet | null = p; q !== null; q = q.inner) {
    for (const [bit, name] of LAYER_ORDER) if (q.layers & bit) layers.push(name);
  }
  const inner = p.innermost();
  let malformed = '';
  for (let q: Packet | null = p; q !== null; q = q.inner) {
    if (q.malformed !== 0) malformed = LAYER_ORDER.find(([b]) => b === q.malformed)?.[1] ?? 'unknown';
  }
  const out: PacketAnalysis = {
    ...baseSummary(p, rec),
    fields: packetFields(p),
    layers,
    payload_length: inner.payloadLen,
    malformed,
  };
  if (inner.layers & Layer.TCP) {
    out.tcp_flags = FLAG_NAMES.filter((_, i) => inner.tcpFlags & (1 << i)).join(',');
  }
  if (inner.ipVersion !== 0) out.ttl = inner.ttl;
  return out;
}
