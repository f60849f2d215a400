/**
 * Ethernet II (and 802.3 frames, whose length field ends decoding: LLC is not decoded).
 * 14 bytes: destination MAC, source MAC, EtherType.
 */
import type { Packet } from '../packet.js';
import { EtherType, Layer } from './constants.js';

export const ETHERNET_HEADER_LEN = 14;

export function decodeEthernet(p: Packet, off: number): number {
  const dv = p.dv;
  if (p.end - off < ETHERNET_HEADER_LEN) {
    p.malformed = Layer.ETHERNET;
    return Layer.NONE;
  }
  p.layers |= Layer.ETHERNET;
  p.macDstOffset = off;
  p.macSrcOffset = off + 6;
  p.nextOffset = off + ETHERNET_HEADER_LEN;
  const type = dv.getUint16(off + 12);
  if (type < 0x0600) {
    // 802.3 length field: an LLC frame (STP, NetBIOS, IPX) that Sentra does not decode
    p.etherType = 0;
    return Layer.PAYLOAD;
  }
  return nextForEtherType(p, type);
}

/** Records `type` as the packet's EtherType and returns the layer that decodes it. */
export function nextForEtherType(p: Packet, type: number): number {
  p.etherType = type;
  switch (type) {
    case EtherType.IPV4:
      return Layer.IPV4;
    case EtherType.IPV6:
      return Layer.IPV6;
    case EtherType.ARP:
      return Layer.ARP;
    case EtherType.VLAN:
    case EtherType.QINQ:
    case EtherType.QINQ_OLD:
      return Layer.VLAN;
    case EtherType.PPPOE_SESSION:
      return Layer.PPPOE;
    case EtherType.MPLS:
    case EtherType.MPLS_MULTICAST:
      return Layer.MPLS;
    case EtherType.NSH:
      return Layer.NSH;
    default:
      return Layer.PAYLOAD;
  }
}
