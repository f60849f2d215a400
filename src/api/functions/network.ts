/**
 * Sections 5 and 6 of the spec, network monitoring and packet capture: the monitor module's
 * script host (`networkScriptHost`: its capture and monitor registries, interface names through
 * `--iface-map`) bound to the context. The result types are the modules' own.
 */
import type { CaptureSaveResult, CaptureSessionInfo } from '../../capture/sessions/registry.js';
import type { PacketAnalysis, PacketSummary } from '../../capture/sessions/summary.js';
import type { Connection } from '../../monitor/connections.js';
import type { Bandwidth, MonitorInfo } from '../../monitor/monitor.js';
import type { FlowFilter, ProtocolCounts, TrafficFlow } from '../../monitor/traffic.js';
import type { ApiContext } from '../context.js';
import { defineApi } from '../types.js';

const MONITOR_ID = {
  name: 'monitorID',
  type: 'string',
  doc: 'a `monitor-…` id from network_start_monitor',
} as const;
const CAPTURE_ID = { name: 'captureID', type: 'string', doc: 'a `capture-…` id from capture_start' } as const;
const IFACE = {
  name: 'interface',
  type: 'string',
  doc: 'interface name (renamed by `--iface-map`)',
} as const;
const FILENAME = {
  name: 'filename',
  type: 'string',
  doc: 'pcap file to write (relative: to the working directory)',
} as const;

/** Calls the network host's function `name` with `args`, typed as the module's result. */
async function call<R>(ctx: ApiContext, name: string, ...args: unknown[]): Promise<R> {
  return (await (await ctx.network())[name](...args)) as R;
}

export const NETWORK_FUNCTIONS = {
  network_start_monitor: defineApi({
    summary: 'Start monitoring an interface (kernel counters, live capture, socket table)',
    params: [IFACE],
    returns: '`{id, interface, status, started_at, packets_seen, packets_dropped}`',
    fn: (ctx, iface: string) => call<MonitorInfo>(ctx, 'network_start_monitor', iface),
  }),
  network_stop_monitor: defineApi({
    summary: 'Stop a monitor; what it collected stays readable',
    params: [MONITOR_ID],
    returns: 'the monitor info with `status: "stopped"`',
    fn: (ctx, monitorID: string) => call<MonitorInfo>(ctx, 'network_stop_monitor', monitorID),
  }),
  network_get_bandwidth: defineApi({
    summary: "The interface's counters since the start, rates since the previous call",
    params: [MONITOR_ID],
    returns:
      '`{rx_bytes, tx_bytes, rx_packets, tx_packets, rx_mbps, tx_mbps, rx_pps, tx_pps, interval, elapsed, ...}`',
    fn: (ctx, monitorID: string) => call<Bandwidth>(ctx, 'network_get_bandwidth', monitorID),
  }),
  network_get_connections: defineApi({
    summary: "TCP and UDP sockets of the monitored interface's network namespace",
    params: [MONITOR_ID],
    returns:
      'an array of `{protocol, local_ip, local_port, remote_ip, remote_port, state, pid, process, ...}`',
    fn: (ctx, monitorID: string) => call<Connection[]>(ctx, 'network_get_connections', monitorID),
  }),
  network_get_protocols: defineApi({
    summary: 'Packets per protocol seen on the wire since the start',
    params: [MONITOR_ID],
    returns: '`{TCP, UDP, ICMP, ICMPv6, ARP, OTHER, total, bytes: {...}}` packet counts',
    fn: (ctx, monitorID: string) => call<ProtocolCounts>(ctx, 'network_get_protocols', monitorID),
  }),
  network_get_top_talkers: defineApi({
    summary: 'The conversations with the most bytes',
    params: [MONITOR_ID, { name: 'limit', type: 'integer', optional: true, doc: 'how many (default 10)' }],
    returns:
      'an array of flows `{src_ip, src_port, dst_ip, dst_port, protocol, bytes, packets, ...}`, most bytes first',
    fn: (ctx, monitorID: string, limit?: number | null) =>
      call<TrafficFlow[]>(ctx, 'network_get_top_talkers', monitorID, limit),
  }),
  network_get_flows: defineApi({
    summary: 'The conversations matching a filter',
    params: [
      MONITOR_ID,
      {
        name: 'filter',
        type: 'any',
        optional: true,
        doc: 'text such as `tcp and port 443`, `host 10.0.0.1`, `bytes > 1000`, or a filter map; omitted: all',
      },
    ],
    returns: 'an array of flows, most bytes first',
    fn: (ctx, monitorID: string, filter?: string | FlowFilter | null) =>
      call<TrafficFlow[]>(ctx, 'network_get_flows', monitorID, filter),
  }),
  network_export_pcap: defineApi({
    summary: "Write the monitor's most recent packets to a pcap file",
    params: [MONITOR_ID, FILENAME],
    returns: '`{id, filename, packets, bytes}`',
    fn: (ctx, monitorID: string, filename: string) =>
      call<CaptureSaveResult>(ctx, 'network_export_pcap', monitorID, filename),
  }),
  capture_start: defineApi({
    summary: 'Start a packet capture on an interface',
    params: [
      IFACE,
      { name: 'filter', type: 'string', optional: true, doc: "tcpdump filter syntax; '' for everything" },
    ],
    returns: '`{id, interface, filter, status, started_at, link_type, packets_captured, ...}`',
    fn: (ctx, iface: string, filter?: string | null) =>
      call<CaptureSessionInfo>(ctx, 'capture_start', iface, filter),
  }),
  capture_stop: defineApi({
    summary: 'Stop a capture; its packets stay readable and savable',
    params: [CAPTURE_ID],
    returns: 'the capture info with `status: "stopped"`',
    fn: (ctx, captureID: string) => call<CaptureSessionInfo>(ctx, 'capture_stop', captureID),
  }),
  capture_get_packets: defineApi({
    summary: 'The most recent packets held, decoded into summaries (oldest of them first)',
    params: [CAPTURE_ID, { name: 'count', type: 'integer', optional: true, doc: 'how many (default 100)' }],
    returns: 'an array of `{src_ip, src_port, dst_ip, dst_port, protocol, length, timestamp, data, ...}`',
    fn: (ctx, captureID: string, count?: number | null) =>
      call<PacketSummary[]>(ctx, 'capture_get_packets', captureID, count),
  }),
  capture_analyze_packet: defineApi({
    summary: 'Decode a packet from capture_get_packets in full (Wireshark field names)',
    params: [{ name: 'packet', type: 'map', doc: 'one element of capture_get_packets' }],
    returns:
      'the summary fields plus `fields` (Wireshark name -> value), `layers`, `payload_length`, `malformed`, `tcp_flags`, `ttl`',
    fn: (ctx, packet: PacketSummary) => call<PacketAnalysis>(ctx, 'capture_analyze_packet', packet),
  }),
  capture_save_pcap: defineApi({
    summary: "Write the capture's packets to a pcap file (nanosecond timestamps)",
    params: [CAPTURE_ID, FILENAME],
    returns: '`{id, filename, packets, bytes}`',
    fn: (ctx, captureID: string, filename: string) =>
      call<CaptureSaveResult>(ctx, 'capture_save_pcap', captureID, filename),
  }),
};
