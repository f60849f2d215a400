/**
 * IPv4 (RFC 791): version/IHL, TOS, total length, identification, flags and fragment offset,
 * TTL, protocol, checksum (not verified), addresses, options (skipped: IHL covers them).
 * Non-first fragments stop at the IP payload; first fragments decode their transport header.
 */
import type { Packet } from '../packet.js';
import { Encap, IpProto, Layer } from './constants.js';

export function decodeIpv4(p: Packet, off: number): number {
  const b = p.buf;
  const dv = p.dv;
  const avail = p.end - off;
  if (avail < 20 || b[off] >>> 4 !== 4) {
    p.malformed = Layer.IPV4;
    return Layer.NONE;
  }
  const ihl = (b[off] & 0x0f) << 2;
  const totalLen = dv.getUint16(off + 2);
  p.ipVersion = 4;
  p.l3Offset = off;
  p.ipHeaderLen = ihl;
  p.ipLen = totalLen;
  p.tos = b[off + 1];
  p.ipId = dv.getUint16(off + 4);
  const frag = dv.getUint16(off + 6);
  p.dontFragment = (frag & 0x4000) !== 0;
  p.moreFragments = (frag & 0x2000) !== 0;
  p.fragOffset = (frag & 0x1fff) << 3;
  p.ttl = b[off + 8];
  const proto = b[off + 9];
  p.ipProto = proto;
  p.ipNextHeader = proto;
  p.srcOffset = off + 12;
  p.dstOffset = off + 16;
  p.src4 = dv.getUint32(off + 12);
  p.dst4 = dv.getUint32(off + 16);
  p.layers |= Layer.IPV4;
  if (ihl < 20 || totalLen < ihl || avail < ihl || p.wireEnd - off < ihl) {
    p.malformed = Layer.IPV4;
    return Layer.NONE;
  }
  // the IP length bounds the packet: bytes after it are link padding (Ethernet minimum frame)
  if (totalLen < avail) p.end = off + totalLen;
  // a frame shorter on the wire than the IP length says (offloaded captures) bounds it too
  if (off + totalLen < p.wireEnd) p.wireEnd = off + totalLen;
  p.l4Offset = off + ihl;
  p.l4Len = p.wireEnd - p.l4Offset;
  p.nextOffset = off + ihl;
  if (p.fragOffset !== 0 || p.moreFragments) {
    p.layers |= Layer.FRAGMENT;
    if (p.fragOffset !== 0) return Layer.PAYLOAD;
  }
  return nextForIpProto(p, proto);
}

/** The layer that decodes IP protocol `proto` (shared by IPv4 and IPv6). */
export function nextForIpProto(p: Packet, proto: number): number {
  switch (proto) {
    case IpProto.TCP:
      return Layer.TCP;
    case IpProto.UDP:
      return Layer.UDP;
    case IpProto.ICMP:
      return Layer.ICMP;
    case IpProto.ICMPV6:
      return Layer.ICMPV6;
    case IpProto.GRE:
      return Layer.GRE;
    case IpProto.IPIP:
      p.innerKind = Encap.IP_IN_IP;
      return INNER | Layer.IPV4;
    case IpProto.IPV6:
      p.innerKind = Encap.IP_IN_IP;
      return INNER | Layer.IPV6;
    default:
      return Layer.PAYLOAD;
  }
}

/**
 * Marks a "next layer" code as the first layer of an inner packet (tunnel or ICMP quote): the
 * decoder then continues in a fresh `Packet` one level deeper.
 */
export const INNER = 1 << 30;
