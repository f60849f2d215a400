/**
 * What a monitor learns from the packets it sees: protocol counts and a bounded table of
 * conversations (5-tuples, both directions together) for top talkers and `network_get_flows`.
 *
 * {@link TrafficAggregator} is the seam for the flow engine (src/flow): once its FlowTable
 * lands, an adapter implementing this interface replaces {@link ConversationTable} and the
 * monitor keeps working unchanged.
 */
import { Layer } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';

/** One conversation as `network_get_top_talkers` / `network_get_flows` return it. */
export interface FlowSummary {
  /** The side that sent the first packet seen. */
  src_ip: string;
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

/** The interface a monitor feeds; the flow engine's adapter implements it too. */
export interface TrafficAggregator {
  /** Called for every decoded packet (the packet object is reused: copy what you keep). */
  add(p: Packet): void;
  protocols(): ProtocolCounts;
  /** Conversations, most bytes first. */
  flows(filter?: FlowFilter): FlowSummary[];
  /** Forgets everything. */
  clear(): void;
}

interface Entry extends FlowSummary {
  key: string;
}

const PROTO_NAMES: Record<number, string> = { 6: 'TCP', 17: 'UDP', 1: 'ICMP', 58: 'ICMPv6' };

/**
 * A bounded conversation table (default 4,096 conversations). When full, the half with the
 * fewest bytes is evicted (counted in `evicted`), so heavy conversations stay.
 */
export class ConversationTable implements TrafficAggregator {
  private readonly map = new Map<string, Entry>();
  private readonly counts = { TCP: 0, UDP: 0, ICMP: 0, ICMPv6: 0, ARP: 0, OTHER: 0, total: 0 };
  private readonly bytes = { TCP: 0, UDP: 0, ICMP: 0, ICMPv6: 0, ARP: 0, OTHER: 0, total: 0 };
  /** Conversations dropped to stay within `maxEntries`. */
  evicted = 0;

  constructor(readonly maxEntries = 4096) {}

  add(p: Packet): void {
    const q = p.innermost();
    const L = q.layers;
    const len = p.origLen;
    let proto: keyof typeof this.counts = 'OTHER';
    if (L & Layer.TCP) proto = 'TCP';
    else if (L & Layer.UDP) proto = 'UDP';
    else if (L & Layer.ICMP) proto = 'ICMP';
    else if (L & Layer.ICMPV6) proto = 'ICMPv6';
    else if (L & Layer.ARP) proto = 'ARP';
    this.counts[proto]++;
    this.counts.total++;
    this.bytes[proto] += len;
    this.bytes.total += len;
    if (q.ipVersion === 0) return;
    const ports = (L & (Layer.TCP | Layer.UDP)) !== 0;
    const sp = ports ? q.srcPort : 0;
    const dp = ports ? q.dstPort : 0;
    // strings per packet: acceptable for this stop-gap table (the flow engine hashes bytes)
    const src = q.srcAddr();
    const dst = q.dstAddr();
    const ts = p.tsSec + p.tsNsec / 1e9;
    const fwd = `${q.ipProto}|${src}|${sp}|${dst}|${dp}`;
    let e = this.map.get(fwd);
    let forward = true;
    if (e === undefined) {
      e = this.map.get(`${q.ipProto}|${dst}|${dp}|${src}|${sp}`);
      forward = false;
    }
    if (e === undefined) {
      if (this.map.size >= this.maxEntries) this.evict();
      e = {
        key: fwd,
        src_ip: src,
        src_port: sp,
        dst_ip: dst,
        dst_port: dp,
        protocol: PROTO_NAMES[q.ipProto] ?? String(q.ipProto),
        bytes: 0,
        packets: 0,
        bytes_sent: 0,
        bytes_received: 0,
        packets_sent: 0,
        packets_received: 0,
        first_seen: ts,
        last_seen: ts,
      };
      this.map.set(fwd, e);
      forward = true;
    }
    e.bytes += len;
    e.packets++;
    if (forward) {
      e.bytes_sent += len;
      e.packets_sent++;
    } else {
      e.bytes_received += len;
      e.packets_received++;
    }
    e.last_seen = ts;
  }

  private evict(): void {
    const sorted = [...this.map.values()].sort((a, b) => a.bytes - b.bytes);
    const n = Math.max(1, Math.floor(sorted.length / 2));
    for (let i = 0; i < n; i++) this.map.delete(sorted[i].key);
    this.evicted += n;
  }

  protocols(): ProtocolCounts {
    return { ...this.counts, bytes: { ...this.bytes } };
  }

  flows(filter: FlowFilter = {}): FlowSummary[] {
    const proto = filter.protocol?.toUpperCase();
    const out: FlowSummary[] = [];
    for (const e of this.map.values()) {
      if (proto && e.protocol.toUpperCase() !== proto) continue;
      if (filter.ip && e.src_ip !== filter.ip && e.dst_ip !== filter.ip) continue;
      if (filter.port !== undefined && e.src_port !== filter.port && e.dst_port !== filter.port) continue;
      if (filter.min_bytes !== undefined && e.bytes < filter.min_bytes) continue;
      const { key: _k, ...f } = e;
      out.push(f);
    }
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  clear(): void {
    this.map.clear();
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) {
      this.counts[k] = 0;
      this.bytes[k] = 0;
    }
  }
}
