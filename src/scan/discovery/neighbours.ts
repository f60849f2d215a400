/**
 * The kernel's neighbour table (ARP for IPv4, NDP for IPv6) via `ip neigh`. After the
 * discovery probes made the kernel resolve every address of the local segment, a REACHABLE
 * entry proves the host is there even when it answers nothing else (a firewall that drops all
 * IP traffic still lets ARP through). Older entries (STALE, DELAY) only lend their MAC.
 */
import { runCommand } from '../../sys/exec.js';

export interface NeighbourEntry {
  ip: string;
  dev: string;
  mac: string;
  state: string;
}

/** Parses `ip neigh show` output. Pure. */
export function parseNeighbours(text: string): NeighbourEntry[] {
  const out: NeighbourEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) dev (\S+)(?: lladdr ([0-9a-f:]+))?(?: router)?(?: proxy)? ([A-Z_|]+)\s*$/.exec(
      line.trim(),
    );
    if (!m) continue;
    out.push({ ip: m[1], dev: m[2], mac: m[3] ?? '', state: m[4] });
  }
  return out;
}

/** The neighbour table of one address family. */
export async function readNeighbours(family: 4 | 6): Promise<NeighbourEntry[]> {
  const r = await runCommand(['ip', family === 6 ? '-6' : '-4', 'neigh', 'show'], {
    timeoutMs: 5000,
    packageHint: 'iproute2',
  });
  return parseNeighbours(r.stdout);
}
