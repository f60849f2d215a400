/**
 * Helpers of the live capture tests: two namespaces joined by a veth pair, tcpdump as the
 * oracle (started in the same namespace on the same interface and filter), and tcpdump's file
 * read back.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { readCaptureBuffer } from '../../src/packet/file/reader.js';
import { freeSubnet24, type NetnsLab, run } from '../helpers/netns.js';

export interface TwoHosts {
  a: string;
  b: string;
  ipA: string;
  ipB: string;
  ip6A: string;
  ip6B: string;
  macA: string;
  macB: string;
}

/** Namespaces `a` and `b`, each with `eth0`, joined by a veth pair, IPv4 and IPv6. */
export async function twoHosts(lab: NetnsLab): Promise<TwoHosts> {
  const net = await freeSubnet24();
  const [, x, y] = net.split('.').map(Number);
  const v6 = `fd00:${x.toString(16)}:${y.toString(16)}`;
  const a = await lab.ns('a');
  const b = await lab.ns('b');
  await lab.veth(
    { ns: a, ifname: 'eth0', addr4: `${net}.1/24`, addr6: `${v6}::1/64` },
    { ns: b, ifname: 'eth0', addr4: `${net}.2/24`, addr6: `${v6}::2/64` },
  );
  const mac = async (ns: string) => {
    const { stdout } = await run(['ip', '-n', ns, '-j', 'link', 'show', 'eth0']);
    return (JSON.parse(stdout) as { address: string }[])[0].address;
  };
  return {
    a,
    b,
    ipA: `${net}.1`,
    ipB: `${net}.2`,
    ip6A: `${v6}::1`,
    ip6B: `${v6}::2`,
    macA: await mac(a),
    macB: await mac(b),
  };
}

export interface TcpdumpRun {
  /**
   * Waits until tcpdump's file has stopped growing (tcpdump may lag behind on a busy machine;
   * SIGINT makes it exit without reading what is still in the kernel's buffer), then stops it
   * (SIGINT, so it flushes its file) and returns its own summary counters.
   */
  stop(): Promise<{ captured: number; received: number; dropped: number }>;
  child: ChildProcess;
}

/**
 * Starts `tcpdump -w file` in `ns` (null: the root namespace) on `iface` with `filter`,
 * nanosecond timestamps, immediate mode (without it, packets still in the kernel's current
 * block when tcpdump gets SIGINT are counted as received but never written) and a 16 MiB
 * buffer (with the default 2 MiB, tcpdump itself drops packets of a fast TCP transfer while it
 * flushes its file after every packet), and resolves once tcpdump says it is listening.
 */
export async function startTcpdump(
  lab: NetnsLab,
  ns: string | null,
  iface: string,
  filter: string,
  file: string,
  extra: string[] = [],
): Promise<TcpdumpRun> {
  const child = lab.spawn(
    ns,
    [
      'tcpdump',
      '-i',
      iface,
      '-n',
      '-U',
      '--immediate-mode',
      '-B',
      '16384',
      '--time-stamp-precision=nano',
      '-w',
      file,
      ...extra,
      filter,
    ],
    { stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 15_000);
    const check = () => {
      if (stderr.includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', () => {
      clearTimeout(t);
      reject(new Error(`tcpdump exited: ${stderr}`));
    });
    check();
  });
  return {
    child,
    async stop() {
      let size = -1;
      let stable = 0;
      for (let i = 0; i < 200 && stable < 5; i++) {
        await sleep(100);
        const now = existsSync(file) ? statSync(file).size : 0;
        stable = now === size ? stable + 1 : 0;
        size = now;
      }
      child.kill('SIGINT');
      await exited;
      const num = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? Number.NaN);
      return {
        captured: num(/(\d+) packets? captured/),
        received: num(/(\d+) packets? received by filter/),
        dropped: num(/(\d+) packets? dropped by kernel/),
      };
    },
  };
}

export interface PcapPacket {
  tsSec: number;
  tsNsec: number;
  capLen: number;
  origLen: number;
  data: Uint8Array;
}

/**
 * Reads tcpdump's pcap file with the project's reader (itself checked against tshark in
 * test/packet). A last record cut short when tcpdump was stopped is dropped, as tcpdump -r does.
 */
export function readPcapFile(file: string): { linkType: number; packets: PcapPacket[] } {
  const packets: PcapPacket[] = [];
  let linkType = -1;
  try {
    readCaptureBuffer(
      readFileSync(file),
      (rec) => {
        packets.push({
          tsSec: rec.tsSec,
          tsNsec: rec.tsNsec,
          capLen: rec.capLen,
          origLen: rec.origLen,
          data: rec.data.slice(),
        });
      },
      {
        onPcapHeader: (h) => {
          linkType = h.linkType;
        },
      },
    );
  } catch (e) {
    if (!(e instanceof SentraError && e.code === ErrorCodes.PCAP_TRUNCATED)) throw e;
  }
  return { linkType, packets };
}

/** Internet checksum (RFC 1071) of `bytes`, starting from `initial`. */
export function inetChecksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
