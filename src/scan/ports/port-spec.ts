/**
 * Port lists as users write them: the shared range syntax of `parsePortRanges` (`1-1000`,
 * `22,80,443`, `-`) plus the named lists `top100` and `top1000`, which may be mixed with
 * ranges (`top100,8000-8100`).
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../errors.js';
import { expandPortRanges, parsePortRanges } from '../../net/address.js';
import type { TransportProtocol } from '../types.js';
import { TCP_SERVICE_NAMES, TOP100_TCP, TOP1000_TCP, UDP_SERVICE_NAMES } from './port-lists.js';

const NAMED_LISTS: Record<string, readonly number[]> = {
  top100: TOP100_TCP,
  top1000: TOP1000_TCP,
};

/**
 * Parses a port specification into a sorted list of unique ports (1-65535) in a Uint16Array.
 * Throws SENTRA_ERR_INVALID_PORT_RANGE on bad input.
 */
export function parsePortSpec(spec: string | number | readonly number[]): Uint16Array {
  if (Array.isArray(spec)) return uniqueSorted(spec.map((p) => checkPort(p)));
  if (typeof spec === 'number') return uniqueSorted([checkPort(spec)]);
  if (typeof spec !== 'string') {
    throw new SentraError(
      ErrorCodes.INVALID_PORT_RANGE,
      'ports must be a string like "1-1000", "top100" or a list',
    );
  }
  const ports: number[] = [];
  const rest: string[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim().toLowerCase();
    const named = NAMED_LISTS[part];
    if (named) ports.push(...named);
    else rest.push(raw);
  }
  if (rest.length > 0) ports.push(...expandPortRanges(parsePortRanges(rest.join(','))));
  return uniqueSorted(ports);
}

function checkPort(p: unknown): number {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw new SentraError(
      ErrorCodes.INVALID_PORT_RANGE,
      `invalid port ${JSON.stringify(p)}: must be 1-65535`,
    );
  }
  return p;
}

function uniqueSorted(ports: number[]): Uint16Array {
  const out = Uint16Array.from(new Set(ports));
  out.sort();
  if (out.length === 0) throw new SentraError(ErrorCodes.INVALID_PORT_RANGE, 'the port list is empty');
  return out;
}

let systemServices: { tcp: Map<number, string>; udp: Map<number, string> } | null = null;

/** Reads the system's services database (/etc/services) once, as getservbyport(3) would. */
function loadSystemServices(): { tcp: Map<number, string>; udp: Map<number, string> } {
  if (systemServices) return systemServices;
  const tcp = new Map<number, string>();
  const udp = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
      const m = /^([A-Za-z0-9][\w.+-]*)\s+(\d+)\/(tcp|udp)\b/.exec(line);
      if (!m) continue;
      const map = m[3] === 'tcp' ? tcp : udp;
      const port = Number(m[2]);
      if (!map.has(port)) map.set(port, m[1]);
    }
  } catch {
    /* no services database: our own table only */
  }
  systemServices = { tcp, udp };
  return systemServices;
}

/** The usual service name of a port: Sentra's table, then /etc/services, else 'unknown'. */
export function serviceNameForPort(port: number, protocol: TransportProtocol = 'tcp'): string {
  const own = protocol === 'tcp' ? TCP_SERVICE_NAMES[port] : UDP_SERVICE_NAMES[port];
  if (own) return own;
  const sys = loadSystemServices()[protocol].get(port);
  return sys ?? 'unknown';
}
