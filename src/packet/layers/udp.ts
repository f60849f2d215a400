/**
 * UDP (RFC 768): ports, length, checksum (not verified). VXLAN, GTP-U and Geneve on their IANA
 * ports continue into the packet they carry.
 */
import type { Packet } from '../packet.js';
import { Layer } from './constants.js';

export const VXLAN_PORT = 4789;
export const GTPU_PORT = 2152;
export const GENEVE_PORT = 6081;
export const TEREDO_PORT = 3544;

export function decodeUdp(p: Packet, off: number): number {
  const dv = p.dv;
  const avail = p.end - off;
  p.l4Offset = off;
  p.payloadOffset = off;
  p.payloadLen = 0;
  p.payloadCapLen = 0;
  if (avail < 8) {
    if (avail >= 4) {
      p.layers |= Layer.UDP;
      p.srcPort = dv.getUint16(off);
      p.dstPort = dv.getUint16(off + 2);
      p.udpLength = 0;
    }
    p.malformed = Layer.UDP;
    return Layer.NONE;
  }
  p.layers |= Layer.UDP;
  p.srcPort = dv.getUint16(off);
  p.dstPort = dv.getUint16(off + 2);
  const len = dv.getUint16(off + 4);
  p.udpLength = len;
  if (len < 8) {
    p.malformed = Layer.UDP;
    return Layer.NONE;
  }
  // the UDP length says where the datagram ends; the IP length wins when it is shorter
  const wire = Math.min(len, p.l4Len);
  p.payloadOffset = off + 8;
  p.payloadLen = wire > 8 ? wire - 8 : 0;
  const cap = p.end - p.payloadOffset;
  p.payloadCapLen = Math.min(cap, p.payloadLen);
  p.nextOffset = off + 8;
  // tunnels are recognised by their IANA port on either side, as tshark does
  const sp = p.srcPort;
  const dp = p.dstPort;
  if (dp === VXLAN_PORT || sp === VXLAN_PORT) return Layer.VXLAN;
  if (dp === GTPU_PORT || sp === GTPU_PORT) return Layer.GTP;
  if (dp === GENEVE_PORT || sp === GENEVE_PORT) return Layer.GENEVE;
  if (dp === TEREDO_PORT || sp === TEREDO_PORT) return Layer.TEREDO;
  return Layer.NONE;
}
