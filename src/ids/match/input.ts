/**
 * What the engine hands the detector for one inspection: decoded header fields of the current
 * packet, the flow's state, and the buffers. One object, reused: the engine overwrites the
 * fields for each call (call {@link DetectInput.reset} first), so detection allocates nothing
 * for it.
 */
import { BufferSet } from './buffers.js';
import type { FlowVars } from './flow-vars.js';

export const InputKind = {
  /** A packet: header keywords and pkt_data (= packet payload) are inspected. */
  PACKET: 0,
  /** A chunk of reassembled TCP stream: pkt_data holds the stream data. */
  STREAM: 1,
  /** An application-layer transaction (HTTP request/response, DNS query, TLS handshake...). */
  TX: 2,
} as const;

/** Bits of {@link DetectInput.ipOpts}. */
export const IpOpt = {
  RR: 1,
  EOL: 2,
  NOP: 4,
  TS: 8,
  SEC: 16,
  ESEC: 32,
  LSRR: 64,
  SSRR: 128,
  SATID: 256,
  ANY: 512,
} as const;

/** Bits of {@link DetectInput.fragbits} (as fragbits: M D R). */
export const FragBit = { M: 1, D: 2, R: 4 } as const;

const EMPTY = new Uint8Array(0);

export class DetectInput {
  kind: number = InputKind.PACKET;
  /** Packet time (seconds since epoch, fractional): thresholds and xbits expiry use it. */
  time = 0;

  /** 4 or 6; 0 when the packet has no IP layer. */
  ipVersion = 0;
  /** Source and destination address of the current packet (4 or 16 bytes). */
  src: Uint8Array = EMPTY;
  dst: Uint8Array = EMPTY;
  /** IP protocol (6 tcp, 17 udp, 1 icmp, 58 icmpv6...); -1 none. */
  ipProto = -1;
  srcPort = 0;
  dstPort = 0;
  ttl = -1;
  ipId = -1;
  tos = -1;
  /** FragBit bits. */
  fragbits = 0;
  fragOffset = 0;
  /** IpOpt bits of the options present. */
  ipOpts = 0;
  /** TCP flags byte (FIN 0x01 ... CWR 0x80); -1 when not TCP. */
  tcpFlags = -1;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  /** MSS option value, -1 when absent. */
  tcpMss = -1;
  icmpType = -1;
  icmpCode = -1;
  /** ICMP echo id/seq (-1 when not an echo request/reply). */
  icmpId = -1;
  icmpSeq = -1;
  /** Payload length of the packet (dsize). */
  payloadLen = 0;

  /** True when the packet belongs to a flow the engine tracks. */
  hasFlow = false;
  /** Direction of the current packet in its flow. */
  toServer = true;
  /** TCP: three-way handshake done; UDP and others: traffic seen both ways. */
  established = false;
  /** Detected application protocol of the flow ('http', 'dns', 'tls'...), '' unknown, 'failed' when detection gave up. */
  appProto = '';
  /** Bytes seen in each direction by the stream engine (stream_size). */
  streamBytesToServer = 0;
  streamBytesToClient = 0;
  /** TLS version of the flow (0x0303 = TLS 1.2), -1 unknown. */
  tlsVersion = -1;
  /** The flow's variables; null when the packet has no flow. */
  flowVars: FlowVars | null = null;

  /** The buffers of this inspection. */
  readonly buffers = new BufferSet();

  /** Clears everything for the next call (keeps the buffer objects). */
  reset(): void {
    this.kind = InputKind.PACKET;
    this.time = 0;
    this.ipVersion = 0;
    this.src = EMPTY;
    this.dst = EMPTY;
    this.ipProto = -1;
    this.srcPort = 0;
    this.dstPort = 0;
    this.ttl = -1;
    this.ipId = -1;
    this.tos = -1;
    this.fragbits = 0;
    this.fragOffset = 0;
    this.ipOpts = 0;
    this.tcpFlags = -1;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpWindow = 0;
    this.tcpMss = -1;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpId = -1;
    this.icmpSeq = -1;
    this.payloadLen = 0;
    this.hasFlow = false;
    this.toServer = true;
    this.established = false;
    this.appProto = '';
    this.streamBytesToServer = 0;
    this.streamBytesToClient = 0;
    this.tlsVersion = -1;
    this.flowVars = null;
    this.buffers.clear();
  }
}
