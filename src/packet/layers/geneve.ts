/**
 * Geneve (RFC 8926): version and option length, flags, protocol type, VNI, then options.
 * Ethernet, IPv4 and IPv6 payloads are decoded as an inner packet.
 */
import type { Packet } from '../packet.js';
import { Encap, EtherType, Layer } from './constants.js';
import { INNER } from './ipv4.js';

export function decodeGeneve(p: Packet, off: number): number {
  const b = p.buf;
  const avail = p.end - off;
  if (avail < 8 || b[off] >>> 6 !== 0) return Layer.NONE;
  const len = 8 + (b[off] & 0x3f) * 4;
  if (avail < len) {
    p.malformed = Layer.GENEVE;
    return Layer.NONE;
  }
  p.layers |= Layer.GENEVE;
  p.vni = (b[off + 4] << 16) | (b[off + 5] << 8) | b[off + 6];
  p.nextOffset = off + len;
  p.innerKind = Encap.GENEVE;
  switch ((b[off + 2] << 8) | b[off + 3]) {
    case EtherType.TRANSPARENT_ETHERNET:
      return INNER | Layer.ETHERNET;
    case EtherType.IPV4:
      return INNER | Layer.IPV4;
    case EtherType.IPV6:
      return INNER | Layer.IPV6;
    default:
      p.innerKind = 0;
      return Layer.NONE;
  }
}
