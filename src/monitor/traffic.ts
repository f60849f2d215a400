/**
 * What a monitor learns from the packets it sees: protocol counts and a bounded table of
 * conversations (5-tuples, both directions together) for top talkers and `network_get_flows`.
 *
 * {@link TrafficAggregator} is the seam for the flow engine (src/flow): once its FlowTable
 * lands, an adapter implementing this interface replaces {@link ConversationTable} and the
 * monitor keeps working unchanged.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { Layer } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';

/** One conversation as `network_get_top_talkers` / `network_get_flows` return it. */
export interface TrafficFlow {
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
  flows(filter?: FlowFilter): TrafficFlow[];
  /** Forgets everything. */
  clear(): void;
}

const PROTO_NAMES: Record<number, string> = { 6: 'TCP', 17: 'UDP', 1: 'ICMP', 58: 'ICMPv6' };
/** Words of a conversation key: src address (4), dst address (4), ports, protocol and family. */
const KW = 10;

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * A bounded conversation table (default 4,096 conversations): an open-addressing hash table
 * over typed arrays, so a packet of a known conversation is counted without allocating. When
 * full, the half with the fewest bytes is evicted (counted in `evicted`), so heavy
 * conversations stay.
 */
export class ConversationTable implements TrafficAggregator {
  private readonly counts = { TCP: 0, UDP: 0, ICMP: 0, ICMPv6: 0, ARP: 0, OTHER: 0, total: 0 };
  private readonly bytesBy = { TCP: 0, UDP: 0, ICMP: 0, ICMPv6: 0, ARP: 0, OTHER: 0, total: 0 };
  /** Conversations dropped to stay within `maxEntries`. */
  evicted = 0;
  private n = 0;
  private readonly mask: number;
  /** Hash slot → entry index + 1 (0: empty). */
  private readonly slots: Int32Array;
  private readonly keys: Uint32Array;
  private readonly hashes: Int32Array;
  private readonly stats: Float64Array; // per entry: bytes, packets, bytesSent, bytesRecv, pktsSent, pktsRecv, first, last
  private readonly srcIp: string[];
  private readonly dstIp: string[];
  private readonly key = new Uint32Array(KW);

  constructor(readonly maxEntries = 4096) {
    if (!Number.isInteger(maxEntries) || maxEntries < 2 || maxEntries > 1 << 22) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'maxFlows must be a whole number from 2 to 4194304');
    }
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.keys = new Uint32Array(maxEntries * KW);
    this.hashes = new Int32Array(maxEntries);
    this.stats = new Float64Array(maxEntries * 8);
    this.srcIp = new Array<string>(maxEntries).fill('');
    this.dstIp = new Array<string>(maxEntries).fill('');
  }

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
    this.bytesBy[proto] += len;
    this.bytesBy.total += len;
    if (q.ipVersion === 0) return;
    const ports = (L & (Layer.TCP | Layer.UDP)) !== 0;
    const sp = ports ? q.srcPort : 0;
    const dp = ports ? q.dstPort : 0;
    const k = this.key;
    if (q.ipVersion === 4) {
      k[0] = q.src4;
      k[1] = k[2] = k[3] = 0;
      k[4] = q.dst4;
      k[5] = k[6] = k[7] = 0;
    } else {
      k.set(q.src6, 0);
      k.set(q.dst6, 4);
    }
    k[8] = (sp << 16) | dp;
    k[9] = (q.ipProto << 8) | q.ipVersion;
    // symmetric hash: both directions of a conversation land on the same chain
    let hs = 0x811c9dc5;
    let hd = 0x811c9dc5;
    for (let i = 0; i < 4; i++) {
      hs = mix(hs, k[i]);
      hd = mix(hd, k[4 + i]);
    }
    hs = mix(hs, sp);
    hd = mix(hd, dp);
    const h = mix((hs + hd) | 0, k[9]);
    const ts = p.tsSec + p.tsNsec / 1e9;
    let slot = h & this.mask;
    for (;;) {
      const e = this.slots[slot] - 1;
      if (e < 0) break;
      if (this.hashes[e] === h) {
        const dir = this.match(e);
        if (dir !== 0) {
          this.count(e, len, dir > 0, ts);
          return;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.n >= this.maxEntries) {
      this.evict();
      slot = h & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    }
    const e = this.n++;
    this.keys.set(k, e * KW);
    this.hashes[e] = h;
    this.slots[slot] = e + 1;
    this.srcIp[e] = q.srcAddr();
    this.dstIp[e] = q.dstAddr();
    const b = e * 8;
    this.stats.fill(0, b, b + 8);
    this.stats[b + 6] = ts;
    this.count(e, len, true, ts);
  }

  /** 1: the key is entry `e` as stored, -1: reversed, 0: another conversation. */
  private match(e: number): number {
    const k = this.key;
    const o = e * KW;
    const ks = this.keys;
    if (ks[o + 9] !== k[9]) return 0;
    let fwd = ks[o + 8] === k[8];
    for (let i = 0; fwd && i < 8; i++) if (ks[o + i] !== k[i]) fwd = false;
    if (fwd) return 1;
    if (ks[o + 8] !== (((k[8] & 0xffff) << 16) | (k[8] >>> 16)) >>> 0) return 0;
    for (let i = 0; i < 4; i++) if (ks[o + i] !== k[4 + i] || ks[o + 4 + i] !== k[i]) return 0;
    return -1;
  }

  private count(e: number, len: number, forward: boolean, ts: number): void {
    const s = this.stats;
    const b = e * 8;
    s[b] += len;
    s[b + 1]++;
    if (forward) {
      s[b + 2] += len;
      s[b + 4]++;
    } else {
      s[b + 3] += len;
      s[b + 5]++;
    }
    s[b + 7] = ts;
  }

  /** Keeps the heavier half, compacted, and rebuilds the index (rare: only when full). */
  private evict(): void {
    const order = Array.from({ length: this.n }, (_, i) => i).sort(
      (a, b) => this.stats[b * 8] - this.stats[a * 8],
    );
    const keep = order.slice(0, Math.ceil(this.n / 2)).sort((a, b) => a - b);
    this.evicted += this.n - keep.length;
    keep.forEach((from, to) => {
      if (from === to) return;
      this.keys.copyWithin(to * KW, from * KW, from * KW + KW);
      this.stats.copyWithin(to * 8, from * 8, from * 8 + 8);
      this.hashes[to] = this.hashes[from];
      this.srcIp[to] = this.srcIp[from];
      this.dstIp[to] = this.dstIp[from];
    });
    this.n = keep.length;
    this.slots.fill(0);
    for (let e = 0; e < this.n; e++) {
      let slot = this.hashes[e] & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = e + 1;
    }
  }

  protocols(): ProtocolCounts {
    return { ...this.counts, bytes: { ...this.bytesBy } };
  }

  flows(filter: FlowFilter = {}): TrafficFlow[] {
    const proto = filter.protocol?.toUpperCase();
    const out: TrafficFlow[] = [];
    for (let e = 0; e < this.n; e++) {
      const o = e * KW;
      const s = this.stats;
      const b = e * 8;
      const ipProto = this.keys[o + 9] >>> 8;
      const f: TrafficFlow = {
        src_ip: this.srcIp[e],
        src_port: this.keys[o + 8] >>> 16,
        dst_ip: this.dstIp[e],
        dst_port: this.keys[o + 8] & 0xffff,
        protocol: PROTO_NAMES[ipProto] ?? String(ipProto),
        bytes: s[b],
        packets: s[b + 1],
        bytes_sent: s[b + 2],
        bytes_received: s[b + 3],
        packets_sent: s[b + 4],
        packets_received: s[b + 5],
        first_seen: s[b + 6],
        last_seen: s[b + 7],
      };
      if (proto && f.protocol.toUpperCase() !== proto) continue;
      if (filter.ip && f.src_ip !== filter.ip && f.dst_ip !== filter.ip) continue;
      if (filter.port !== undefined && f.src_port !== filter.port && f.dst_port !== filter.port) continue;
      if (filter.min_bytes !== undefined && f.bytes < filter.min_bytes) continue;
      out.push(f);
    }
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  /** Conversations held now. */
  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
    this.slots.fill(0);
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) {
      this.counts[k] = 0;
      this.bytesBy[k] = 0;
    }
  }
}
