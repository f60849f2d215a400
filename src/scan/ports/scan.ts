/**
 * `scanPorts`: the spec's `scan_ports(target, portRange)`. Parses the port list, resolves the
 * target, runs a registered strategy (TCP connect by default, UDP probes with
 * `protocol: 'udp'`) and shapes the result.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { resolveTarget } from '../target.js';
import { type PortScanResult, PortStateCode, type TransportProtocol, withSummary } from '../types.js';
import { clampConcurrency } from './limits.js';
import { DEFAULT_UDP_PORTS } from './port-lists.js';
import { parsePortSpec, serviceNameForPort } from './port-spec.js';
import { RttEstimator } from './rtt.js';
import { getPortScanStrategy, listPortScanStrategies, type PortScanJob } from './strategy.js';
import './connect/strategy.js';
import './syn/strategy.js';
import './udp/strategy.js';

export interface ScanPortsOptions {
  /** `tcp` (default) or `udp`. */
  protocol?: TransportProtocol;
  /** Registered strategy name; default: {@link defaultStrategy} (`syn` as root on IPv4, else `connect`; `udp`). */
  strategy?: string;
  /** Most probes in flight at once (default 512 for TCP, 64 for UDP; bounded by the descriptor limit). */
  concurrency?: number;
  /** How many more times a silent port is probed (default 2). */
  retries?: number;
  /** Probe timeout before any round trip was measured (ms, default 1000). */
  initialTimeoutMs?: number;
  /** Lower bound of the adaptive probe timeout (ms, default 100). */
  minTimeoutMs?: number;
  /** Upper bound of the adaptive probe timeout (ms, default 3000). */
  maxTimeoutMs?: number;
  /** Deadline for the whole scan (ms, default 30 minutes); ports still unanswered are reported filtered. */
  hostTimeoutMs?: number;
  signal?: AbortSignal;
  /** Progress: ports decided so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULT_HOST_TIMEOUT_MS = 30 * 60_000;

/**
 * The strategy used when none is named: UDP probes for UDP; for TCP a SYN scan where it can run
 * (root or CAP_NET_RAW, the native addon, IPv4) as the spec and nmap do, else the connect scan.
 */
export function defaultStrategy(protocol: TransportProtocol, family: 4 | 6): string {
  if (protocol === 'udp') return 'udp';
  if (family === 4 && listPortScanStrategies().some((s) => s.name === 'syn') && getAvailable('syn'))
    return 'syn';
  return 'connect';
}

function getAvailable(name: string): boolean {
  try {
    getPortScanStrategy(name);
    return true;
  } catch {
    return false;
  }
}

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name} must be a number >= 0, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * Scans `ports` of `target` and reports open, closed and filtered ports.
 *
 * @param target IP address or host name.
 * @param ports `1-1000`, `22,80,443`, `-` (all), `top100`, `top1000`, mixes of those, or a number list.
 *   Default: `top1000` for TCP, the probed UDP services for UDP.
 */
export async function scanPorts(
  target: string,
  ports?: string | number | readonly number[],
  opts: ScanPortsOptions = {},
): Promise<PortScanResult> {
  const protocol = opts.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `protocol must be "tcp" or "udp", got ${JSON.stringify(protocol)}`,
    );
  }
  const list = parsePortSpec(ports ?? (protocol === 'udp' ? DEFAULT_UDP_PORTS : 'top1000'));
  if (opts.strategy !== undefined) getPortScanStrategy(opts.strategy);
  const resolved = await resolveTarget(target);
  const strategy = getPortScanStrategy(opts.strategy ?? defaultStrategy(protocol, resolved.family));
  if (strategy.protocol !== protocol) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `strategy "${strategy.name}" scans ${strategy.protocol.toUpperCase()}, not ${protocol.toUpperCase()}`,
    );
  }
  const rtt = new RttEstimator({
    initialMs: nonNegative('initialTimeoutMs', opts.initialTimeoutMs, 1000),
    minMs: nonNegative('minTimeoutMs', opts.minTimeoutMs, 100),
    maxMs: nonNegative('maxTimeoutMs', opts.maxTimeoutMs, 3000),
  });
  const hostTimeout = nonNegative('hostTimeoutMs', opts.hostTimeoutMs, DEFAULT_HOST_TIMEOUT_MS);
  const retries = Math.min(10, Math.floor(nonNegative('retries', opts.retries, 2)));
  const concurrency = clampConcurrency(
    nonNegative('concurrency', opts.concurrency, protocol === 'udp' ? 64 : 512) || 1,
  );
  const startedAt = new Date();
  const t0 = performance.now();
  const states = new Uint8Array(list.length);
  const job: PortScanJob = {
    address: resolved.address,
    family: resolved.family,
    ports: list,
    states,
    maxConcurrency: concurrency,
    retries,
    rtt,
    deadline: t0 + hostTimeout,
    signal: opts.signal,
    onProgress: opts.onProgress ? (d) => opts.onProgress?.(d, list.length) : undefined,
    stats: { probes: 0, retries: 0 },
  };
  await strategy.run(job);
  const elapsed = performance.now() - t0;

  const open: number[] = [];
  const filtered: number[] = [];
  const openFiltered: number[] = [];
  let closed = 0;
  let pending = 0;
  for (let i = 0; i < list.length; i++) {
    switch (states[i]) {
      case PortStateCode.OPEN:
        open.push(list[i]);
        break;
      case PortStateCode.CLOSED:
        closed++;
        break;
      case PortStateCode.OPEN_FILTERED:
        openFiltered.push(list[i]);
        break;
      case PortStateCode.PENDING:
        pending++;
        filtered.push(list[i]);
        break;
      default:
        filtered.push(list[i]);
    }
  }
  const services: Record<string, string> = {};
  for (const p of open) services[String(p)] = serviceNameForPort(p, protocol);
  const srtt = rtt.smoothed;
  const result: PortScanResult = {
    target: resolved.target,
    address: resolved.address,
    protocol,
    strategy: strategy.name,
    open_ports: open,
    closed,
    filtered: filtered.length,
    filtered_ports: filtered,
    open_filtered_ports: openFiltered,
    services,
    scanned: list.length,
    timings: {
      started: startedAt.toISOString(),
      elapsed_ms: Math.round(elapsed * 10) / 10,
      srtt_ms: srtt === null ? null : Math.round(srtt * 1000) / 1000,
      timeout_ms: Math.round(rtt.timeout()),
      probes: job.stats.probes,
      retries: job.stats.retries,
      timed_out: pending > 0,
    },
    summary: '',
  };
  const openText = open.length > 0 ? open.map((p) => `${p}/${services[String(p)]}`).join(', ') : 'none';
  result.summary =
    `${resolved.target}${resolved.target !== resolved.address ? ` (${resolved.address})` : ''} ${protocol}: ` +
    `${open.length} open (${openText}), ${closed} closed, ${filtered.length} filtered` +
    (openFiltered.length > 0 ? `, ${openFiltered.length} open|filtered` : '') +
    ` in ${(elapsed / 1000).toFixed(2)} s`;
  return withSummary(result);
}
