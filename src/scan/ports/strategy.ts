/**
 * Port-scan strategies, registered by name. A strategy probes a list of ports of one address
 * and writes one state byte per port; the caller ({@link scanPorts}) owns parsing, target
 * resolution, deadlines and the result. Built in: `connect` (TCP connect scan, any user) and
 * `udp` (protocol probes). A SYN scan needs raw packets; it plugs in here by name (`syn`) once
 * the capture addon exists, without touching the callers:
 *
 * ```ts
 * registerPortScanStrategy({ name: 'syn', protocol: 'tcp', available, run });
 * ```
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { TransportProtocol } from '../types.js';
import type { RttEstimator } from './rtt.js';

/** Everything a strategy needs to scan one address. */
export interface PortScanJob {
  /** Numeric address to probe. */
  address: string;
  family: 4 | 6;
  /** Ports to probe, ascending. */
  ports: Uint16Array;
  /** Output: one {@link PortStateCode} per entry of `ports`; PENDING entries left at the end count as filtered. */
  states: Uint8Array;
  /** Upper bound of probes in flight. */
  maxConcurrency: number;
  /** How many times a silent port is probed again. */
  retries: number;
  /** Shared RTT estimate; strategies feed it and read their timeouts from it. */
  rtt: RttEstimator;
  /** `performance.now()` time after which the strategy must stop and return. */
  deadline: number;
  signal?: AbortSignal;
  /** Called now and then with the number of ports decided so far. */
  onProgress?: (decided: number) => void;
  /** Counters the strategy increments. */
  stats: { probes: number; retries: number };
}

export interface PortScanStrategy {
  readonly name: string;
  readonly protocol: TransportProtocol;
  /** One line for `--help` and docs. */
  readonly description: string;
  /** Whether the strategy can run on this machine and process, and why not. */
  available(): { ok: true } | { ok: false; reason: string };
  run(job: PortScanJob): Promise<void>;
}

const strategies = new Map<string, PortScanStrategy>();

/** Adds (or replaces) a strategy under its name. */
export function registerPortScanStrategy(s: PortScanStrategy): void {
  strategies.set(s.name, s);
}

/** The strategy called `name`; throws SENTRA_ERR_INVALID_ARGUMENT or DEPENDENCY_MISSING. */
export function getPortScanStrategy(name: string): PortScanStrategy {
  const s = strategies.get(name);
  if (!s) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `unknown scan strategy "${name}"; available: ${[...strategies.keys()].join(', ')}`,
      { details: { strategy: name } },
    );
  }
  const av = s.available();
  if (!av.ok) {
    throw new SentraError(
      ErrorCodes.DEPENDENCY_MISSING,
      `scan strategy "${name}" cannot run here: ${av.reason}`,
      {
        details: { strategy: name },
      },
    );
  }
  return s;
}

/** Names of the registered strategies. */
export function listPortScanStrategies(): {
  name: string;
  protocol: TransportProtocol;
  description: string;
}[] {
  return [...strategies.values()].map((s) => ({
    name: s.name,
    protocol: s.protocol,
    description: s.description,
  }));
}
