/**
 * The API facade: the functions of the spec (`../shared/spec/sentra-network-functions.md`) with
 * its names, argument order and snake_case result fields, over the real modules. One table
 * ({@link API_FUNCTIONS}) serves Sentra scripts ({@link apiScriptHost}), the daemon's HTTP API
 * ({@link callApi} / {@link argsFromNamed} with its own {@link ApiContext}) and TypeScript
 * callers (the functions below, bound to a default context). docs/api.md lists them all.
 */
import { ApiContext } from './context.js';
import { bindApi } from './table.js';

export { checkArgs } from './args.js';
export { ApiContext, type ApiContextOptions } from './context.js';
export { FIREWALL_FUNCTIONS } from './functions/firewall.js';
export { NETWORK_FUNCTIONS } from './functions/network.js';
export { PROXY_FUNCTIONS } from './functions/proxy.js';
export { REVERSE_PROXY_FUNCTIONS } from './functions/reverse-proxy.js';
export { SCAN_FUNCTIONS } from './functions/scan.js';
export { IDS_API_FUNCTIONS, IDS_FUNCTION_NAMES } from './ids-slot.js';
export { apiScriptHost, TARGET_MAP_OPTION } from './script-host.js';
export {
  API_FUNCTIONS,
  apiFunction,
  argsFromNamed,
  type BoundApi,
  bindApi,
  CORE_API_FUNCTIONS,
  type CoreApiName,
  callApi,
} from './table.js';
export { TargetMap } from './target-map.js';
export {
  type ApiArgs,
  type ApiFunction,
  type ApiFunctionTable,
  type ApiResult,
  defineApi,
  type ParamDoc,
  type ParamType,
} from './types.js';

let defaultContext: ApiContext | null = null;

/** The context the exported functions use: created on first use, with default options. */
export function defaultApiContext(): ApiContext {
  defaultContext ??= new ApiContext();
  return defaultContext;
}

/** Replaces the default context (firewall backend or namespace, maps); the old one is returned, not disposed. */
export function setDefaultApiContext(ctx: ApiContext): ApiContext | null {
  const old = defaultContext;
  defaultContext = ctx;
  return old;
}

/** The spec's functions, bound to {@link defaultApiContext}. */
export const {
  firewall_create_rule,
  firewall_delete_rule,
  firewall_list_rules,
  firewall_block_ip,
  firewall_allow_ip,
  firewall_get_stats,
  firewall_clear_rules,
  firewall_set_default_policy,
  proxy_start,
  proxy_stop,
  proxy_set_upstream,
  proxy_add_filter,
  proxy_get_stats,
  proxy_get_logs,
  reverse_proxy_create,
  reverse_proxy_add_backend,
  reverse_proxy_remove_backend,
  reverse_proxy_set_load_balancing,
  reverse_proxy_get_health,
  network_start_monitor,
  network_stop_monitor,
  network_get_bandwidth,
  network_get_connections,
  network_get_protocols,
  network_get_top_talkers,
  network_get_flows,
  network_export_pcap,
  capture_start,
  capture_stop,
  capture_get_packets,
  capture_analyze_packet,
  capture_save_pcap,
  scan_ports,
  scan_network,
  scan_service_version,
  scan_os_fingerprint,
  scan_vulnerabilities,
} = bindApi(defaultApiContext);
