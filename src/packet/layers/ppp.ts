/**
 * PPP frames (LINKTYPE_PPP 9): an optional HDLC address/control pair (0xff 0x03), then the
 * protocol field, two bytes or one when compressed (RFC 1661: a protocol whose first byte is
 * odd is one byte long). IPv4 (0x21) and IPv6 (0x57) continue decoding; LCP, IPCP and the
 * other control protocols stop.
 */
import type { Packet } from '../packet.js';
import { EtherType, Layer } from './constants.js';

export function decodePpp(p: Packet, off: number): number {
  const b = p.buf;
  if (p.end - off >= 2 && b[off] === 0xff && b[off + 1] === 0x03) off += 2;
  if (p.end - off < 1) {
    p.malformed = Layer.PPP;
    return Layer.NONE;
  }
  let proto = b[off];
  let len = 1;
  if ((proto & 1) === 0) {
    if (p.end - off < 2) {
      p.malformed = Layer.PPP;
      return Layer.NONE;
    }
    proto = (proto << 8) | b[off + 1];
    len = 2;
  }
  p.layers |= Layer.PPP;
  p.nextOffset = off + len;
  if (proto === 0x21) {
    p.etherType = EtherType.IPV4;
    return Layer.IPV4;
  }
  if (proto === 0x57) {
    p.etherType = EtherType.IPV6;
    return Layer.IPV6;
  }
  return Layer.PAYLOAD;
}
