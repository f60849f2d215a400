/**
 * VXLAN (RFC 7348): 8 bytes (flags with the I bit, 24-bit VNI) before an inner Ethernet frame,
 * which is decoded as an inner packet.
 */
import type { Packet } from '../packet.js';
import { Encap, Layer } from './constants.js';
import { INNER } from './ipv4.js';

export function decodeVxlan(p: Packet, off: number): number {
  const b = p.buf;
  if (p.end - off < 8) {
    p.malformed = Layer.VXLAN;
    return Layer.NONE;
  }
  p.layers |= Layer.VXLAN;
  p.vni = (b[off + 4] << 16) | (b[off + 5] << 8) | b[off + 6];
  p.nextOffset = off + 8;
  p.innerKind = Encap.VXLAN;
  return INNER | Layer.ETHERNET;
}
