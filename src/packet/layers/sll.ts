/**
 * Linux cooked capture (the "any" device): SLL v1 (LINKTYPE 113, 16 bytes) and SLL2
 * (LINKTYPE 276, 20 bytes). Both carry the packet type, an ARPHRD type, the link-layer
 * source address and the protocol as an EtherType.
 */
import type { Packet } from '../packet.js';
import { LinkType } from '../record.js';
import { Layer } from './constants.js';
import { nextForEtherType } from './ethernet.js';

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;

export function decodeSll(p: Packet, off: number): number {
  const b = p.buf;
  const v2 = p.linkType === LinkType.LINUX_SLL2;
  const len = v2 ? 20 : 16;
  if (p.end - off < len) {
    p.malformed = Layer.SLL;
    return Layer.NONE;
  }
  p.layers |= Layer.SLL;
  let hatype: number;
  let halen: number;
  let proto: number;
  let addr: number;
  if (v2) {
    proto = (b[off] << 8) | b[off + 1];
    hatype = (b[off + 8] << 8) | b[off + 9];
    halen = b[off + 11];
    addr = off + 12;
  } else {
    hatype = (b[off + 2] << 8) | b[off + 3];
    halen = (b[off + 4] << 8) | b[off + 5];
    addr = off + 6;
    proto = (b[off + 14] << 8) | b[off + 15];
  }
  if (halen === 6 && (hatype === ARPHRD_ETHER || hatype === ARPHRD_LOOPBACK)) p.macSrcOffset = addr;
  p.nextOffset = off + len;
  // protocols below 0x0600 are Linux's own codes (802.2 LLC, CAN...), not EtherTypes
  if (proto < 0x0600) {
    p.etherType = 0;
    return Layer.PAYLOAD;
  }
  return nextForEtherType(p, proto);
}
