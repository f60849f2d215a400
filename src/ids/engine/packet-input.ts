/**
 * Fills the detector's {@link DetectInput} from a decoded {@link Packet}: header fields, the
 * packet's addresses (copied into two reused arrays per version, so that nothing is
 * allocated for them per packet) and the packet buffers.
 */
import { Layer } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import { BufferId, bufferIdByName } from '../match/buffers.js';
import { type DetectInput, InputKind, IpOpt } from '../match/input.js';
import type { RuleSet } from '../match/ruleset.js';

const TCP_HDR = bufferIdByName('tcp.hdr') ?? -1;
const UDP_HDR = bufferIdByName('udp.hdr') ?? -1;
const IPV4_HDR = bufferIdByName('ipv4.hdr') ?? -1;
const EMPTY = new Uint8Array(0);

/**
 * A plain Uint8Array view of `b[start, end)`. Capture buffers are Node Buffers, whose
 * subarray() goes through Node's JS wrapper and builds a Buffer: measurably slower per packet.
 */
function view(b: Uint8Array, start: number, end: number): Uint8Array {
  // clamped like subarray(): a malformed packet's offsets must not throw
  const e = Math.min(end, b.length);
  const s = Math.min(Math.max(start, 0), e);
  return new Uint8Array(b.buffer, b.byteOffset + s, e - s);
}

/** IPv4 option type -> IpOpt bit. */
const OPT_BITS = new Uint16Array(256);
OPT_BITS[0] = IpOpt.EOL;
OPT_BITS[1] = IpOpt.NOP;
OPT_BITS[7] = IpOpt.RR;
OPT_BITS[68] = IpOpt.TS;
OPT_BITS[130] = IpOpt.SEC;
OPT_BITS[133] = IpOpt.ESEC;
OPT_BITS[131] = IpOpt.LSRR;
OPT_BITS[137] = IpOpt.SSRR;
OPT_BITS[136] = IpOpt.SATID;

/**
 * Whether any rule of the set reads the header buffers (tcp.hdr, udp.hdr, ipv4.hdr), with or
 * without transforms. (A set's `variants` list every buffer untransformed, used or not: it
 * cannot tell.)
 */
export function rulesUseHeaderBuffers(rs: RuleSet): boolean {
  for (const r of rs.rules)
    for (const l of r.lists)
      if (l.buffer === TCP_HDR || l.buffer === UDP_HDR || l.buffer === IPV4_HDR) return true;
  return false;
}

/** Reused address arrays: the current packet's source and destination. */
export class AddressScratch {
  readonly src4 = new Uint8Array(4);
  readonly dst4 = new Uint8Array(4);
  readonly src6 = new Uint8Array(16);
  readonly dst6 = new Uint8Array(16);
}

/**
 * Fills `inp` (reset first by the caller) with the PACKET fields of `ip`, the innermost IP
 * packet of the frame. Returns false when the packet has no IP layer. `payloadBuffer` false
 * leaves pkt_data unset (a view per packet saved when no rule can read it).
 */
export function fillPacketInput(
  inp: DetectInput,
  ip: Packet,
  time: number,
  addr: AddressScratch,
  headerBuffers: boolean,
  payloadBuffer = true,
): boolean {
  inp.kind = InputKind.PACKET;
  inp.time = time;
  const v = ip.ipVersion;
  if (v !== 4 && v !== 6) return false;
  const b = ip.buf;
  inp.ipVersion = v;
  if (v === 4) {
    const s = addr.src4;
    const d = addr.dst4;
    const so = ip.srcOffset;
    const dO = ip.dstOffset;
    s[0] = b[so];
    s[1] = b[so + 1];
    s[2] = b[so + 2];
    s[3] = b[so + 3];
    d[0] = b[dO];
    d[1] = b[dO + 1];
    d[2] = b[dO + 2];
    d[3] = b[dO + 3];
    inp.src = s;
    inp.dst = d;
    const l3 = ip.l3Offset;
    const fl = b[l3 + 6];
    inp.fragbits = (ip.moreFragments ? 1 : 0) | (ip.dontFragment ? 2 : 0) | (fl & 0x80 ? 4 : 0);
    inp.fragOffset = ip.fragOffset >>> 3;
    inp.ipId = ip.ipId;
    let opts = 0;
    const hl = ip.ipHeaderLen;
    for (let p = l3 + 20; p < l3 + hl && p < ip.end; ) {
      const t = b[p];
      const bit = OPT_BITS[t];
      if (bit !== 0) opts |= bit | IpOpt.ANY;
      if (t === 0) break;
      if (t === 1) p++;
      else {
        const len = b[p + 1];
        p += Math.max(len, 2);
      }
    }
    inp.ipOpts = opts;
    if (headerBuffers && IPV4_HDR >= 0)
      inp.buffers.setPacket(IPV4_HDR, view(b, l3, Math.min(l3 + hl, ip.end)));
  } else {
    const s = addr.src6;
    const d = addr.dst6;
    const so = ip.srcOffset;
    const dO = ip.dstOffset;
    for (let i = 0; i < 16; i++) {
      s[i] = b[so + i];
      d[i] = b[dO + i];
    }
    inp.src = s;
    inp.dst = d;
    inp.fragOffset = ip.fragOffset >>> 3;
  }
  inp.ttl = ip.ttl;
  inp.tos = ip.tos;
  inp.ipProto = ip.ipProto;
  const L = ip.layers;
  if ((L & Layer.TCP) !== 0) {
    inp.srcPort = ip.srcPort;
    inp.dstPort = ip.dstPort;
    inp.tcpFlags = ip.tcpFlags & 0xff;
    inp.tcpSeq = ip.seq >>> 0;
    inp.tcpAck = ip.ack >>> 0;
    inp.tcpWindow = ip.window;
    inp.tcpMss = ip.mss > 0 ? ip.mss : -1;
    if (headerBuffers && TCP_HDR >= 0) {
      const o = ip.l4Offset;
      inp.buffers.setPacket(TCP_HDR, view(b, o, Math.min(o + ip.tcpHeaderLen, ip.end)));
    }
  } else if ((L & Layer.UDP) !== 0) {
    inp.srcPort = ip.srcPort;
    inp.dstPort = ip.dstPort;
    if (headerBuffers && UDP_HDR >= 0) {
      const o = ip.l4Offset;
      inp.buffers.setPacket(UDP_HDR, view(b, o, Math.min(o + 8, ip.end)));
    }
  } else if ((L & (Layer.ICMP | Layer.ICMPV6)) !== 0) {
    inp.icmpType = ip.icmpType;
    inp.icmpCode = ip.icmpCode;
    const t = ip.icmpType;
    const echo = ip.ipProto === 58 ? t === 128 || t === 129 : t === 0 || t === 8;
    if (echo) {
      inp.icmpId = ip.icmpId;
      inp.icmpSeq = ip.icmpSeq;
    }
  }
  if (!payloadBuffer) {
    // nothing inspects pkt_data (no rules): only its length
    const n = (L & (Layer.ICMP | Layer.ICMPV6)) !== 0 ? ip.end - ip.l4Offset - 8 : ip.payloadCapLen;
    inp.payloadLen = (L & (Layer.ICMP | Layer.ICMPV6 | Layer.TCP | Layer.UDP)) !== 0 ? Math.max(n, 0) : 0;
  } else if ((L & (Layer.ICMP | Layer.ICMPV6)) !== 0) {
    // Suricata's ICMP payload: everything after the 8-byte header (an error's quote included)
    const o = ip.l4Offset + 8;
    const n = ip.end - o;
    inp.payloadLen = Math.max(n, 0);
    inp.buffers.setPacket(BufferId.PKT_DATA, n > 0 ? view(b, o, ip.end) : EMPTY);
  } else if ((L & (Layer.TCP | Layer.UDP)) !== 0 && ip.payloadCapLen > 0) {
    inp.payloadLen = ip.payloadCapLen;
    inp.buffers.setPacket(BufferId.PKT_DATA, view(b, ip.payloadOffset, ip.payloadOffset + ip.payloadCapLen));
  } else {
    inp.payloadLen = 0;
    inp.buffers.setPacket(BufferId.PKT_DATA, EMPTY);
  }
  return true;
}
