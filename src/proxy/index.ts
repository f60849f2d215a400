/**
 * Sentra's proxies: a forward proxy (HTTP + CONNECT, filters, cache, logs) and a reverse
 * proxy / load balancer (named strategies, active and passive health checks).
 */
export * from './api.js';
export type { CacheOptions } from './forward/cache/store.js';
export {
  createFilter,
  type FilterFunction,
  type FilterInput,
  type FilterSpec,
  type FilterVerdict,
  filterTypes,
  type ProxyFilter,
  type ProxyRequest,
  registerFilterType,
} from './forward/filters/index.js';
export { ForwardProxy, type ForwardProxyOptions, type ForwardProxyStats } from './forward/proxy.js';
export { DEFAULT_LIMITS, type HttpLimits } from './http/limits.js';
export type { ProxyLogEntry } from './log.js';
export { Backend } from './reverse/backend.js';
export { balancerNames, createBalancer, registerBalancer } from './reverse/balancers/index.js';
export type { Balancer, PickContext } from './reverse/balancers/types.js';
export type { ActiveHealthOptions } from './reverse/health/active.js';
export type { PassiveHealthOptions } from './reverse/health/passive.js';
export {
  type BackendHealth,
  type BackendSpec,
  ReverseProxy,
  type ReverseProxyHealth,
  type ReverseProxyOptions,
} from './reverse/proxy.js';
