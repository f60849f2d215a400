/**
 * ICMP (RFC 792): type, code, checksum; identifier and sequence for echo; and for errors
 * (unreachable, source quench, redirect, time exceeded, parameter problem) the quoted IP header
 * and first bytes of the offending datagram, decoded as an inner packet (Encap.ICMP_QUOTE).
 */
import type { Packet } from '../packet.js';
import { Encap, Layer } from './constants.js';
import { INNER } from './ipv4.js';

export function decodeIcmp(p: Packet, off: number): number {
  const b = p.buf;
  const avail = p.end - off;
  p.l4Offset = off;
  if (avail < 4) {
    p.malformed = Layer.ICMP;
    return Layer.NONE;
  }
  p.layers |= Layer.ICMP;
  const type = b[off];
  p.icmpType = type;
  p.icmpCode = b[off + 1];
  p.icmpId = 0;
  p.icmpSeq = 0;
  p.srcPort = 0;
  p.dstPort = 0;
  p.payloadOffset = off + 8;
  p.payloadLen = p.l4Len > 8 ? p.l4Len - 8 : 0;
  const cap = avail - 8;
  p.payloadCapLen = cap < 0 ? 0 : Math.min(cap, p.payloadLen);
  if (avail < 8) {
    p.payloadOffset = off + avail;
    p.malformed = Layer.ICMP;
    return Layer.NONE;
  }
  switch (type) {
    case 0: // echo reply
    case 8: // echo request
    case 13: // timestamp
    case 14:
    case 15: // information
    case 16:
    case 17: // address mask
    case 18:
      p.icmpId = (b[off + 4] << 8) | b[off + 5];
      p.icmpSeq = (b[off + 6] << 8) | b[off + 7];
      return Layer.NONE;
    case 3:
    case 4:
    case 5:
    case 11:
    case 12:
      if (avail >= 28 && b[off + 8] >>> 4 === 4) {
        p.nextOffset = off + 8;
        p.innerKind = Encap.ICMP_QUOTE;
        return INNER | Layer.IPV4;
      }
      return Layer.NONE;
    default:
      return Layer.NONE;
  }
}
