/**
 * IPv6 (RFC 8200): the fixed 40-byte header, then extension headers — hop-by-hop, routing,
 * destination options, mobility (each a next-header byte and a length in 8-byte units),
 * fragment (8 bytes), AH (length in 4-byte units) — up to the upper layer. ESP ends decoding.
 */
import type { Packet } from '../packet.js';
import { IpProto, Layer, MAX_IPV6_EXT_HEADERS } from './constants.js';
import { nextForIpProto } from './ipv4.js';

/** Bits of `Packet.ipv6Ext`. */
export const Ipv6Ext = {
  HOPOPTS: 1 << 0,
  ROUTING: 1 << 1,
  FRAGMENT: 1 << 2,
  DSTOPTS: 1 << 3,
  AH: 1 << 4,
  ESP: 1 << 5,
  MOBILITY: 1 << 6,
} as const;

export function decodeIpv6(p: Packet, off: number): number {
  const b = p.buf;
  const avail = p.end - off;
  if (avail < 40 || b[off] >>> 4 !== 6) {
    p.malformed = Layer.IPV6;
    return Layer.NONE;
  }
  const plen = (b[off + 4] << 8) | b[off + 5];
  p.ipVersion = 6;
  p.l3Offset = off;
  p.tos = ((b[off] & 0x0f) << 4) | (b[off + 1] >>> 4);
  p.flowLabel = ((b[off + 1] & 0x0f) << 16) | (b[off + 2] << 8) | b[off + 3];
  p.ipLen = 40 + plen;
  let nh = b[off + 6];
  p.ipNextHeader = nh;
  p.ttl = b[off + 7];
  p.srcOffset = off + 8;
  p.dstOffset = off + 24;
  const s = p.src6;
  const d = p.dst6;
  for (let i = 0; i < 4; i++) {
    const a = off + 8 + 4 * i;
    s[i] = ((b[a] << 24) | (b[a + 1] << 16) | (b[a + 2] << 8) | b[a + 3]) >>> 0;
    d[i] = ((b[a + 16] << 24) | (b[a + 17] << 16) | (b[a + 18] << 8) | b[a + 19]) >>> 0;
  }
  p.ipId = 0;
  p.dontFragment = false;
  p.moreFragments = false;
  p.fragOffset = 0;
  p.ipv6Ext = 0;
  p.layers |= Layer.IPV6;
  // payload length 0 is a jumbogram (hop-by-hop option) or a lie: the capture bounds it then
  if (plen !== 0 && 40 + plen < avail) p.end = off + 40 + plen;
  if (plen !== 0 && off + 40 + plen < p.wireEnd) p.wireEnd = off + 40 + plen;
  const end = p.end;
  let o = off + 40;
  let stop = false;
  for (let n = 0; n <= MAX_IPV6_EXT_HEADERS && !stop; n++) {
    switch (nh) {
      case IpProto.HOPOPTS:
      case IpProto.ROUTING:
      case IpProto.DSTOPTS:
      case IpProto.MOBILITY: {
        if (end - o < 2 || end - o < (b[o + 1] + 1) << 3) return ipv6Malformed(p);
        p.ipv6Ext |=
          nh === IpProto.HOPOPTS
            ? Ipv6Ext.HOPOPTS
            : nh === IpProto.ROUTING
              ? Ipv6Ext.ROUTING
              : nh === IpProto.DSTOPTS
                ? Ipv6Ext.DSTOPTS
                : Ipv6Ext.MOBILITY;
        const len = (b[o + 1] + 1) << 3;
        nh = b[o];
        o += len;
        break;
      }
      case IpProto.FRAGMENT: {
        if (end - o < 8) return ipv6Malformed(p);
        p.ipv6Ext |= Ipv6Ext.FRAGMENT;
        p.layers |= Layer.FRAGMENT;
        const fo = (b[o + 2] << 8) | b[o + 3];
        p.fragOffset = fo & 0xfff8;
        p.moreFragments = (fo & 1) !== 0;
        p.ipId = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
        nh = b[o];
        o += 8;
        break;
      }
      case IpProto.AH: {
        if (end - o < 2 || end - o < (b[o + 1] + 2) << 2) return ipv6Malformed(p);
        p.ipv6Ext |= Ipv6Ext.AH;
        const len = (b[o + 1] + 2) << 2;
        nh = b[o];
        o += len;
        break;
      }
      default:
        stop = true;
    }
  }
  if (!stop) return ipv6Malformed(p);
  p.ipProto = nh;
  p.ipHeaderLen = o - off;
  p.l4Offset = o;
  p.l4Len = p.wireEnd - o;
  p.nextOffset = o;
  if (p.l4Len < 0) return ipv6Malformed(p);
  if (nh === IpProto.ESP) {
    p.ipv6Ext |= Ipv6Ext.ESP;
    p.layers |= Layer.ESP;
    return Layer.PAYLOAD;
  }
  if (p.fragOffset !== 0 || nh === IpProto.NONE) return Layer.PAYLOAD;
  return nextForIpProto(p, nh);
}

function ipv6Malformed(p: Packet): number {
  p.malformed = Layer.IPV6;
  return Layer.NONE;
}
