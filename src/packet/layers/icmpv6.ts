/**
 * ICMPv6 (RFC 4443): type, code, checksum; identifier and sequence for echo; for errors
 * (destination unreachable, packet too big, time exceeded, parameter problem) the quoted IPv6
 * packet is decoded as an inner packet (Encap.ICMP_QUOTE). Neighbour discovery is not decoded.
 */
import type { Packet } from '../packet.js';
import { Encap, Layer } from './constants.js';
import { INNER } from './ipv4.js';

export function decodeIcmpv6(p: Packet, off: number): number {
  const b = p.buf;
  const avail = p.end - off;
  p.l4Offset = off;
  if (avail < 4) {
    p.malformed = Layer.ICMPV6;
    return Layer.NONE;
  }
  p.layers |= Layer.ICMPV6;
  const type = b[off];
  p.icmpType = type;
  p.icmpCode = b[off + 1];
  p.icmpId = 0;
  p.icmpSeq = 0;
  p.srcPort = 0;
  p.dstPort = 0;
  p.payloadOffset = off + 4;
  p.payloadLen = p.l4Len > 4 ? p.l4Len - 4 : 0;
  const cap = avail - 4;
  p.payloadCapLen = Math.min(cap, p.payloadLen);
  if (type === 128 || type === 129) {
    if (avail < 8) {
      p.malformed = Layer.ICMPV6;
      return Layer.NONE;
    }
    p.icmpId = (b[off + 4] << 8) | b[off + 5];
    p.icmpSeq = (b[off + 6] << 8) | b[off + 7];
    p.payloadOffset = off + 8;
    p.payloadLen = p.l4Len > 8 ? p.l4Len - 8 : 0;
    p.payloadCapLen = Math.min(avail - 8, p.payloadLen);
    return Layer.NONE;
  }
  if (type >= 1 && type <= 4 && avail >= 48 && b[off + 8] >>> 4 === 6) {
    p.nextOffset = off + 8;
    p.innerKind = Encap.ICMP_QUOTE;
    return INNER | Layer.IPV6;
  }
  return Layer.NONE;
}
