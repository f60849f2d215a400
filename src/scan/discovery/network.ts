/**
 * `scanNetwork`: the spec's `scan_network(networkCIDR)`. A host is up when any of these
 * answers: a TCP probe to a common port (a SYN-ACK or a reset both prove it), an ICMP echo,
 * or — on the local segment — the kernel's ARP/NDP resolution that those probes provoked.
 * Live hosts get their MAC (local segment), best latency and reverse DNS name.
 */
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { ErrorCodes, SentraError } from '../../errors.js';
import { formatIp, parseCidr } from '../../net/address.js';
import { type DiscoveredHost, withSummary } from '../types.js';
import { runPool } from '../util/pool.js';
import { readNeighbours } from './neighbours.js';
import { pingTtl } from './ping.js';

/** Ports whose answer (open or reset) proves a host: the services hosts most often expose. */
export const DISCOVERY_PORTS: readonly number[] = [80, 443, 22, 445, 3389, 139, 135, 21, 25, 53, 8080, 5900];

/** Above this many addresses `allowLarge` must be set (a /22). */
export const DEFAULT_MAX_HOSTS = 1024;
/** Never more than this many, flag or not (a /12). */
export const ABSOLUTE_MAX_HOSTS = 1 << 20;

export interface ScanNetworkOptions {
  /** Allow ranges of more than {@link DEFAULT_MAX_HOSTS} addresses. */
  allowLarge?: boolean;
  /** Methods to use (default all three). */
  methods?: ('tcp' | 'icmp' | 'arp')[];
  /** TCP ports to probe (default {@link DISCOVERY_PORTS}). */
  tcpPorts?: readonly number[];
  /** Wait for each probe (ms, default 1000). */
  timeoutMs?: number;
  /** Hosts probed at once (default 64). */
  concurrency?: number;
  /** Look up reverse DNS names (default true). */
  reverseDns?: boolean;
  /** DNS servers for reverse lookups (default: the system's). */
  dnsServers?: string[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The addresses of a block that a scan probes (IPv4: without network and broadcast for /0-/30). */
export function hostAddresses(
  cidr: string,
  opts: { allowLarge?: boolean } = {},
): { family: 4 | 6; addresses: string[] } {
  const c = parseCidr(cidr);
  const bits = (c.family === 4 ? 32 : 128) - c.prefix;
  const count = bits >= 52 ? Number.POSITIVE_INFINITY : 2 ** bits;
  const limit = opts.allowLarge ? ABSOLUTE_MAX_HOSTS : DEFAULT_MAX_HOSTS;
  if (count > limit) {
    throw new SentraError(
      ErrorCodes.SCAN_TARGET_TOO_LARGE,
      opts.allowLarge
        ? `${cidr} has ${count} addresses; Sentra scans at most ${ABSOLUTE_MAX_HOSTS} at once: split the range`
        : `${cidr} has ${count} addresses (more than ${DEFAULT_MAX_HOSTS}); pass allowLarge (CLI: --allow-large) to scan it`,
      { details: { cidr, addresses: count, limit } },
    );
  }
  const addresses: string[] = [];
  const bytes = new Uint8Array(c.bytes);
  const skipEnds = c.family === 4 && c.prefix <= 30;
  for (let i = 0; i < count; i++) {
    if (!(skipEnds && (i === 0 || i === count - 1))) addresses.push(formatIp(bytes));
    // increment the address as a big-endian number
    for (let j = bytes.length - 1; j >= 0; j--) {
      bytes[j] = (bytes[j] + 1) & 0xff;
      if (bytes[j] !== 0) break;
    }
  }
  return { family: c.family, addresses };
}

/** One TCP connect; resolves the time to an answer (open or reset), or null for silence/unreachable. */
function tcpAnswer(address: string, port: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect({ host: address, port });
    const done = (v: number | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.once('connect', () => done(performance.now() - t0));
    s.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' ? performance.now() - t0 : null),
    );
  });
}

async function reverseName(resolver: Resolver, ip: string): Promise<string> {
  try {
    const names = await resolver.reverse(ip);
    return names[0] ?? '';
  } catch {
    return '';
  }
}

/** Finds the live hosts of `cidr`. */
export async function scanNetwork(cidr: string, opts: ScanNetworkOptions = {}): Promise<DiscoveredHost[]> {
  const { family, addresses } = hostAddresses(cidr, opts);
  const methods = new Set(opts.methods ?? ['tcp', 'icmp', 'arp']);
  const timeout = opts.timeoutMs ?? 1000;
  const ports = opts.tcpPorts ?? DISCOVERY_PORTS;
  const found = new Map<string, { latency: number | null; methods: Set<string> }>();
  const mark = (ip: string, method: string, latency: number | null) => {
    let h = found.get(ip);
    if (!h) {
      h = { latency: null, methods: new Set() };
      found.set(ip, h);
    }
    h.methods.add(method);
    if (latency !== null && Number.isFinite(latency) && (h.latency === null || latency < h.latency))
      h.latency = latency;
  };
  let done = 0;
  await runPool(
    addresses,
    opts.concurrency ?? 64,
    async (ip) => {
      const jobs: Promise<void>[] = [];
      if (methods.has('tcp') || methods.has('arp')) {
        // the TCP probes also make the kernel resolve the address on the local segment
        jobs.push(
          Promise.all(ports.map((p) => tcpAnswer(ip, p, timeout))).then((rtts) => {
            const ok = rtts.filter((r): r is number => r !== null);
            if (methods.has('tcp') && ok.length > 0) mark(ip, 'tcp', Math.min(...ok));
          }),
        );
      }
      if (methods.has('icmp')) {
        jobs.push(
          pingTtl(ip, family, timeout).then((r) => {
            if (r) mark(ip, 'icmp', r.rttMs);
          }),
        );
      }
      await Promise.all(jobs);
      done++;
      opts.onProgress?.(done, addresses.length);
    },
    () => Boolean(opts.signal?.aborted),
  );

  const inRange = new Set(addresses);
  const macs = new Map<string, string>();
  try {
    for (const n of await readNeighbours(family)) {
      if (!inRange.has(n.ip) || !n.mac) continue;
      macs.set(n.ip, n.mac);
      if (methods.has('arp') && (n.state === 'REACHABLE' || n.state === 'PERMANENT')) mark(n.ip, 'arp', null);
    }
  } catch (e) {
    // without iproute2 the other methods still stand
    if (!(e instanceof SentraError)) throw e;
  }

  const resolver = new Resolver({ timeout: Math.max(200, timeout), tries: 1 });
  if (opts.dnsServers) resolver.setServers(opts.dnsServers);
  const ips = [...found.keys()].sort(compareIp);
  const hosts: DiscoveredHost[] = [];
  await runPool(ips, 16, async (ip) => {
    const h = found.get(ip)!;
    const hostname = opts.reverseDns === false ? '' : await reverseName(resolver, ip);
    const latency = h.latency === null ? null : Math.round(h.latency * 1000) / 1000;
    const mac = macs.get(ip) ?? '';
    const host: DiscoveredHost = { ip, hostname, mac, latency, methods: [...h.methods].sort(), summary: '' };
    host.summary = `${ip}${hostname ? ` (${hostname})` : ''}${mac ? ` ${mac}` : ''}${latency !== null ? ` ${latency} ms` : ''}`;
    hosts.push(withSummary(host));
  });
  return hosts.sort((a, b) => compareIp(a.ip, b.ip));
}

function compareIp(a: string, b: string): number {
  if (!a.includes(':') && !b.includes(':')) {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
