/**
 * Test helpers: reassemble every TCP connection of a capture with `TcpSession`, and read
 * tshark's `-z follow,tcp,raw,N` output for the same connections (the oracle).
 */
import { readFileSync } from 'node:fs';
import type { StreamConfig } from '../../../src/ids/stream/config.js';
import { TcpSession } from '../../../src/ids/stream/session.js';
import { StreamStats } from '../../../src/ids/stream/stats.js';
import { Decoder } from '../../../src/packet/decoder.js';
import { readCaptureBuffer } from '../../../src/packet/file/reader.js';
import { Layer, TcpFlag } from '../../../src/packet/layers/constants.js';
import { runCommand } from '../../../src/sys/exec.js';

export interface Conn {
  /** "addr:port" of the side that sent the connection's first packet (tshark's node 0). */
  node0: string;
  node1: string;
  /** Reassembled bytes, [0] from node 0, [1] from node 1. */
  data: [Buffer, Buffer];
  session: TcpSession;
}

export interface ConnHooks {
  /** New in-order bytes of direction `dir` (0: from node 0) of connection number `index` (a view). */
  data?: (index: number, dir: number, bytes: Uint8Array) => void;
  /** Direction `dir` of connection `index` ended (FIN/RST seen and delivered, or end of file). */
  end?: (index: number, dir: number) => void;
}

/** Reassembles every TCP connection of `file`, in the order connections start. */
export function reassembleFile(
  file: string,
  cfg: Partial<StreamConfig> = {},
  stats = new StreamStats(),
  hooks: ConnHooks = {},
): Conn[] {
  const dec = new Decoder();
  const byKey = new Map<string, Entry>();
  const order: Entry[] = [];
  readCaptureBuffer(readFileSync(file), (rec) => {
    const p = dec.decode(rec).innermost();
    if ((p.layers & Layer.TCP) === 0) return;
    const a = `${fmt(p.srcAddr(), p.srcPort)}`;
    const b = `${fmt(p.dstAddr(), p.dstPort)}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let e = byKey.get(key);
    const isSyn = (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    // a new SYN on a finished connection starts a new one (port reuse), as tshark's streams do
    if (e && isSyn && (e.conn.session.closed(0) || e.conn.session.closed(1) || e.conn.session.wasReset))
      e = undefined;
    if (!e) {
      const session = new TcpSession(cfg, stats);
      e = {
        conn: { node0: a, node1: b, data: [Buffer.alloc(0), Buffer.alloc(0)], session },
        chunks: [[], []],
        index: order.length,
        ended: [false, false],
        hooks,
      };
      byKey.set(key, e);
      order.push(e);
    }
    const dir = a === e.conn.node0 ? 0 : 1;
    const t = p.tsSec + p.tsNsec / 1e9;
    e.conn.session.handlePacket(p, dir, t);
    drain(e, 0);
    drain(e, 1);
  });
  for (const e of order) {
    e.conn.session.flush(0);
    e.conn.session.flush(1);
    drain(e, 0, true);
    drain(e, 1, true);
    e.conn.data = [Buffer.concat(e.chunks[0]), Buffer.concat(e.chunks[1])];
  }
  return order.map((e) => e.conn);
}

interface Entry {
  conn: Conn;
  chunks: [Buffer[], Buffer[]];
  index: number;
  ended: [boolean, boolean];
  hooks: ConnHooks;
}

function drain(e: Entry, d: number, atEnd = false): void {
  const s = e.conn.session;
  for (let v = s.read(d); v.length > 0; v = s.read(d)) {
    e.chunks[d].push(Buffer.from(v));
    e.hooks.data?.(e.index, d, v);
    s.consume(d, v.length);
  }
  if (!e.ended[d] && (atEnd || s.closed(d))) {
    e.ended[d] = true;
    e.hooks.end?.(e.index, d);
  }
}

function fmt(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export interface FollowOut {
  node0: string;
  node1: string;
  data: [Buffer, Buffer];
}

/** tshark's follow,tcp,raw output for streams `ids` of `file` (one tshark run). */
export async function tsharkFollow(file: string, ids: number[], extra: string[] = []): Promise<FollowOut[]> {
  const argv = ['tshark', '-r', file, '-q', ...extra];
  for (const id of ids) argv.push('-z', `follow,tcp,raw,${id}`);
  const r = await runCommand(argv, { timeoutMs: 120_000 });
  const out: FollowOut[] = [];
  let cur: { node0: string; node1: string; hex: [string[], string[]] } | null = null;
  const finish = () => {
    if (cur) {
      out.push({
        node0: cur.node0,
        node1: cur.node1,
        data: [Buffer.from(cur.hex[0].join(''), 'hex'), Buffer.from(cur.hex[1].join(''), 'hex')],
      });
    }
    cur = null;
  };
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('Filter:')) {
      finish();
      cur = { node0: '', node1: '', hex: [[], []] };
    } else if (!cur) {
    } else if (line.startsWith('Node 0: ')) cur.node0 = line.slice(8).trim();
    else if (line.startsWith('Node 1: ')) cur.node1 = line.slice(8).trim();
    else if (line.startsWith('====')) finish();
    else if (line.startsWith('\t')) cur.hex[1].push(line.trim());
    else if (/^[0-9a-f]+$/.test(line.trim())) cur.hex[0].push(line.trim());
  }
  finish();
  return out;
}

/** Number of TCP streams tshark sees in `file`. */
export async function tsharkStreamCount(file: string): Promise<number> {
  const r = await runCommand(['tshark', '-r', file, '-T', 'fields', '-e', 'tcp.stream', '-Y', 'tcp'], {
    timeoutMs: 120_000,
  });
  let max = -1;
  for (const l of r.stdout.split('\n')) if (l.trim() !== '') max = Math.max(max, Number(l));
  return max + 1;
}
