/**
 * The kernel's interface counters (what `ip -s link` and /proc/net/dev show): bytes, packets,
 * errors and drops per direction. In the root namespace they are read from /proc/net/dev; for an
 * interface inside another network namespace through `ip -n NS -j -s link show dev IF`
 * (/proc/net/dev shows the namespace of the reading process only).
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../errors.js';
import { runCommand } from '../sys/exec.js';

export interface InterfaceCounters {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** Parses /proc/net/dev text into counters per interface name (pure). */
export function parseProcNetDev(text: string): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16 || f.some((n) => Number.isNaN(n))) continue;
    out.set(name, {
      rx_bytes: f[0],
      rx_packets: f[1],
      rx_errors: f[2],
      rx_dropped: f[3],
      tx_bytes: f[8],
      tx_packets: f[9],
      tx_errors: f[10],
      tx_dropped: f[11],
    });
  }
  return out;
}

interface IpLinkStats {
  ifname: string;
  stats64?: {
    rx: { bytes: number; packets: number; errors: number; dropped: number };
    tx: { bytes: number; packets: number; errors: number; dropped: number };
  };
}

function notFound(iface: string, netns?: string): SentraError {
  return new SentraError(
    ErrorCodes.NOT_FOUND,
    `no interface ${iface}${netns ? ` in network namespace ${netns}` : ''} (see sentra interfaces)`,
    { details: { interface: iface, netns } },
  );
}

/** Reads the counters of `iface` (inside `netns` when given). */
export async function readInterfaceCounters(iface: string, netns?: string): Promise<InterfaceCounters> {
  if (!netns) {
    const c = parseProcNetDev(readFileSync('/proc/net/dev', 'utf8')).get(iface);
    if (!c) throw notFound(iface);
    return c;
  }
  let stdout: string;
  try {
    ({ stdout } = await runCommand(['ip', '-n', netns, '-j', '-s', 'link', 'show', 'dev', iface], {
      packageHint: 'iproute2',
      timeoutMs: 10_000,
    }));
  } catch (e) {
    if (e instanceof SentraError && e.code === ErrorCodes.COMMAND_FAILED) throw notFound(iface, netns);
    throw e;
  }
  const j = JSON.parse(stdout) as IpLinkStats[];
  const s = j[0]?.stats64;
  if (!s) throw notFound(iface, netns);
  return {
    rx_bytes: s.rx.bytes,
    rx_packets: s.rx.packets,
    rx_errors: s.rx.errors,
    rx_dropped: s.rx.dropped,
    tx_bytes: s.tx.bytes,
    tx_packets: s.tx.packets,
    tx_errors: s.tx.errors,
    tx_dropped: s.tx.dropped,
  };
}
