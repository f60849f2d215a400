/**
 * BSD loopback: LINKTYPE_NULL (0), a 4-byte address family in the capturing host's byte
 * order, and LINKTYPE_LOOP (108), the same in network byte order. IPv6's AF value differs by
 * OS (Linux 10, FreeBSD 28, macOS 30, NetBSD/OpenBSD 24); all are accepted.
 */
import type { Packet } from '../packet.js';
import { LinkType } from '../record.js';
import { EtherType, Layer } from './constants.js';

export function decodeLoopback(p: Packet, off: number): number {
  const b = p.buf;
  if (p.end - off < 4) {
    p.malformed = Layer.LOOPBACK;
    return Layer.NONE;
  }
  p.layers |= Layer.LOOPBACK;
  p.nextOffset = off + 4;
  let af: number;
  if (p.linkType === LinkType.LOOP || (b[off] === 0 && b[off + 1] === 0)) {
    af = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  } else {
    af = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
  }
  if (af === 2) {
    p.etherType = EtherType.IPV4;
    return Layer.IPV4;
  }
  if (af === 10 || af === 24 || af === 28 || af === 30) {
    p.etherType = EtherType.IPV6;
    return Layer.IPV6;
  }
  p.etherType = 0;
  return Layer.PAYLOAD;
}
