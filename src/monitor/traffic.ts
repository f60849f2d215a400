/**
 * What a monitor learns from the packets it sees: protocol counts, and flows for top talkers
 * and `network_get_flows`, made by the flow engine's {@link FlowTable} (src/flow): the same
 * bidirectional flows as `sentra flows` (initiator first, idle/active timeouts, TCP teardown).
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { flowKeyInfo } from '../flow/flow-key-format.js';
import { D_BYTES, D_PKTS, DIR_SLOTS, F_DIR, F_FIRST, F_LAST } from '../flow/layout.js';
import { FlowTable } from '../flow/table.js';
import type { FlowTableStats } from '../flow/table-types.js';
import { Layer } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';

/** One flow as `network_get_top_talkers` / `network_get_flows` return it. */
export interface TrafficFlow {
  /** The initiator: the side that sent the first packet (the client of a TCP connection). */
  src_ip: string;
  /** TCP and UDP ports; 0 for other protocols. */
  src_port: number;
  dst_ip: string;
  dst_port: number;
  /** TCP, UDP, ICMP, ICMPv6 or the IP protocol number as a string. */
  protocol: string;
  /** Bytes on the wire (frame lengths) in both directions. */
  bytes: number;
  packets: number;
  /** src → dst and dst → src. */
  bytes_sent: number;
  bytes_received: number;
  packets_sent: number;
  packets_received: number;
  /** First and last packet, seconds since the Unix epoch. */
  first_seen: number;
  last_seen: number;
}

/** Protocol distribution (`network_get_protocols`): packet counts per protocol. */
export interface ProtocolCounts {
  TCP: number;
  UDP: number;
  ICMP: number;
  ICMPv6: number;
  ARP: number;
  /** IP packets of another protocol (GRE, ESP, SCTP ...) and non-IP frames. */
  OTHER: number;
  /** Every packet counted. */
  total: number;
  /** Bytes on the wire per protocol. */
  bytes: {
    TCP: number;
    UDP: number;
    ICMP: number;
    ICMPv6: number;
    ARP: number;
    OTHER: number;
    total: number;
  };
}

/** Filter of `network_get_flows`. */
export interface FlowFilter {
  protocol?: string;
  /** Either end has this address. */
  ip?: string;
  /** Either end has this port. */
  port?: number;
  min_bytes?: number;
}

/** The interface a monitor feeds ({@link TrafficTable} is the built-in one). */
export interface TrafficAggregator {
  /** Called for every decoded packet (the packet object is reused: copy what you keep). */
  add(p: Packet): void;
  protocols(): ProtocolCounts;
  /** Flows, most bytes first. */
  flows(filter?: FlowFilter): TrafficFlow[];
  /** Forgets everything. */
  clear(): void;
}

const PROTO_NAMES: Record<number, string> = { 6: 'TCP', 17: 'UDP', 1: 'ICMP', 58: 'ICMPv6' };

/** Options of {@link TrafficTable}. */
export interface TrafficTableOptions {
  /**
   * Flows held at once (the flow idle the longest is evicted beyond), and also ended flows
   * kept for the views (the heaviest are kept). Default 16,384 each.
   */
  maxFlows?: number;
  /** Seconds without a packet that end a flow (default 120). */
  idleTimeout?: number;
  /** Seconds after which a long flow is cut (default 1800). */
  activeTimeout?: number;
  /** End TCP flows at FIN from both sides or at RST (default true). */
  tcpTeardown?: boolean;
}

function trafficFlow(table: FlowTable, slot: number): TrafficFlow {
  const F = table.floats(slot);
  const b = FlowTable.base(slot);
  const k = flowKeyInfo(table, slot);
  const ports = k.protocol === 6 || k.protocol === 17;
  const fw = b + F_DIR;
  const bw = b + F_DIR + DIR_SLOTS;
  return {
    src_ip: k.srcIp,
    src_port: ports ? k.srcPort : 0,
    dst_ip: k.dstIp,
    dst_port: ports ? k.dstPort : 0,
    protocol: PROTO_NAMES[k.protocol] ?? String(k.protocol),
    bytes: F[fw + D_BYTES] + F[bw + D_BYTES],
    packets: F[fw + D_PKTS] + F[bw + D_PKTS],
    bytes_sent: F[fw + D_BYTES],
    bytes_received: F[bw + D_BYTES],
    packets_sent: F[fw + D_PKTS],
    packets_received: F[bw + D_PKTS],
    first_seen: F[b + F_FIRST] / 1e6,
    last_seen: F[b + F_LAST] / 1e6,
  };
}

/**
 * The monitor's traffic views over a {@link FlowTable}: every packet is counted by protocol
 * and into its flow (bytes are frame lengths on the wire). Flows that end (timeout, TCP
 * teardown, eviction) are kept as plain records so that a finished transfer still ranks among
 * the top talkers; both the live table and the ended records are bounded by `maxFlows`
 * (when the ended records reach twice the bound, the lightest half is dropped and counted in
 * {@link TrafficTable.dropped}).
 */
export class TrafficTable implements TrafficAggregator {
  private readonly counts = { TCP: 0, UDP: 0, ICMP: 0, ICMPv6: 0, ARP: 0, OTHER: 0, total: 0 };
  private readonly bytesBy = { TCP: 0, UDP: 0, ICMP: 0, ICMPv6: 0, ARP: 0, OTHER: 0, total: 0 };
  private table: FlowTable;
  private ended: TrafficFlow[] = [];
  readonly maxFlows: number;
  /** Ended flows dropped to stay within the bound (always the lightest held at that time). */
  dropped = 0;

  constructor(private readonly options: TrafficTableOptions = {}) {
    const max = options.maxFlows ?? 16_384;
    if (!Number.isInteger(max) || max < 2 || max > 4_194_304) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `maxFlows must be a whole number from 2 to 4194304, not ${String(max)}`,
      );
    }
    this.maxFlows = max;
    this.table = this.makeTable();
  }

  private makeTable(): FlowTable {
    const o = this.options;
    return new FlowTable({
      maxFlows: this.maxFlows,
      idleTimeout: o.idleTimeout,
      activeTimeout: o.activeTimeout,
      tcpTeardown: o.tcpTeardown,
      bytes: 'link',
      detectApp: false,
      onFlow: (f) => this.keep(trafficFlow(f.table, f.slot)),
    });
  }

  private keep(f: TrafficFlow): void {
    this.ended.push(f);
    if (this.ended.length >= 2 * this.maxFlows) {
      this.ended.sort((a, b) => b.bytes - a.bytes);
      this.dropped += this.ended.length - this.maxFlows;
      this.ended.length = this.maxFlows;
    }
  }

  add(p: Packet): void {
    const L = p.innermost().layers;
    const len = p.origLen;
    let proto: keyof typeof this.counts = 'OTHER';
    if (L & Layer.TCP) proto = 'TCP';
    else if (L & Layer.UDP) proto = 'UDP';
    else if (L & Layer.ICMP) proto = 'ICMP';
    else if (L & Layer.ICMPV6) proto = 'ICMPv6';
    else if (L & Layer.ARP) proto = 'ARP';
    this.counts[proto]++;
    this.counts.total++;
    this.bytesBy[proto] += len;
    this.bytesBy.total += len;
    this.table.update(p);
  }

  protocols(): ProtocolCounts {
    return { ...this.counts, bytes: { ...this.bytesBy } };
  }

  flows(filter: FlowFilter = {}): TrafficFlow[] {
    const proto = filter.protocol?.toUpperCase();
    const keep = (f: TrafficFlow) =>
      !(proto && f.protocol.toUpperCase() !== proto) &&
      !(filter.ip && f.src_ip !== filter.ip && f.dst_ip !== filter.ip) &&
      !(filter.port !== undefined && f.src_port !== filter.port && f.dst_port !== filter.port) &&
      !(filter.min_bytes !== undefined && f.bytes < filter.min_bytes);
    const out = this.ended.filter(keep);
    this.table.forEachFlow((slot) => {
      const f = trafficFlow(this.table, slot);
      if (keep(f)) out.push(f);
    });
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  /** Flows held now: in the table and ended. */
  get size(): number {
    return this.table.size + this.ended.length;
  }

  /** The flow table's counters (flows made, active, evicted, ended by reason ...). */
  flowStats(): FlowTableStats {
    return this.table.stats();
  }

  clear(): void {
    this.table = this.makeTable();
    this.ended = [];
    this.dropped = 0;
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) {
      this.counts[k] = 0;
      this.bytesBy[k] = 0;
    }
  }
}
