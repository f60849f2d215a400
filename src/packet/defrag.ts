/**
 * IP reassembly for inspection (Suricata's defrag): the fragments of an IPv4 or IPv6 datagram
 * are kept until every byte from 0 to the last fragment's end has arrived; the datagram is
 * then rebuilt as one frame — the first fragment's link-layer bytes and IP header, the fragment
 * header of IPv6 removed, lengths (and the IPv4 checksum) rewritten — for the caller to decode
 * and inspect as a packet of its own. Overlapping bytes: the first copy received wins.
 *
 * Only fragments of the outermost IP header are reassembled (a fragment inside a tunnel keeps
 * its outer headers' lengths, which a rebuilt frame would contradict). Memory is bounded:
 * at most `maxDatagrams` datagrams in progress (the oldest is dropped for a new one), each at
 * most 64 KiB, and a datagram older than `timeoutSec` (packet time) is dropped.
 */
import { IpProto } from './layers/constants.js';
import type { Packet } from './packet.js';

interface Piece {
  off: number;
  data: Uint8Array;
}

interface Datagram {
  pieces: Piece[];
  /** Datagram length (end of the last fragment), -1 until the last fragment arrives. */
  total: number;
  /** Link-layer bytes and IP header up to the fragmentable part, from the offset-0 fragment. */
  prefix: Uint8Array | null;
  /** Where in `prefix` the next-header byte to rewrite is (IPv6), or -1. */
  nextHeaderAt: number;
  /** The fragment header's next header (IPv6). */
  nextHeader: number;
  /** Where the IP header starts in `prefix`. */
  ipAt: number;
  version: number;
  firstSeen: number;
}

const MAX_DATAGRAM = 65535;

export interface DefragOptions {
  /** Datagrams in progress at most (default 1024). */
  maxDatagrams?: number;
  /** Seconds a datagram may take to complete (default 60, Suricata's defrag timeout). */
  timeoutSec?: number;
}

export class IpDefragmenter {
  private readonly pending = new Map<string, Datagram>();
  private readonly maxDatagrams: number;
  private readonly timeoutSec: number;
  /** Datagrams rebuilt so far. */
  reassembled = 0;
  /** Datagrams dropped (timeout, capacity, oversize, bad fragment). */
  dropped = 0;

  constructor(opts: DefragOptions = {}) {
    this.maxDatagrams = opts.maxDatagrams ?? 1024;
    this.timeoutSec = opts.timeoutSec ?? 60;
  }

  /** True when `p` (the outermost level) is an IP fragment this class reassembles. */
  static isFragment(p: Packet): boolean {
    return p.ipVersion !== 0 && p.malformed === 0 && (p.moreFragments || p.fragOffset !== 0);
  }

  /**
   * Adds the fragment `p` (its bytes are copied). Returns the rebuilt frame (same link type as
   * `p`) when this fragment completes its datagram, else null.
   */
  add(p: Packet): Uint8Array | null {
    if (!IpDefragmenter.isFragment(p)) return null;
    const now = p.tsSec + p.tsNsec / 1e9;
    const b = p.buf;
    const l3 = p.l3Offset;
    let dataStart: number;
    let dataEnd = Math.min(p.end, l3 + p.ipLen);
    let nhAt = -1;
    let nextHeader = 0;
    if (p.ipVersion === 4) {
      dataStart = l3 + (b[l3] & 0x0f) * 4;
    } else {
      // find the fragment header and the next-header byte that points at it
      let at = l3 + 6;
      let nh = b[at];
      let o = l3 + 40;
      for (;;) {
        if (nh === IpProto.FRAGMENT) break;
        if (nh !== IpProto.HOPOPTS && nh !== IpProto.ROUTING && nh !== IpProto.DSTOPTS) return null;
        if (o + 2 > p.end) return null;
        at = o;
        nh = b[o];
        o += (b[o + 1] + 1) << 3;
      }
      if (o + 8 > p.end) return null;
      nhAt = at;
      nextHeader = b[o];
      dataStart = o + 8;
      dataEnd = Math.min(p.end, l3 + 40 + ((b[l3 + 4] << 8) | b[l3 + 5]));
    }
    if (dataEnd < dataStart) return null;
    const len = dataEnd - dataStart;
    const off = p.fragOffset;
    // every fragment but the last carries a multiple of 8 bytes
    if ((p.moreFragments && (len === 0 || len % 8 !== 0)) || off + len > MAX_DATAGRAM) {
      this.dropped++;
      return null;
    }
    this.expire(now);
    const key = datagramKey(p);
    let d = this.pending.get(key);
    if (d === undefined) {
      if (this.pending.size >= this.maxDatagrams) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
        this.dropped++;
      }
      d = {
        pieces: [],
        total: -1,
        prefix: null,
        nextHeaderAt: -1,
        nextHeader: 0,
        ipAt: 0,
        version: p.ipVersion,
        firstSeen: now,
      };
      this.pending.set(key, d);
    }
    d.pieces.push({ off, data: b.slice(dataStart, dataEnd) });
    if (!p.moreFragments) d.total = off + len;
    if (off === 0 && d.prefix === null) {
      const frameStart = p.frameOffset;
      // IPv6: up to the fragment header (dropped); IPv4: the whole header
      const prefixEnd = p.ipVersion === 6 ? dataStart - 8 : dataStart;
      d.prefix = b.slice(frameStart, prefixEnd);
      d.ipAt = l3 - frameStart;
      d.nextHeaderAt = nhAt < 0 ? -1 : nhAt - frameStart;
      d.nextHeader = nextHeader;
    }
    if (d.total < 0 || d.prefix === null || !covered(d.pieces, d.total)) return null;
    this.pending.delete(key);
    this.reassembled++;
    return rebuild(d);
  }

  /** Datagrams in progress. */
  get size(): number {
    return this.pending.size;
  }

  private expire(now: number): void {
    for (const [k, d] of this.pending) {
      if (now - d.firstSeen <= this.timeoutSec) break; // insertion order: oldest first
      this.pending.delete(k);
      this.dropped++;
    }
  }
}

function datagramKey(p: Packet): string {
  const b = p.buf;
  const n = p.ipVersion === 4 ? 4 : 16;
  let k = `${p.ipVersion}:${p.ipVersion === 4 ? p.ipProto : 0}:${p.ipId}:`;
  for (let i = 0; i < n; i++) k += String.fromCharCode(b[p.srcOffset + i], b[p.dstOffset + i]);
  return k;
}

/** Every byte of [0, total) is in some piece. */
function covered(pieces: Piece[], total: number): boolean {
  const sorted = [...pieces].sort((a, b) => a.off - b.off);
  let reach = 0;
  for (const s of sorted) {
    if (s.off > reach) return false;
    reach = Math.max(reach, s.off + s.data.length);
  }
  return reach >= total;
}

function rebuild(d: Datagram): Uint8Array {
  const prefix = d.prefix as Uint8Array;
  const out = new Uint8Array(prefix.length + d.total);
  out.set(prefix, 0);
  // first copy wins: write the pieces latest first so earlier ones overwrite them
  for (let i = d.pieces.length - 1; i >= 0; i--) {
    const s = d.pieces[i];
    const n = Math.min(s.data.length, d.total - s.off);
    if (n > 0) out.set(s.data.subarray(0, n), prefix.length + s.off);
  }
  const ip = d.ipAt;
  if (d.version === 6) {
    out[d.nextHeaderAt] = d.nextHeader;
    const plen = out.length - ip - 40;
    out[ip + 4] = plen >>> 8;
    out[ip + 5] = plen & 0xff;
  } else {
    const ihl = (out[ip] & 0x0f) * 4;
    const tot = out.length - ip;
    out[ip + 2] = tot >>> 8;
    out[ip + 3] = tot & 0xff;
    out[ip + 6] &= 0x40; // keep DF, clear MF and the offset
    out[ip + 7] = 0;
    out[ip + 10] = 0;
    out[ip + 11] = 0;
    let sum = 0;
    for (let i = 0; i < ihl; i += 2) sum += (out[ip + i] << 8) | out[ip + i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const c = ~sum & 0xffff;
    out[ip + 10] = c >>> 8;
    out[ip + 11] = c & 0xff;
  }
  return out;
}
