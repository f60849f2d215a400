/**
 * ARP (RFC 826): hardware and protocol types and lengths, opcode, then sender and target
 * hardware/protocol addresses. IPv4-over-Ethernet addresses are decoded into numbers.
 */
import type { Packet } from '../packet.js';
import { Layer } from './constants.js';

export function decodeArp(p: Packet, off: number): number {
  const b = p.buf;
  const avail = p.end - off;
  if (avail < 8) {
    p.malformed = Layer.ARP;
    return Layer.NONE;
  }
  const htype = (b[off] << 8) | b[off + 1];
  const ptype = (b[off + 2] << 8) | b[off + 3];
  const hlen = b[off + 4];
  const plen = b[off + 5];
  p.arpOp = (b[off + 6] << 8) | b[off + 7];
  if (avail < 8 + 2 * (hlen + plen)) {
    p.malformed = Layer.ARP;
    return Layer.NONE;
  }
  p.layers |= Layer.ARP;
  p.l3Offset = off;
  const sha = off + 8;
  const spa = sha + hlen;
  const tha = spa + plen;
  const tpa = tha + hlen;
  const eth = htype === 1 && hlen === 6;
  p.arpSenderMacOffset = eth ? sha : -1;
  p.arpTargetMacOffset = eth ? tha : -1;
  p.arpIpv4 = ptype === 0x0800 && plen === 4;
  if (p.arpIpv4) {
    p.arpSenderIp = ((b[spa] << 24) | (b[spa + 1] << 16) | (b[spa + 2] << 8) | b[spa + 3]) >>> 0;
    p.arpTargetIp = ((b[tpa] << 24) | (b[tpa + 1] << 16) | (b[tpa + 2] << 8) | b[tpa + 3]) >>> 0;
  } else {
    p.arpSenderIp = 0;
    p.arpTargetIp = 0;
  }
  p.nextOffset = tpa + plen;
  return Layer.NONE;
}
