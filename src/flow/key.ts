/**
 * The flow key of a decoded packet: IP version, protocol, VLAN, the two addresses and ports,
 * written as uint32 words into a scratch array (no string is built per packet), and a hash
 * that is the same for both directions so that one lookup finds the flow either way.
 *
 * ICMP has no ports: echo request/reply (and the ICMPv6 ones) are keyed by their identifier
 * (the request's sender gets the identifier as its "port", the other side 0, so the reply
 * maps to the same flow reversed); every other ICMP message is keyed by type (source side) and
 * code (destination side).
 */
import { Layer } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import type { FragmentTracker } from './fragments.js';
import { K_DST, K_HASH, K_META, K_PORTS, K_SRC, K_VLAN } from './layout.js';

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ICMPV6 = 58;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of one endpoint (address words + port). */
function endpointHash(k: Uint32Array, at: number, words: number, port: number): number {
  // Math.imul: the same low 32 bits as the exact product (which XOR would take), without a double
  let h = mix(k[at] ^ Math.imul(port, 0x9e3779b1));
  if (words === 4) {
    h = mix(h ^ k[at + 1]);
    h = mix(h ^ k[at + 2]);
    h = mix(h ^ k[at + 3]);
  }
  return h;
}

/** ICMP "ports" (see the module comment): src << 16 | dst. */
function icmpPorts(p: Packet): number {
  const t = p.icmpType;
  const v6 = p.ipProto === ICMPV6;
  const request = v6 ? t === 128 : t === 8 || t === 13 || t === 15 || t === 17;
  const reply = v6 ? t === 129 : t === 0 || t === 14 || t === 16 || t === 18;
  if (request) return ((p.icmpId & 0xffff) << 16) >>> 0;
  if (reply) return p.icmpId & 0xffff;
  return (((t & 0xffff) << 16) | (p.icmpCode & 0xffff)) >>> 0;
}

/**
 * Fills `k` with the key of `ip` (the innermost IP packet) as seen in this packet (source
 * first) and returns true; false when the packet has no IP layer. `vlan` is taken from the
 * outer frame.
 */
export function packetKey(ip: Packet, vlan: number, frags: FragmentTracker | null, k: Uint32Array): boolean {
  const v = ip.ipVersion;
  if (v !== 4 && v !== 6) return false;
  const proto = ip.ipProto;
  let words: number;
  if (v === 4) {
    words = 1;
    k[K_SRC] = ip.src4;
    k[K_SRC + 1] = k[K_SRC + 2] = k[K_SRC + 3] = 0;
    k[K_DST] = ip.dst4;
    k[K_DST + 1] = k[K_DST + 2] = k[K_DST + 3] = 0;
  } else {
    words = 4;
    const s = ip.src6;
    const d = ip.dst6;
    k[K_SRC] = s[0];
    k[K_SRC + 1] = s[1];
    k[K_SRC + 2] = s[2];
    k[K_SRC + 3] = s[3];
    k[K_DST] = d[0];
    k[K_DST + 1] = d[1];
    k[K_DST + 2] = d[2];
    k[K_DST + 3] = d[3];
  }
  let ports = 0;
  const L = ip.layers;
  if ((L & (Layer.TCP | Layer.UDP)) !== 0) ports = ((ip.srcPort << 16) | ip.dstPort) >>> 0;
  else if ((L & (Layer.ICMP | Layer.ICMPV6)) !== 0) ports = icmpPorts(ip);
  if (
    frags !== null &&
    (L & Layer.FRAGMENT) !== 0 &&
    (proto === TCP || proto === UDP || proto === ICMP || proto === ICMPV6)
  ) {
    const sh = words === 1 ? k[K_SRC] : endpointHash(k, K_SRC, 4, 0);
    const dh = words === 1 ? k[K_DST] : endpointHash(k, K_DST, 4, 0);
    if (ip.fragOffset === 0) {
      if ((L & (Layer.TCP | Layer.UDP | Layer.ICMP | Layer.ICMPV6)) !== 0) {
        frags.remember(sh, dh, ip.ipId >>> 0, proto, ports);
      }
    } else {
      const found = frags.lookup(sh, dh, ip.ipId >>> 0, proto);
      if (found >= 0) ports = found;
    }
  }
  k[K_META] = v | (proto << 8) | (words << 16);
  k[K_VLAN] = vlan;
  k[K_PORTS] = ports;
  const hs = endpointHash(k, K_SRC, words, ports >>> 16);
  const hd = endpointHash(k, K_DST, words, ports & 0xffff);
  // symmetric: the same whichever side sent the packet
  k[K_HASH] = mix((hs < hd ? hs ^ mix(hd) : hd ^ mix(hs)) ^ k[K_META] ^ (vlan << 20)) >>> 0;
  return true;
}
