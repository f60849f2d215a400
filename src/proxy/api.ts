/**
 * The spec's proxy functions (`proxy_*`, `reverse_proxy_*`) over the proxy classes: a
 * registry of running instances by id, snake_case options and results as scripts see them.
 * The facade in src/api maps the spec's names onto these.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { parsePort } from '../net/address.js';
import type { FilterInput } from './forward/filters/index.js';
import { ForwardProxy, type ForwardProxyStats } from './forward/proxy.js';
import type { HttpLimits } from './http/limits.js';
import type { ProxyLogEntry } from './log.js';
import type { ActiveHealthOptions } from './reverse/health/active.js';
import type { PassiveHealthOptions } from './reverse/health/passive.js';
import { type BackendSpec, ReverseProxy, type ReverseProxyHealth } from './reverse/proxy.js';

const forwardProxies = new Map<string, ForwardProxy>();
const reverseProxies = new Map<string, ReverseProxy>();

/** `proxy_start` options (snake_case, as scripts write them). */
export interface ProxyStartOptions {
  cache_enabled?: boolean;
  /** Largest total cache size in bytes (default 64 MiB). */
  cache_max_bytes?: number;
  /** Largest cached response in bytes (default 1 MiB). */
  cache_max_entry_bytes?: number;
  log_requests?: boolean;
  /** JSON Lines file for the log (with log_requests). */
  log_file?: string;
  log_capacity?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  upstream?: string;
  blocked_domains?: string[];
  allowed_domains?: string[];
  blocked_urls?: string[];
  allowed_methods?: string[];
  allowed_clients?: string[];
  auth?: { username: string; password: string };
  connect_ports?: number[];
  limits?: Partial<HttpLimits>;
}

export interface ProxyStartResult {
  id: string;
  host: string;
  port: number;
  status: 'running';
}

function checkPort(port: unknown): number {
  return parsePort(port as number, { allowZero: true });
}

function forward(id: string): ForwardProxy {
  const p = forwardProxies.get(String(id));
  if (p === undefined) {
    throw new SentraError(ErrorCodes.NOT_FOUND, `no running proxy ${JSON.stringify(id)}`, {
      details: { id },
    });
  }
  return p;
}

function reverse(id: string): ReverseProxy {
  const p = reverseProxies.get(String(id));
  if (p === undefined) {
    throw new SentraError(ErrorCodes.NOT_FOUND, `no running reverse proxy ${JSON.stringify(id)}`, {
      details: { id },
    });
  }
  return p;
}

/** `proxy_start(port, options)`: starts a forward proxy. */
export async function proxyStart(port: number, options: ProxyStartOptions = {}): Promise<ProxyStartResult> {
  const p = new ForwardProxy({
    port: checkPort(port),
    host: options.host,
    upstream: options.upstream,
    cache: options.cache_enabled
      ? { maxBytes: options.cache_max_bytes, maxEntryBytes: options.cache_max_entry_bytes }
      : false,
    logRequests: options.log_requests,
    logFile: options.log_file,
    logCapacity: options.log_capacity,
    blockedDomains: options.blocked_domains,
    allowedDomains: options.allowed_domains,
    blockedUrls: options.blocked_urls,
    allowedMethods: options.allowed_methods,
    allowedClients: options.allowed_clients,
    auth: options.auth,
    connectPorts: options.connect_ports,
    limits: options.limits,
  });
  await p.start();
  forwardProxies.set(p.id, p);
  return { id: p.id, host: p.host, port: p.port, status: 'running' };
}

/** `proxy_stop(id)`: stops a forward proxy (requests in flight get a few seconds). */
export async function proxyStop(
  id: string,
): Promise<{ id: string; stopped: true; stats: ForwardProxyStats }> {
  const p = forward(id);
  forwardProxies.delete(p.id);
  await p.stop();
  return { id: p.id, stopped: true, stats: p.stats() };
}

/** `proxy_set_upstream(id, url)`: chains through a parent proxy ('' or null: direct). */
export function proxySetUpstream(id: string, url: string | null): { id: string; upstream: string | null } {
  const p = forward(id);
  p.setUpstream(url);
  return { id: p.id, upstream: p.upstream };
}

/** `proxy_add_filter(id, filter)`: a function `(req) => verdict`, a filter object or `{type, values}`. */
export function proxyAddFilter(
  id: string,
  filter: FilterInput,
): { id: string; filter: string; filters: string[] } {
  const p = forward(id);
  const f = p.addFilter(filter);
  return { id: p.id, filter: f.name, filters: p.filterNames };
}

/** `proxy_get_stats(id)`. */
export function proxyGetStats(id: string): ForwardProxyStats {
  return forward(id).stats();
}

/** `proxy_get_logs(id, limit)`: the most recent entries, oldest first. */
export function proxyGetLogs(id: string, limit = 100): ProxyLogEntry[] {
  const n = Number(limit);
  if (!Number.isFinite(n) || n < 0) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'limit must be a non-negative number');
  }
  return forward(id).logs(n);
}

/** Options of `reverse_proxy_create` beyond the spec's three arguments. */
export interface ReverseProxyCreateOptions {
  host?: string;
  health_check?: ActiveHealthOptions | false;
  passive_health?: PassiveHealthOptions | false;
  retries?: number;
  log_requests?: boolean;
  log_file?: string;
  limits?: Partial<HttpLimits>;
}

export interface ReverseProxyCreateResult {
  id: string;
  host: string;
  port: number;
  algorithm: string;
  backends: { id: string; url: string; weight: number }[];
  status: 'running';
}

/** `reverse_proxy_create(port, backends, algorithm)`: starts a load balancer. */
export async function reverseProxyCreate(
  port: number,
  backends: (BackendSpec | string)[],
  algorithm = 'round_robin',
  options: ReverseProxyCreateOptions = {},
): Promise<ReverseProxyCreateResult> {
  if (!Array.isArray(backends)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'backends must be a list of {url, weight} or URLs');
  }
  const p = new ReverseProxy({
    port: checkPort(port),
    host: options.host,
    backends,
    algorithm,
    healthCheck: options.health_check,
    passiveHealth: options.passive_health,
    retries: options.retries,
    logRequests: options.log_requests,
    logFile: options.log_file,
    limits: options.limits,
  });
  await p.start();
  reverseProxies.set(p.id, p);
  return {
    id: p.id,
    host: p.host,
    port: p.port,
    algorithm: p.algorithm,
    backends: p.backends.map((b) => ({ id: b.id, url: b.url, weight: b.weight })),
    status: 'running',
  };
}

/** `reverse_proxy_add_backend(id, url, weight)`. */
export function reverseProxyAddBackend(
  id: string,
  url: string,
  weight = 1,
): { id: string; url: string; weight: number; proxy_id: string } {
  const p = reverse(id);
  const b = p.addBackend(url, weight);
  return { id: b.id, url: b.url, weight: b.weight, proxy_id: p.id };
}

/** `reverse_proxy_remove_backend(id, backend_id)` (a backend URL works too). */
export function reverseProxyRemoveBackend(id: string, backendId: string): { id: string; removed: string } {
  const p = reverse(id);
  const b = p.removeBackend(backendId);
  return { id: p.id, removed: b.id };
}

/** `reverse_proxy_set_load_balancing(id, algorithm)`. */
export function reverseProxySetLoadBalancing(
  id: string,
  algorithm: string,
): { id: string; algorithm: string } {
  const p = reverse(id);
  p.setAlgorithm(algorithm);
  return { id: p.id, algorithm: p.algorithm };
}

/** `reverse_proxy_get_health(id)`. */
export function reverseProxyGetHealth(id: string): ReverseProxyHealth {
  return reverse(id).health();
}

/** Stops a load balancer (not in the spec; scripts end and the daemon needs it). */
export async function reverseProxyStop(id: string): Promise<{ id: string; stopped: true }> {
  const p = reverse(id);
  reverseProxies.delete(p.id);
  await p.stop();
  return { id: p.id, stopped: true };
}

/** The running instances (for the daemon and `sentra run`). */
export function getForwardProxy(id: string): ForwardProxy {
  return forward(id);
}

export function getReverseProxy(id: string): ReverseProxy {
  return reverse(id);
}

export function listProxies(): { forward: string[]; reverse: string[] } {
  return { forward: [...forwardProxies.keys()], reverse: [...reverseProxies.keys()] };
}

/** Stops every proxy started through this module (script end, daemon shutdown). */
export async function stopAllProxies(graceMs = 1_000): Promise<void> {
  const all: Promise<void>[] = [];
  for (const p of forwardProxies.values()) all.push(p.stop(graceMs));
  for (const p of reverseProxies.values()) all.push(p.stop(graceMs));
  forwardProxies.clear();
  reverseProxies.clear();
  await Promise.all(all);
}
