/**
 * MPLS (RFC 3032): a stack of 4-byte label entries ending with the bottom-of-stack bit; the
 * payload is taken as IPv4 or IPv6 by its version nibble (what routers do for an IP LSP), and
 * anything else (pseudowires) stops there.
 */
import type { Packet } from '../packet.js';
import { EtherType, Layer, MAX_VLAN_TAGS } from './constants.js';

export function decodeMpls(p: Packet, off: number): number {
  const b = p.buf;
  const end = p.end;
  let o = off;
  for (let n = 0; ; n++) {
    if (end - o < 4 || n >= MAX_VLAN_TAGS) {
      p.malformed = Layer.MPLS;
      return Layer.NONE;
    }
    const bottom = (b[o + 2] & 1) !== 0;
    o += 4;
    if (bottom) break;
  }
  p.layers |= Layer.MPLS;
  p.nextOffset = o;
  if (o < end) {
    const v = b[o] >>> 4;
    if (v === 4) {
      p.etherType = EtherType.IPV4;
      return Layer.IPV4;
    }
    if (v === 6) {
      p.etherType = EtherType.IPV6;
      return Layer.IPV6;
    }
  }
  return Layer.PAYLOAD;
}
