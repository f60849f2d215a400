/**
 * Teredo (RFC 4380, UDP 3544): IPv6 carried in UDP, optionally behind an authentication
 * indicator (0x0001) and an origin indication (0x0000). The IPv6 packet is decoded as an inner
 * packet; bubbles and anything that is not IPv6 stay UDP payload.
 */
import type { Packet } from '../packet.js';
import { Encap, Layer } from './constants.js';
import { INNER } from './ipv4.js';

export function decodeTeredo(p: Packet, off: number): number {
  const b = p.buf;
  const end = p.end;
  let o = off;
  if (end - o >= 2 && b[o] === 0 && b[o + 1] === 1) {
    // authentication: 0x0001, id length, auth length, id, auth value, nonce (8), confirmation (1)
    if (end - o < 4) return Layer.NONE;
    o += 4 + b[o + 2] + b[o + 3] + 9;
  }
  if (end - o >= 2 && b[o] === 0 && b[o + 1] === 0) o += 8; // origin indication
  if (end - o < 40 || b[o] >>> 4 !== 6) return Layer.NONE;
  p.layers |= Layer.TEREDO;
  p.nextOffset = o;
  p.innerKind = Encap.TEREDO;
  return INNER | Layer.IPV6;
}
