/**
 * TCP (RFC 9293): ports, sequence and acknowledgment numbers, data offset, the 12 flag bits,
 * window, urgent pointer, and the options flow features and fingerprints need: MSS, window
 * scale, SACK-permitted, timestamps. A header cut short keeps the fields it holds (an ICMP error
 * quotes only 8 bytes of it; a first fragment may end inside it) and marks the packet malformed
 * at TCP; `tcpHeaderLen` is then the data offset as sent (0 if that byte is missing).
 */
import type { Packet } from '../packet.js';
import { Layer } from './constants.js';

export function decodeTcp(p: Packet, off: number): number {
  const b = p.buf;
  const dv = p.dv;
  const avail = p.end - off;
  p.l4Offset = off;
  p.tcpHeaderLen = 0;
  p.tcpFlags = 0;
  p.mss = 0;
  p.windowScale = -1;
  p.sackPermitted = false;
  p.hasTimestamp = false;
  p.tsVal = 0;
  p.tsEcr = 0;
  p.payloadOffset = off;
  p.payloadLen = 0;
  p.payloadCapLen = 0;
  if (avail < 4) {
    p.malformed = Layer.TCP;
    return Layer.NONE;
  }
  p.layers |= Layer.TCP;
  p.srcPort = dv.getUint16(off);
  p.dstPort = dv.getUint16(off + 2);
  if (avail < 20) {
    // keep whatever the cut header still holds
    if (avail >= 8) p.seq = dv.getUint32(off + 4);
    if (avail >= 12) p.ack = dv.getUint32(off + 8);
    if (avail >= 14) {
      p.tcpHeaderLen = (b[off + 12] >>> 4) << 2;
      p.tcpFlags = ((b[off + 12] & 0x0f) << 8) | b[off + 13];
    }
    if (avail >= 16) p.window = dv.getUint16(off + 14);
    p.malformed = Layer.TCP;
    return Layer.NONE;
  }
  p.seq = dv.getUint32(off + 4);
  p.ack = dv.getUint32(off + 8);
  const hl = (b[off + 12] >>> 4) << 2;
  p.tcpFlags = ((b[off + 12] & 0x0f) << 8) | b[off + 13];
  p.window = dv.getUint16(off + 14);
  p.urgentPointer = dv.getUint16(off + 18);
  p.tcpHeaderLen = hl;
  if (hl < 20 || hl > avail || hl > p.l4Len) {
    p.malformed = Layer.TCP;
    return Layer.NONE;
  }
  if (hl > 20) decodeTcpOptions(p, b, off + 20, off + hl);
  p.payloadOffset = off + hl;
  p.payloadLen = p.l4Len - hl;
  const cap = p.end - p.payloadOffset;
  p.payloadCapLen = Math.min(cap, p.payloadLen);
  return Layer.NONE;
}

function decodeTcpOptions(p: Packet, b: Uint8Array, o: number, end: number): void {
  while (o < end) {
    const kind = b[o];
    if (kind === 0) return; // end of option list
    if (kind === 1) {
      o++;
      continue;
    }
    if (o + 1 >= end) return;
    const len = b[o + 1];
    if (len < 2 || o + len > end) return; // a broken option ends the list, as in every stack
    switch (kind) {
      case 2:
        if (len === 4) p.mss = (b[o + 2] << 8) | b[o + 3];
        break;
      case 3:
        if (len === 3) p.windowScale = b[o + 2];
        break;
      case 4:
        if (len === 2) p.sackPermitted = true;
        break;
      case 8:
        if (len === 10) {
          p.hasTimestamp = true;
          p.tsVal = ((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0;
          p.tsEcr = ((b[o + 6] << 24) | (b[o + 7] << 16) | (b[o + 8] << 8) | b[o + 9]) >>> 0;
        }
        break;
    }
    o += len;
  }
}
