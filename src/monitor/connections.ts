/**
 * TCP and UDP sockets of IPv4 and IPv6 with their state and owning process, as `ss -tunap`
 * shows them: /proc/net/{tcp,tcp6,udp,udp6} parsed, socket inodes mapped to processes through
 * /proc/PID/fd links (`socket:[INODE]`). Inodes are unique machine-wide, so the process map
 * works for sockets of any network namespace.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { runCommand } from '../sys/exec.js';

/** One socket, fields named as the spec's results are (snake_case). */
export interface Connection {
  protocol: 'tcp' | 'udp';
  family: 4 | 6;
  local_ip: string;
  local_port: number;
  remote_ip: string;
  remote_port: number;
  /** ss's state names: LISTEN, ESTAB, SYN-SENT, TIME-WAIT, UNCONN (unconnected UDP) ... */
  state: string;
  /** Bytes waiting to be sent / read. */
  send_queue: number;
  recv_queue: number;
  uid: number;
  inode: number;
  /** Owning process (the first one holding the socket), null when not found (e.g. TIME-WAIT). */
  pid: number | null;
  process: string | null;
}

const TCP_STATES = [
  '',
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'UNCONN',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'NEW-SYN-RECV',
];

/** /proc's hex address (host-order 32-bit words) to bytes in network order. */
function addrBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    // the kernel prints each word as a host (little-endian) integer
    out[w * 4] = word & 0xff;
    out[w * 4 + 1] = (word >>> 8) & 0xff;
    out[w * 4 + 2] = (word >>> 16) & 0xff;
    out[w * 4 + 3] = word >>> 24;
  }
  return out;
}

function formatAddr(hex: string): string {
  const b = addrBytes(hex);
  return b.length === 4 ? formatIPv4(b, 0) : formatIPv6(b, 0);
}

/** Parses one /proc/net/{tcp,tcp6,udp,udp6} file (pure); `pid`/`process` are left null. */
export function parseProcNetSockets(text: string, protocol: 'tcp' | 'udp'): Connection[] {
  const out: Connection[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const [lip, lport] = f[1].split(':');
    const [rip, rport] = f[2].split(':');
    const st = Number.parseInt(f[3], 16);
    const [txq, rxq] = f[4].split(':').map((x) => Number.parseInt(x, 16));
    let state = TCP_STATES[st] ?? `0x${f[3]}`;
    if (protocol === 'udp') state = st === 1 ? 'ESTAB' : 'UNCONN';
    out.push({
      protocol,
      family: lip.length === 8 ? 4 : 6,
      local_ip: formatAddr(lip),
      local_port: Number.parseInt(lport, 16),
      remote_ip: formatAddr(rip),
      remote_port: Number.parseInt(rport, 16),
      state,
      send_queue: txq,
      recv_queue: rxq,
      uid: Number(f[7]),
      inode: Number(f[9]),
      pid: null,
      process: null,
    });
  }
  return out;
}

/** Socket inode → owning process, from /proc/PID/fd (the lowest pid wins, as ss lists first). */
export function socketOwners(): Map<number, { pid: number; process: string }> {
  const out = new Map<number, { pid: number; process: string }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  pids.sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    let comm: string | null = null;
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (out.has(inode)) continue;
      if (comm === null) {
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          comm = '';
        }
      }
      out.set(inode, { pid: Number(pid), process: comm });
    }
  }
  return out;
}

const FILES: [string, 'tcp' | 'udp'][] = [
  ['tcp', 'tcp'],
  ['tcp6', 'tcp'],
  ['udp', 'udp'],
  ['udp6', 'udp'],
];

async function readNetFile(name: string, netns?: string): Promise<string> {
  if (!netns) {
    try {
      return readFileSync(`/proc/net/${name}`, 'utf8');
    } catch {
      return ''; // IPv6 disabled: no tcp6/udp6
    }
  }
  const r = await runCommand(['cat', `/proc/net/${name}`], { netns, timeoutMs: 10_000, okCodes: [1] });
  return r.stdout;
}

/**
 * Every TCP and UDP socket (IPv4 and IPv6) of the root namespace, or of `netns`, with its
 * owning process (`ss -tunap`).
 */
export async function listConnections(options: { netns?: string } = {}): Promise<Connection[]> {
  const texts = await Promise.all(FILES.map(([f]) => readNetFile(f, options.netns)));
  const owners = socketOwners();
  const out: Connection[] = [];
  texts.forEach((t, i) => {
    for (const c of parseProcNetSockets(t, FILES[i][1])) {
      const o = c.inode !== 0 ? owners.get(c.inode) : undefined;
      if (o) {
        c.pid = o.pid;
        c.process = o.process;
      }
      out.push(c);
    }
  });
  return out;
}
