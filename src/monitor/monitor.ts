/**
 * Network monitors, the spec's `network_*` functions. A monitor watches one interface:
 * the kernel's counters for bandwidth, a live capture (decoded packet by packet into a
 * {@link TrafficAggregator}) for protocols, top talkers and flows, a bounded ring of the same
 * packets for `network_export_pcap`, and the socket table for connections.
 */
import { LiveCapture } from '../capture/live.js';
import { PacketRing } from '../capture/ring.js';
import { type CaptureSaveResult, writeRing } from '../capture/sessions/registry.js';
import { ErrorCodes, SentraError } from '../errors.js';
import { Decoder } from '../packet/decoder.js';
import { type Connection, listConnections } from './connections.js';
import { type InterfaceCounters, readInterfaceCounters } from './counters.js';
import { parseFlowFilter } from './flow-filter.js';
import {
  type FlowFilter,
  type ProtocolCounts,
  type TrafficAggregator,
  type TrafficFlow,
  TrafficTable,
} from './traffic.js';

export interface MonitorOptions {
  /** The interface lives in this network namespace. */
  netns?: string;
  /** Capture filter (tcpdump syntax) for the packet-based views; default: everything. */
  filter?: string;
  /** Packets kept for `network_export_pcap` (default 10,000, 32 MiB; oldest dropped). */
  maxPackets?: number;
  maxBytes?: number;
  /** Flows tracked, and ended flows kept (default 16,384 each; see TrafficTable). */
  maxFlows?: number;
  /** Use this aggregator instead of the built-in {@link TrafficTable}. */
  aggregator?: TrafficAggregator;
  /** Packets are delivered within this many ms (default 100; `sentra top` uses less). */
  timeoutMs?: number;
}

/** `network_start_monitor` / `network_stop_monitor` result. */
export interface MonitorInfo {
  id: string;
  interface: string;
  netns: string | null;
  status: 'running' | 'stopped';
  started_at: number;
  packets_seen: number;
  packets_dropped: number;
}

/** `network_get_bandwidth`: counters since the monitor started, rates since the last call. */
export interface Bandwidth extends InterfaceCounters {
  /** Megabits per second received / sent over {@link Bandwidth.interval}. */
  rx_mbps: number;
  tx_mbps: number;
  /** Packets per second over the interval. */
  rx_pps: number;
  tx_pps: number;
  /** Seconds the rates are measured over (since the previous call, or the start). */
  interval: number;
  /** Seconds since the monitor started (the counters' span). */
  elapsed: number;
  timestamp: number;
}

interface Sample {
  t: number;
  c: InterfaceCounters;
}

interface MonitorState {
  id: string;
  iface: string;
  netns?: string;
  capture: LiveCapture;
  ring: PacketRing;
  agg: TrafficAggregator;
  base: Sample;
  last: Sample;
  startedAt: number;
  stopped: boolean;
  seen: number;
}

function diff(a: InterfaceCounters, b: InterfaceCounters): InterfaceCounters {
  const out = {} as InterfaceCounters;
  for (const k of Object.keys(a) as (keyof InterfaceCounters)[]) out[k] = Math.max(0, b[k] - a[k]);
  return out;
}

export class MonitorRegistry {
  private readonly monitors = new Map<string, MonitorState>();
  private next = 1;

  /** `network_start_monitor(interface)`. */
  async start(iface: string, options: MonitorOptions = {}): Promise<MonitorInfo> {
    if (typeof iface !== 'string' || iface === '') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'network_start_monitor needs an interface name');
    }
    const c = await readInterfaceCounters(iface, options.netns);
    const ring = new PacketRing({
      maxPackets: options.maxPackets ?? 10_000,
      maxBytes: options.maxBytes ?? 32 << 20,
      overflow: 'drop-oldest',
    });
    const capture = LiveCapture.open(iface, {
      netns: options.netns,
      filter: options.filter || undefined,
      timeoutMs: options.timeoutMs,
    });
    const now = Date.now() / 1000;
    const m: MonitorState = {
      id: `monitor-${this.next++}`,
      iface,
      netns: options.netns,
      capture,
      ring,
      agg: options.aggregator ?? new TrafficTable({ maxFlows: options.maxFlows }),
      base: { t: now, c },
      last: { t: now, c },
      startedAt: now,
      stopped: false,
      seen: 0,
    };
    const decoder = new Decoder();
    capture.on('error', () => {
      m.stopped = true;
    });
    capture.onPacket((rec) => {
      m.seen++;
      ring.push(rec);
      m.agg.add(decoder.decode(rec));
    });
    this.monitors.set(m.id, m);
    return this.info(m.id);
  }

  /** `network_stop_monitor(id)`: stops capturing; the collected data stays readable. */
  stop(id: string): MonitorInfo {
    const m = this.get(id);
    m.capture.close();
    m.stopped = true;
    return this.info(id);
  }

  info(id: string): MonitorInfo {
    const m = this.get(id);
    return {
      id: m.id,
      interface: m.iface,
      netns: m.netns ?? null,
      status: m.stopped || m.capture.isClosed ? 'stopped' : 'running',
      started_at: m.startedAt,
      packets_seen: m.seen,
      packets_dropped: m.capture.stats().droppedKernel,
    };
  }

  /** `network_get_bandwidth(id)`: the kernel's counters. */
  async bandwidth(id: string): Promise<Bandwidth> {
    const m = this.get(id);
    const now = Date.now() / 1000;
    const c = await readInterfaceCounters(m.iface, m.netns);
    const total = diff(m.base.c, c);
    const step = diff(m.last.c, c);
    const dt = Math.max(1e-3, now - m.last.t);
    m.last = { t: now, c };
    return {
      ...total,
      rx_mbps: (step.rx_bytes * 8) / dt / 1e6,
      tx_mbps: (step.tx_bytes * 8) / dt / 1e6,
      rx_pps: step.rx_packets / dt,
      tx_pps: step.tx_packets / dt,
      interval: dt,
      elapsed: now - m.base.t,
      timestamp: now,
    };
  }

  /** `network_get_connections(id)`: sockets of the monitored interface's namespace. */
  connections(id: string): Promise<Connection[]> {
    const m = this.get(id);
    return listConnections({ netns: m.netns });
  }

  /** `network_get_protocols(id)`: packets per protocol seen on the wire since the start. */
  protocols(id: string): ProtocolCounts {
    return this.get(id).agg.protocols();
  }

  /** `network_get_top_talkers(id, limit)`: flows with the most bytes. */
  topTalkers(id: string, limit = 10): TrafficFlow[] {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'limit must be a whole number >= 0');
    }
    return this.get(id).agg.flows().slice(0, limit);
  }

  /** `network_get_flows(id, filter)`: flows matching `filter` (see parseFlowFilter). */
  flows(id: string, filter?: string | FlowFilter | null): TrafficFlow[] {
    return this.get(id).agg.flows(parseFlowFilter(filter));
  }

  /** `network_export_pcap(id, filename)`: the packets kept (the newest ones). */
  exportPcap(id: string, filename: string): Promise<CaptureSaveResult> {
    const m = this.get(id);
    if (typeof filename !== 'string' || filename === '') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'network_export_pcap needs a file name');
    }
    return writeRing(m.ring, m.capture, id, filename);
  }

  /** Stops and forgets every monitor. */
  closeAll(): void {
    for (const m of this.monitors.values()) m.capture.close();
    this.monitors.clear();
  }

  private get(id: string): MonitorState {
    const m = typeof id === 'string' ? this.monitors.get(id) : undefined;
    if (!m) {
      throw new SentraError(
        ErrorCodes.NOT_FOUND,
        `no monitor ${String(id)} (network_start_monitor returns the id)`,
        {
          details: { id },
        },
      );
    }
    return m;
  }
}

export const defaultMonitorRegistry = new MonitorRegistry();

export const networkStartMonitor = (iface: string, options?: MonitorOptions) =>
  defaultMonitorRegistry.start(iface, options);
export const networkStopMonitor = (id: string) => defaultMonitorRegistry.stop(id);
export const networkGetBandwidth = (id: string) => defaultMonitorRegistry.bandwidth(id);
export const networkGetConnections = (id: string) => defaultMonitorRegistry.connections(id);
export const networkGetProtocols = (id: string) => defaultMonitorRegistry.protocols(id);
export const networkGetTopTalkers = (id: string, limit?: number) =>
  defaultMonitorRegistry.topTalkers(id, limit);
export const networkGetFlows = (id: string, filter?: string | FlowFilter | null) =>
  defaultMonitorRegistry.flows(id, filter);
export const networkExportPcap = (id: string, filename: string) =>
  defaultMonitorRegistry.exportPcap(id, filename);
