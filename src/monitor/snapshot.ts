/**
 * One reading of every monitor view at once (what `sentra top` draws and `--json` prints).
 */
import type { Connection } from './connections.js';
import type { Bandwidth, MonitorRegistry } from './monitor.js';
import type { ProtocolCounts, TrafficFlow } from './traffic.js';

export interface MonitorSnapshot {
  id: string;
  interface: string;
  timestamp: number;
  bandwidth: Bandwidth;
  protocols: ProtocolCounts;
  top_talkers: TrafficFlow[];
  /** Sockets by state (LISTEN, ESTAB, UNCONN ...). */
  connection_states: Record<string, number>;
  /** Established TCP connections, at most `limit`. */
  connections: Connection[];
  connections_total: number;
  packets_seen: number;
  packets_dropped: number;
}

export async function monitorSnapshot(
  reg: MonitorRegistry,
  id: string,
  limit = 10,
): Promise<MonitorSnapshot> {
  const bandwidth = await reg.bandwidth(id);
  const conns = await reg.connections(id);
  const states: Record<string, number> = {};
  for (const c of conns) states[c.state] = (states[c.state] ?? 0) + 1;
  const info = reg.info(id);
  return {
    id,
    interface: info.interface,
    timestamp: bandwidth.timestamp,
    bandwidth,
    protocols: reg.protocols(id),
    top_talkers: reg.topTalkers(id, limit),
    connection_states: states,
    connections: conns.filter((c) => c.protocol === 'tcp' && c.state === 'ESTAB').slice(0, limit),
    connections_total: conns.length,
    packets_seen: info.packets_seen,
    packets_dropped: info.packets_dropped,
  };
}
