/**
 * PPPoE session stage (RFC 2516): version/type, code, session id, length, then the PPP
 * protocol field; IPv4 (0x0021) and IPv6 (0x0057) continue decoding, other PPP protocols
 * (LCP, IPCP, authentication) stop.
 */
import type { Packet } from '../packet.js';
import { EtherType, Layer } from './constants.js';

export function decodePppoe(p: Packet, off: number): number {
  const b = p.buf;
  if (p.end - off < 8) {
    p.malformed = Layer.PPPOE;
    return Layer.NONE;
  }
  p.layers |= Layer.PPPOE;
  const pppProto = (b[off + 6] << 8) | b[off + 7];
  const len = (b[off + 4] << 8) | b[off + 5];
  // the PPPoE length bounds the payload (frames carry Ethernet padding after it)
  if (len >= 2 && off + 6 + len < p.end) p.end = off + 6 + len;
  if (len >= 2 && off + 6 + len < p.wireEnd) p.wireEnd = off + 6 + len;
  p.nextOffset = off + 8;
  if (pppProto === 0x0021) {
    p.etherType = EtherType.IPV4;
    return Layer.IPV4;
  }
  if (pppProto === 0x0057) {
    p.etherType = EtherType.IPV6;
    return Layer.IPV6;
  }
  return Layer.PAYLOAD;
}
