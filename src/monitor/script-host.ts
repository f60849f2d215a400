/**
 * The spec's capture (section 6) and monitoring (section 5) functions for Sentra scripts, as a
 * {@link ScriptHostProvider}: each script run gets its own capture and monitor registries,
 * interface names go through `--iface-map`, and everything a script started is stopped when
 * it ends. The API facade (src/api) can list this provider among its hosts.
 */
import { CaptureRegistry } from '../capture/sessions/registry.js';
import { analyzePacket } from '../capture/sessions/summary.js';
import type { HostFunctionTable, RunContext, ScriptHost, ScriptHostProvider } from '../lang/host.js';
import { MonitorRegistry } from './monitor.js';

const NAMES = [
  'capture_start',
  'capture_stop',
  'capture_get_packets',
  'capture_analyze_packet',
  'capture_save_pcap',
  'network_start_monitor',
  'network_stop_monitor',
  'network_get_bandwidth',
  'network_get_connections',
  'network_get_protocols',
  'network_get_top_talkers',
  'network_get_flows',
  'network_export_pcap',
] as const;

export const networkScriptHost: ScriptHostProvider = {
  functionNames: NAMES,
  start(ctx: RunContext): ScriptHost {
    const captures = new CaptureRegistry();
    const monitors = new MonitorRegistry();
    const functions: HostFunctionTable = {
      capture_start: (iface: string, filter?: string | null) =>
        captures.start(ctx.mapInterface(iface), filter ?? ''),
      capture_stop: (id: string) => captures.stop(id),
      capture_get_packets: (id: string, count?: number | null) => captures.packets(id, count ?? 100),
      capture_analyze_packet: (packet: Parameters<typeof analyzePacket>[0]) => analyzePacket(packet),
      capture_save_pcap: (id: string, filename: string) => captures.save(id, filename),
      network_start_monitor: (iface: string) => monitors.start(ctx.mapInterface(iface)),
      network_stop_monitor: (id: string) => monitors.stop(id),
      network_get_bandwidth: (id: string) => monitors.bandwidth(id),
      network_get_connections: (id: string) => monitors.connections(id),
      network_get_protocols: (id: string) => monitors.protocols(id),
      network_get_top_talkers: (id: string, limit?: number | null) => monitors.topTalkers(id, limit ?? 10),
      network_get_flows: (id: string, filter?: string | null) => monitors.flows(id, filter),
      network_export_pcap: (id: string, filename: string) => monitors.exportPcap(id, filename),
    };
    return {
      functions,
      dispose() {
        captures.closeAll();
        monitors.closeAll();
      },
    };
  },
};
