/**
 * What the flow table reads of a decoded packet: the innermost IP packet (tunnels followed, an
 * ICMP error's quote not), its flow key and its {@link PacketFacts}. One function for the
 * JavaScript table (FlowTable.update) and for the packets the capture engine (native/flow/)
 * hands back to JavaScript, so both count a packet the same way.
 */
import { Encap, Layer } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import type { PacketFacts } from './features.js';
import type { FragmentTracker } from './fragments.js';
import { packetKey } from './key.js';
import type { ByteMode } from './table-types.js';

/**
 * Fills `k` with the flow key of `p` and `f` with its facts and returns the IP packet they
 * came from, or null when the packet belongs to no flow (not IP).
 */
export function packetFacts(
  p: Packet,
  byteMode: ByteMode,
  frags: FragmentTracker,
  k: Uint32Array,
  f: PacketFacts,
): Packet | null {
  let ip = p;
  // follow tunnels to the innermost IP packet; an ICMP error's quote is not traffic
  while (ip.inner !== null && ip.innerKind !== Encap.ICMP_QUOTE && ip.inner.ipVersion !== 0) ip = ip.inner;
  if (!packetKey(ip, p.vlanCount > 0 ? p.vlanId : 0, frags, k)) return null;
  f.ts = p.tsSec * 1e6 + Math.floor(p.tsNsec / 1000);
  f.payload = ip.payloadLen;
  const L = ip.layers;
  if ((L & Layer.TCP) !== 0) {
    f.flags = ip.tcpFlags;
    // a header cut before its window field has none: the decoder leaves the field as the
    // previous packet set it, which depended on what was decoded before
    f.window = ip.end - ip.l4Offset >= 16 ? ip.window : -1;
    f.header = ip.tcpHeaderLen;
  } else {
    f.flags = 0;
    f.window = -1;
    f.header = (L & (Layer.UDP | Layer.ICMP | Layer.ICMPV6)) !== 0 ? 8 : 0;
  }
  f.bytes = byteMode === 'link' ? p.origLen : byteMode === 'ip' ? ip.ipLen : ip.payloadLen;
  return ip;
}
