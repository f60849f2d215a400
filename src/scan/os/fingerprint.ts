/**
 * `scanOsFingerprint`: the spec's `scan_os_fingerprint(target)`. Connects to an open port and
 * reads the target's SYN-ACK as it arrived — TTL, window, options in order — then classifies it
 * with {@link classifySynAck}. Seeing the SYN-ACK needs a packet capture: today through
 * `tcpdump` (root or CAP_NET_RAW); a capture source can be plugged in by name
 * ({@link registerSynAckSource}) once the libpcap addon exists. Without a capture, the TTL of
 * an ICMP echo reply (system `ping`) gives a weaker, TTL-only guess.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { ErrorCodes, SentraError } from '../../errors.js';
import { runCommand } from '../../sys/exec.js';
import { pingTtl } from '../discovery/ping.js';
import { scanPorts } from '../ports/scan.js';
import { resolveTarget } from '../target.js';
import type { OsGuess, SynAckFields } from '../types.js';
import { classifySynAck, classifyTtlOnly } from './classify.js';
import { synAckFromPcap } from './synack.js';

/** Sees the SYN-ACK that answers a connection to `address`:`port` made by `connect()`. */
export interface SynAckSource {
  name: string;
  capture(
    address: string,
    family: 4 | 6,
    port: number,
    connect: () => Promise<void>,
    timeoutMs: number,
  ): Promise<SynAckFields | null>;
}

const sources: SynAckSource[] = [];

/** Adds a capture source; sources are tried in the order they were registered. */
export function registerSynAckSource(s: SynAckSource): void {
  sources.push(s);
}

export interface OsFingerprintOptions {
  /** An open TCP port to use; found with a quick top-100 scan when omitted. */
  port?: number;
  /** Overall time limit (ms, default 15000). */
  timeoutMs?: number;
}

/** The interface the kernel routes `address` through (`ip route get`). */
export async function routeInterface(address: string): Promise<string> {
  const r = await runCommand(['ip', 'route', 'get', address], { timeoutMs: 5000, packageHint: 'iproute2' });
  const m = /\bdev (\S+)/.exec(r.stdout);
  if (!m) throw new SentraError(ErrorCodes.NOT_FOUND, `no route to ${address}`);
  return m[1];
}

/** Capture through tcpdump: one packet, written as pcap to stdout, parsed by {@link synAckFromPcap}. */
export const tcpdumpSource: SynAckSource = {
  name: 'tcpdump',
  async capture(address, family, port, connect, timeoutMs) {
    const iface = await routeInterface(address);
    const filter =
      family === 4
        ? `src host ${address} and tcp src port ${port} and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)`
        : // libpcap cannot index TCP in IPv6; without extension headers the flags are at 40+13
          `ip6 and src host ${address} and tcp src port ${port} and ip6[53] & 0x12 == 0x12`;
    const child: ChildProcess = spawn(
      'tcpdump',
      ['-i', iface, '-n', '-U', '-c', '1', '--immediate-mode', '-w', '-', filter],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const chunks: Buffer[] = [];
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('close', (code) => resolve(code));
    });
    child.stdout?.on('data', (b: Buffer) => chunks.push(b));
    const ready = new Promise<boolean>((resolve) => {
      child.stderr?.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (/listening on/.test(stderr)) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    try {
      if (!(await ready)) {
        if (/permission|not permitted/i.test(stderr)) {
          throw new SentraError(
            ErrorCodes.PERMISSION_DENIED,
            'capturing the SYN-ACK needs root or CAP_NET_RAW',
          );
        }
        return null;
      }
      await connect();
      await exited;
      return synAckFromPcap(Buffer.concat(chunks));
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  },
};
registerSynAckSource(tcpdumpSource);

function connectOnce(address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    const end = () => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    };
    const timer = setTimeout(end, timeoutMs);
    s.once('connect', end);
    s.once('error', end);
  });
}

/** Guesses the OS of `target`. */
export async function scanOsFingerprint(target: string, opts: OsFingerprintOptions = {}): Promise<OsGuess> {
  const t = await resolveTarget(target);
  const timeout = opts.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeout;
  let port = opts.port;
  if (port === undefined) {
    const scan = await scanPorts(t.address, 'top100', {
      hostTimeoutMs: Math.max(1000, timeout / 2),
      retries: 1,
    });
    port = scan.open_ports[0];
  }
  if (port !== undefined) {
    for (const src of sources) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        const f = await src.capture(
          t.address,
          t.family,
          port,
          () => connectOnce(t.address, port as number, 3000),
          left,
        );
        if (f) return classifySynAck(f, t.target);
      } catch (e) {
        // no privilege or no tool: try the next source, then fall back to TTL only
        if (!(e instanceof SentraError)) throw e;
      }
    }
  }
  const p = await pingTtl(t.address, t.family, Math.min(3000, Math.max(1000, deadline - Date.now())));
  if (p) return classifyTtlOnly(p.ttl, t.target);
  const g = classifyTtlOnly(0, t.target);
  g.os = 'unknown';
  g.summary = 'unknown OS (no open port and no answer to ping)';
  return g;
}
