/**
 * Pulls the fingerprinting fields out of a captured SYN-ACK: pcap file bytes (what tcpdump
 * writes with `-w -`) or one captured frame → link layer → IPv4/IPv6 → TCP header and options. Pure.
 */
import type { SynAckFields } from '../types.js';

const OPTION_NAMES: Record<number, string> = { 0: 'eol', 1: 'nop', 2: 'mss', 3: 'ws', 4: 'sok', 8: 'ts' };

/** Reads the fields from an IPv4 or IPv6 packet that carries a TCP segment; null when it is not one. */
export function synAckFromIp(p: Uint8Array): SynAckFields | null {
  if (p.length < 20) return null;
  const v = p[0] >> 4;
  let ttl: number;
  let df: boolean;
  let tcp: number;
  if (v === 4) {
    const ihl = (p[0] & 0x0f) * 4;
    if (p[9] !== 6 || p.length < ihl + 20) return null;
    ttl = p[8];
    df = (p[6] & 0x40) !== 0;
    tcp = ihl;
  } else if (v === 6) {
    if (p.length < 60 || p[6] !== 6) return null;
    ttl = p[7];
    df = true;
    tcp = 40;
  } else return null;
  const flags = p[tcp + 13];
  if ((flags & 0x02) === 0) return null; // not a SYN
  const doff = (p[tcp + 12] >> 4) * 4;
  const window = (p[tcp + 14] << 8) | p[tcp + 15];
  const options: string[] = [];
  let mss: number | null = null;
  let wscale: number | null = null;
  const end = Math.min(p.length, tcp + doff);
  for (let i = tcp + 20; i < end; ) {
    const kind = p[i];
    options.push(OPTION_NAMES[kind] ?? `k${kind}`);
    if (kind === 0) {
      // EOL: the rest is padding, but some stacks write several; record what is there
      i++;
      continue;
    }
    if (kind === 1) {
      i++;
      continue;
    }
    const len = p[i + 1];
    if (len < 2 || i + len > end) break;
    if (kind === 2 && len === 4) mss = (p[i + 2] << 8) | p[i + 3];
    if (kind === 3 && len === 3) wscale = p[i + 2];
    i += len;
  }
  // trailing EOL padding after the last real option carries no stack identity except on Apple
  return { ttl, window, options, mss, wscale, df };
}

/** Offset of the IP header in a frame of `linktype`, or -1 when the frame does not carry IP. */
export function ipOffset(frame: Uint8Array, linktype: number): number {
  switch (linktype) {
    case 1: {
      // Ethernet, possibly with 802.1Q tags
      let off = 12;
      let type = (frame[off] << 8) | frame[off + 1];
      while ((type === 0x8100 || type === 0x88a8) && off + 6 <= frame.length) {
        off += 4;
        type = (frame[off] << 8) | frame[off + 1];
      }
      return type === 0x0800 || type === 0x86dd ? off + 2 : -1;
    }
    case 113: // LINUX_SLL
      return 16;
    case 276: // LINUX_SLL2
      return 20;
    case 0: // BSD loopback
    case 108: // OpenBSD loopback
      return 4;
    case 12:
    case 101:
    case 228:
    case 229:
      return 0;
    default:
      return -1;
  }
}

/**
 * The SYN-ACK fields of one captured frame, or null when it is not a SYN-ACK: the passive
 * fingerprinting entry point for live capture (`synAckFromFrame(rec.linkType, rec.data)` on a
 * capture record, then {@link classifySynAck}).
 */
export function synAckFromFrame(linkType: number, frame: Uint8Array): SynAckFields | null {
  const ip = ipOffset(frame, linkType);
  if (ip < 0 || ip >= frame.length) return null;
  const p = frame.subarray(ip);
  return isSynAck(p) ? synAckFromIp(p) : null;
}

/** Every SYN-ACK segment in a pcap file's bytes, in file order. */
export function synAcksFromPcap(buf: Uint8Array): SynAckFields[] {
  const out: SynAckFields[] = [];
  if (buf.length < 24) return out;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else return out;
  const linktype = dv.getUint32(20, le) & 0x0fffffff;
  for (let off = 24; off + 16 <= buf.length; ) {
    const incl = dv.getUint32(off + 8, le);
    const start = off + 16;
    if (start + incl > buf.length) break;
    const f = synAckFromFrame(linktype, buf.subarray(start, start + incl));
    if (f) out.push(f);
    off = start + incl;
  }
  return out;
}

function isSynAck(p: Uint8Array): boolean {
  const v = p[0] >> 4;
  const tcp = v === 4 ? (p[0] & 0x0f) * 4 : v === 6 ? 40 : -1;
  return tcp > 0 && p.length > tcp + 13 && (p[tcp + 13] & 0x12) === 0x12;
}

/** The first SYN-ACK in a pcap file's bytes (what the tcpdump capture source wrote), or null. */
export function synAckFromPcap(buf: Uint8Array): SynAckFields | null {
  return synAcksFromPcap(buf)[0] ?? null;
}
