/**
 * What the dashboard's traffic panels show: bytes and packets per wall-clock second for the
 * last five minutes (the bandwidth chart), protocol shares and top talkers (from the
 * monitor's bounded conversation table), and running totals for /metrics.
 */
import { type ProtocolCounts, type TrafficFlow, TrafficTable } from '../monitor/traffic.js';
import type { Packet } from '../packet/packet.js';

const SECONDS = 300;

export interface BandwidthPoint {
  /** Unix seconds. */
  t: number;
  bytes: number;
  packets: number;
}

export interface TopTalker {
  ip: string;
  bytes: number;
  packets: number;
  flows: number;
}

export class TrafficView {
  readonly conversations = new TrafficTable({ maxFlows: 8192 });
  private readonly bytes = new Float64Array(SECONDS);
  private readonly packets = new Float64Array(SECONDS);
  private readonly stamp = new Float64Array(SECONDS);
  totalPackets = 0;
  totalBytes = 0;

  /** Counts one decoded packet at wall-clock second `nowSec`. */
  add(p: Packet, nowSec: number): void {
    this.conversations.add(p);
    const i = nowSec % SECONDS;
    if (this.stamp[i] !== nowSec) {
      this.stamp[i] = nowSec;
      this.bytes[i] = 0;
      this.packets[i] = 0;
    }
    this.bytes[i] += p.origLen;
    this.packets[i] += 1;
    this.totalPackets++;
    this.totalBytes += p.origLen;
  }

  /** The last `n` whole seconds before `nowSec`, oldest first (zeros where nothing came). */
  series(nowSec: number, n = 60): BandwidthPoint[] {
    const out: BandwidthPoint[] = [];
    for (let t = nowSec - Math.min(n, SECONDS - 1); t < nowSec; t++) {
      const i = t % SECONDS;
      out.push(
        this.stamp[i] === t
          ? { t, bytes: this.bytes[i], packets: this.packets[i] }
          : { t, bytes: 0, packets: 0 },
      );
    }
    return out;
  }

  protocols(): ProtocolCounts {
    return this.conversations.protocols();
  }

  /** Addresses by bytes sent plus received over the conversations held. */
  topTalkers(limit = 10): TopTalker[] {
    const by = new Map<string, TopTalker>();
    const bump = (ip: string, f: TrafficFlow) => {
      let t = by.get(ip);
      if (!t) {
        t = { ip, bytes: 0, packets: 0, flows: 0 };
        by.set(ip, t);
      }
      t.bytes += f.bytes;
      t.packets += f.packets;
      t.flows += 1;
    };
    for (const f of this.conversations.flows()) {
      bump(f.src_ip, f);
      if (f.dst_ip !== f.src_ip) bump(f.dst_ip, f);
    }
    return [...by.values()].sort((a, b) => b.bytes - a.bytes).slice(0, limit);
  }
}
