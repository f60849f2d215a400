/** Network monitoring: the spec's `network_*` functions, sockets, interface counters, latency. */
export { type Connection, listConnections, parseProcNetSockets, socketOwners } from './connections.js';
export { type InterfaceCounters, parseProcNetDev, readInterfaceCounters } from './counters.js';
export { parseFlowFilter } from './flow-filter.js';
export {
  type LatencyMethod,
  LatencyMonitor,
  type LatencyOptions,
  type LatencyStats,
  latencyStats,
  parsePingReplies,
  probeLatency,
  tcpConnectTime,
} from './latency.js';
export {
  type Bandwidth,
  defaultMonitorRegistry,
  type MonitorInfo,
  type MonitorOptions,
  MonitorRegistry,
  networkExportPcap,
  networkGetBandwidth,
  networkGetConnections,
  networkGetFlows,
  networkGetProtocols,
  networkGetTopTalkers,
  networkStartMonitor,
  networkStopMonitor,
} from './monitor.js';
export { networkScriptHost } from './script-host.js';
export { type MonitorSnapshot, monitorSnapshot } from './snapshot.js';
export {
  type FlowFilter,
  type ProtocolCounts,
  type TrafficAggregator,
  type TrafficFlow,
  TrafficTable,
  type TrafficTableOptions,
} from './traffic.js';
