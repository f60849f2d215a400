/**
 * The decoder: walks a frame's headers from the link layer down, each layer decoding in place
 * into one reused {@link Packet}, tunnels (GRE, VXLAN, IP in IP) and ICMP error quotes into a
 * preallocated inner `Packet` one level deeper. Nothing is allocated per packet, and nothing
 * throws: a header that is cut short or contradicts itself sets `malformed` to its layer and
 * decoding stops there.
 */
import { decodeArp } from './layers/arp.js';
import { decodeChdlc } from './layers/chdlc.js';
import { Layer, MAX_DEPTH } from './layers/constants.js';
import { decodeEthernet } from './layers/ethernet.js';
import { decodeGeneve } from './layers/geneve.js';
import { decodeGre } from './layers/gre.js';
import { decodeGtp } from './layers/gtp.js';
import { decodeIcmp } from './layers/icmp.js';
import { decodeIcmpv6 } from './layers/icmpv6.js';
import { decodeIpv4, INNER } from './layers/ipv4.js';
import { decodeIpv6 } from './layers/ipv6.js';
import { decodeLoopback } from './layers/loopback.js';
import { decodeMpls } from './layers/mpls.js';
import { decodeNsh } from './layers/nsh.js';
import { decodePpp } from './layers/ppp.js';
import { decodePppoe } from './layers/pppoe.js';
import { decodeSll } from './layers/sll.js';
import { decodeTcp } from './layers/tcp.js';
import { decodeTeredo } from './layers/teredo.js';
import { decodeUdp } from './layers/udp.js';
import { decodeVlan } from './layers/vlan.js';
import { decodeVxlan } from './layers/vxlan.js';
import { Packet } from './packet.js';
import { LinkType, type PacketRecord } from './record.js';

/** "Next layer" code for raw IP links: IPv4 or IPv6 by the version nibble. */
const RAW_IP = 1 << 29;

/** Whether the decoder understands frames of this link type. */
export function isSupportedLinkType(linkType: number): boolean {
  return firstLayer(linkType) !== Layer.PAYLOAD;
}

function firstLayer(linkType: number): number {
  switch (linkType) {
    case LinkType.ETHERNET:
      return Layer.ETHERNET;
    case LinkType.NULL:
    case LinkType.LOOP:
      return Layer.LOOPBACK;
    case LinkType.RAW:
      return RAW_IP;
    case LinkType.IPV4:
      return Layer.IPV4;
    case LinkType.IPV6:
      return Layer.IPV6;
    case LinkType.LINUX_SLL:
    case LinkType.LINUX_SLL2:
      return Layer.SLL;
    case LinkType.C_HDLC:
      return Layer.CHDLC;
    case LinkType.PPP:
      return Layer.PPP;
    default:
      return Layer.PAYLOAD;
  }
}

function begin(p: Packet, end: number, wireEnd: number): void {
  p.layers = 0;
  p.malformed = 0;
  p.end = end;
  p.wireEnd = wireEnd;
  p.etherType = 0;
  p.macSrcOffset = -1;
  p.macDstOffset = -1;
  p.vlanCount = 0;
  p.ipVersion = 0;
  p.ipProto = 0;
  p.l4Len = 0;
  p.srcPort = 0;
  p.dstPort = 0;
  p.payloadLen = 0;
  p.payloadCapLen = 0;
  p.innerKind = 0;
  p.inner = null;
  p.resetApp();
}

export class Decoder {
  /** The packet every `decode` call fills (the outermost level). */
  readonly packet: Packet;
  private readonly levels: Packet[] = [];
  /** Frames decoded so far: the next frame's `frameNumber` is this plus one. */
  frames = 0;

  constructor() {
    for (let d = 0; d <= MAX_DEPTH; d++) {
      const p = new Packet();
      p.depth = d;
      this.levels.push(p);
    }
    this.packet = this.levels[0];
  }

  /** Decodes a record from a reader or live capture into `this.packet` and returns it. */
  decode(rec: PacketRecord): Packet {
    const b = rec.buffer;
    if (b !== undefined) {
      return this.decodeBytes(
        b,
        rec.offset ?? 0,
        rec.capLen,
        rec.origLen,
        rec.linkType,
        rec.tsSec,
        rec.tsNsec,
        rec.ifIndex,
      );
    }
    const d = rec.data;
    const cap = Math.min(rec.capLen, d.length);
    return this.decodeBytes(d, 0, cap, rec.origLen, rec.linkType, rec.tsSec, rec.tsNsec, rec.ifIndex);
  }

  /** Decodes the frame `buf[offset, offset + capLen)` of link type `linkType`. */
  decodeBytes(
    buf: Uint8Array,
    offset: number,
    capLen: number,
    origLen: number,
    linkType: number,
    tsSec = 0,
    tsNsec = 0,
    ifIndex = 0,
  ): Packet {
    if (offset + capLen > buf.length) capLen = buf.length > offset ? buf.length - offset : 0;
    const p = this.packet;
    if (buf !== p.buf) {
      p.buf = buf;
      p.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    p.frameOffset = offset;
    p.capLen = capLen;
    p.origLen = origLen;
    p.linkType = linkType;
    p.tsSec = tsSec;
    p.tsNsec = tsNsec;
    p.ifIndex = ifIndex;
    p.frameNumber = ++this.frames;
    begin(p, offset + capLen, offset + Math.max(origLen, capLen));
    this.run(p, firstLayer(linkType), offset);
    return p;
  }

  private run(p: Packet, layer: number, off: number): void {
    let cur = p;
    for (;;) {
      let next: number;
      switch (layer) {
        case Layer.ETHERNET:
          next = decodeEthernet(cur, off);
          break;
        case Layer.IPV4:
          next = decodeIpv4(cur, off);
          break;
        case Layer.IPV6:
          next = decodeIpv6(cur, off);
          break;
        case Layer.TCP:
          next = decodeTcp(cur, off);
          break;
        case Layer.UDP:
          next = decodeUdp(cur, off);
          break;
        case Layer.VLAN:
          next = decodeVlan(cur, off);
          break;
        case Layer.ICMP:
          next = decodeIcmp(cur, off);
          break;
        case Layer.ICMPV6:
          next = decodeIcmpv6(cur, off);
          break;
        case Layer.ARP:
          next = decodeArp(cur, off);
          break;
        case Layer.SLL:
          next = decodeSll(cur, off);
          break;
        case Layer.LOOPBACK:
          next = decodeLoopback(cur, off);
          break;
        case Layer.GRE:
          next = decodeGre(cur, off);
          break;
        case Layer.VXLAN:
          next = decodeVxlan(cur, off);
          break;
        case Layer.PPPOE:
          next = decodePppoe(cur, off);
          break;
        case Layer.MPLS:
          next = decodeMpls(cur, off);
          break;
        case Layer.GTP:
          next = decodeGtp(cur, off);
          break;
        case Layer.GENEVE:
          next = decodeGeneve(cur, off);
          break;
        case Layer.TEREDO:
          next = decodeTeredo(cur, off);
          break;
        case Layer.CHDLC:
          next = decodeChdlc(cur, off);
          break;
        case Layer.PPP:
          next = decodePpp(cur, off);
          break;
        case Layer.NSH:
          next = decodeNsh(cur, off);
          break;
        case RAW_IP: {
          const v = off < cur.end ? cur.buf[off] >>> 4 : 0;
          next = v === 4 ? Layer.IPV4 : v === 6 ? Layer.IPV6 : Layer.PAYLOAD;
          cur.nextOffset = off;
          break;
        }
        default:
          setPayload(cur, off);
          return;
      }
      if (next === Layer.NONE) return;
      if ((next & INNER) !== 0) {
        if (cur.depth >= MAX_DEPTH) {
          setPayload(cur, cur.nextOffset);
          return;
        }
        const inner = this.levels[cur.depth + 1];
        if (inner.buf !== cur.buf) {
          inner.buf = cur.buf;
          inner.dv = cur.dv;
        }
        inner.frameOffset = cur.frameOffset;
        inner.capLen = cur.capLen;
        inner.origLen = cur.origLen;
        inner.linkType = cur.linkType;
        inner.tsSec = cur.tsSec;
        inner.tsNsec = cur.tsNsec;
        inner.ifIndex = cur.ifIndex;
        inner.frameNumber = cur.frameNumber;
        begin(inner, cur.end, cur.wireEnd);
        inner.outerKind = cur.innerKind;
        inner.outer = cur;
        cur.inner = inner;
        off = cur.nextOffset;
        cur = inner;
        layer = next & ~INNER;
        continue;
      }
      off = cur.nextOffset;
      layer = next;
    }
  }
}

/** What follows the last decoded header: kept as the payload. */
function setPayload(p: Packet, off: number): void {
  p.layers |= Layer.PAYLOAD;
  const cap = p.end - off;
  p.payloadOffset = off;
  p.payloadCapLen = Math.max(cap, 0);
  // right after an IP header the IP length knows the wire size; elsewhere the capture does
  p.payloadLen = p.ipVersion !== 0 && off === p.l4Offset && p.l4Len > 0 ? p.l4Len : p.payloadCapLen;
}
