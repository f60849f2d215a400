/**
 * 802.1Q and 802.1ad (QinQ) tags: 2 bytes TCI (PCP, DEI, VLAN id) and the next EtherType.
 * Stacked tags decode one after the other; the first two ids are kept.
 */
import type { Packet } from '../packet.js';
import { Layer, MAX_VLAN_TAGS } from './constants.js';
import { nextForEtherType } from './ethernet.js';

export function decodeVlan(p: Packet, off: number): number {
  const b = p.buf;
  if (p.end - off < 4 || p.vlanCount >= MAX_VLAN_TAGS) {
    p.malformed = Layer.VLAN;
    return Layer.NONE;
  }
  const tci = (b[off] << 8) | b[off + 1];
  // the tag protocol identifier is the EtherType that led here
  if (p.vlanCount === 0) {
    p.vlanId = tci & 0x0fff;
    p.vlanPriority = tci >>> 13;
    p.vlanTpid = p.etherType;
  } else if (p.vlanCount === 1) {
    p.vlanId2 = tci & 0x0fff;
    p.vlanTpid2 = p.etherType;
  }
  p.vlanCount++;
  p.layers |= Layer.VLAN;
  p.nextOffset = off + 4;
  return nextForEtherType(p, (b[off + 2] << 8) | b[off + 3]);
}
