/**
 * Network Service Header (RFC 8300, EtherType 0x894f): a base header (version, flags, TTL,
 * length in 4-byte words, MD type, next protocol), the service path header, then context
 * headers up to that length. Next protocol 1 is IPv4, 2 IPv6, 3 Ethernet, 4 another NSH,
 * 5 MPLS. Decoded in place (no inner packet), as Suricata does.
 */
import type { Packet } from '../packet.js';
import { EtherType, Layer } from './constants.js';

export function decodeNsh(p: Packet, off: number): number {
  const b = p.buf;
  if (p.end - off < 8) {
    p.malformed = Layer.NSH;
    return Layer.NONE;
  }
  const version = b[off] >>> 6;
  const len = (b[off + 1] & 0x3f) * 4;
  const mdType = b[off + 2] & 0x0f;
  // MD type 1 has four fixed context headers (24 bytes in all); type 2 at least the 8 bytes
  if (version !== 0 || len < 8 || (mdType === 1 && len !== 24) || mdType === 0 || mdType === 0xf) {
    p.malformed = Layer.NSH;
    return Layer.NONE;
  }
  if (p.end - off < len) {
    p.malformed = Layer.NSH;
    return Layer.NONE;
  }
  p.layers |= Layer.NSH;
  p.nextOffset = off + len;
  switch (b[off + 3]) {
    case 1:
      p.etherType = EtherType.IPV4;
      return Layer.IPV4;
    case 2:
      p.etherType = EtherType.IPV6;
      return Layer.IPV6;
    case 3:
      return Layer.ETHERNET;
    case 4:
      return Layer.NSH;
    case 5:
      p.etherType = EtherType.MPLS;
      return Layer.MPLS;
    default:
      return Layer.PAYLOAD;
  }
}
