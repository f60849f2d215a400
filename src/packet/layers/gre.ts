/**
 * GRE (RFC 2784, 2890): flags and version, protocol type, then optional checksum, key and
 * sequence number. Version 0 carrying IPv4, IPv6 or Ethernet (transparent bridging) is decoded
 * as an inner packet; other versions (PPTP's enhanced GRE) and payloads stop at GRE.
 */
import type { Packet } from '../packet.js';
import { Encap, EtherType, Layer } from './constants.js';
import { INNER } from './ipv4.js';

export function decodeGre(p: Packet, off: number): number {
  const b = p.buf;
  const avail = p.end - off;
  p.l4Offset = off;
  if (avail < 4) {
    p.malformed = Layer.GRE;
    return Layer.NONE;
  }
  const flags = (b[off] << 8) | b[off + 1];
  const proto = (b[off + 2] << 8) | b[off + 3];
  p.greProto = proto;
  p.layers |= Layer.GRE;
  let len = 4;
  if (flags & 0x8000) len += 4; // checksum + reserved
  if (flags & 0x2000) len += 4; // key
  if (flags & 0x1000) len += 4; // sequence number
  if (avail < len) {
    p.malformed = Layer.GRE;
    return Layer.NONE;
  }
  p.nextOffset = off + len;
  p.payloadOffset = off + len;
  p.payloadLen = p.l4Len - len;
  p.payloadCapLen = avail - len;
  // routing present (obsolete RFC 1701) or a version other than 0: not decoded further
  if ((flags & 0x4007) !== 0) return Layer.PAYLOAD;
  switch (proto) {
    case EtherType.IPV4:
      p.innerKind = Encap.GRE;
      return INNER | Layer.IPV4;
    case EtherType.IPV6:
      p.innerKind = Encap.GRE;
      return INNER | Layer.IPV6;
    case EtherType.TRANSPARENT_ETHERNET:
      p.innerKind = Encap.GRE;
      return INNER | Layer.ETHERNET;
    default:
      return Layer.PAYLOAD;
  }
}
