/** The types of the flow table's options, results and statistics (src/flow/table.ts). */
import type { FlowTable } from './table.js';

/** What a packet's length counts: the frame on the wire, the IP packet, or the L4 payload. */
export type ByteMode = 'link' | 'ip' | 'payload';

export interface FlowTableOptions {
  /** A flow with no packet for this long ends (seconds, default 120). */
  idleTimeout?: number;
  /** A flow older than this ends at its next packet (seconds, default 1800). */
  activeTimeout?: number;
  /** End TCP flows at FIN from both sides or at RST (default true). */
  tcpTeardown?: boolean;
  /** Default 'link'. */
  bytes?: ByteMode;
  /** Most flows held at once; the oldest idle one is evicted beyond (default 1,000,000). */
  maxFlows?: number;
  /** Guess the application protocol from the first payload packets (default true). */
  detectApp?: boolean;
  /**
   * Keep the CICFlowMeter statistics of every flow (default true). Off, a packet updates only
   * the times and the per-direction packet and byte counts (what the IDS engine reads): the
   * other feature columns stay at their initial values.
   */
  features?: boolean;
  /** Datagrams remembered for fragment attribution (default 4096). */
  fragmentSlots?: number;
  /**
   * A closed TCP flow (both FINs then the last ACK) stays this long for the stray packets
   * that follow a close (late ACKs, window updates) before it leaves
   * (seconds, default 2). A SYN or data in that time ends it at once and starts a new flow.
   */
  closeLinger?: number;
  /**
   * An RST closes the flow like the last ACK of a FIN exchange (it stays for the linger,
   * so the stray RSTs and ACKs that follow belong to it, as in Suricata) instead of ending it
   * at once (default false: scans send RSTs by the thousand).
   */
  rstLinger?: boolean;
  /** Called once for every flow that ends, synchronously; the record is valid during the call only. */
  onFlow?: (flow: EndedFlow) => void;
}

/**
 * What {@link FlowTable.update} returns: the packet's flow after the packet was counted. One
 * object reused for every packet: copy what you keep.
 */
export interface FlowState {
  /** Stable numeric id: flows are numbered 1, 2, 3... in the order they start. */
  id: number;
  /** Where the flow lives in the table (valid until it ends); for {@link FlowTable} readers. */
  slot: number;
  /** Direction of this packet: {@link Direction}.TO_SERVER (0) or TO_CLIENT (1). */
  direction: number;
  /** This packet is the flow's first. */
  isNew: boolean;
  /** Packets and bytes from the initiator to the responder, and back. */
  toServerPackets: number;
  toServerBytes: number;
  toClientPackets: number;
  toClientBytes: number;
  /** First packet, µs since the epoch. */
  startUs: number;
  /** Last packet (this one, usually), µs since the epoch. */
  lastUs: number;
  /**
   * The TCP connection is closed (this packet or an earlier one completed the teardown): the
   * flow leaves the table after the close linger.
   */
  closed: boolean;
  /** The flow left the table with this packet (an RST): it has already been handed to `onFlow`. */
  ended: boolean;
}

/** A flow as it leaves the table, read through its table (see flow-record.ts for columns). */
export interface EndedFlow {
  table: FlowTable;
  slot: number;
  reason: number;
}

export interface FlowTableStats {
  packets: number;
  /** Packets that were not IP (ARP, ...) or inside an ICMP error only: not counted in flows. */
  skipped: number;
  flows: number;
  active: number;
  peakActive: number;
  evicted: number;
  ended: { idle: number; active: number; fin: number; rst: number; evicted: number; end: number };
  fragmentsAttributed: number;
  fragmentsUnattributed: number;
  /** Bytes of state per flow (constant). */
  bytesPerFlow: number;
  /** Bytes held by the table now (slabs allocated, hash index, LRU, fragment table). */
  bytesHeld: number;
}
