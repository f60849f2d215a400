/**
 * Cisco HDLC (LINKTYPE_C_HDLC 104): address (0x0f unicast, 0x8f broadcast), control (0x00),
 * then the protocol as an EtherType. 4 bytes.
 */
import type { Packet } from '../packet.js';
import { Layer } from './constants.js';
import { nextForEtherType } from './ethernet.js';

export function decodeChdlc(p: Packet, off: number): number {
  if (p.end - off < 4) {
    p.malformed = Layer.CHDLC;
    return Layer.NONE;
  }
  p.layers |= Layer.CHDLC;
  p.nextOffset = off + 4;
  return nextForEtherType(p, (p.buf[off + 2] << 8) | p.buf[off + 3]);
}
