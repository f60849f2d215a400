/**
 * GTP-U version 1 (3GPP TS 29.281): flags, message type, length, TEID, then the optional
 * sequence number, N-PDU number and extension headers. A G-PDU (type 255) carries a user's IP
 * packet, decoded as an inner packet; signalling messages (echo, error indication) stop here.
 */
import type { Packet } from '../packet.js';
import { Encap, Layer } from './constants.js';
import { INNER } from './ipv4.js';

const G_PDU = 255;
/** Extension headers followed before giving up: more is not a real packet. */
const MAX_EXT = 8;

export function decodeGtp(p: Packet, off: number): number {
  const b = p.buf;
  const end = p.end;
  if (end - off < 8 || b[off] >>> 5 !== 1 || (b[off] & 0x10) === 0) {
    // not GTPv1 (GTP' or v2 on the same port): leave it as UDP payload
    return Layer.NONE;
  }
  p.layers |= Layer.GTP;
  const flags = b[off];
  let o = off + 8;
  if (flags & 0x07) {
    if (end - o < 4) {
      p.malformed = Layer.GTP;
      return Layer.NONE;
    }
    let next = flags & 0x04 ? b[o + 3] : 0;
    o += 4;
    for (let n = 0; next !== 0; n++) {
      if (n >= MAX_EXT || end - o < 1 || b[o] === 0 || end - o < b[o] * 4) {
        p.malformed = Layer.GTP;
        return Layer.NONE;
      }
      const len = b[o] * 4;
      next = b[o + len - 1];
      o += len;
    }
  }
  if (b[off + 1] !== G_PDU || o >= end) return Layer.NONE;
  const v = b[o] >>> 4;
  if (v !== 4 && v !== 6) return Layer.NONE;
  p.nextOffset = o;
  p.innerKind = Encap.GTP;
  return INNER | (v === 4 ? Layer.IPV4 : Layer.IPV6);
}
