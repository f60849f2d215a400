/**
 * Test-only packet source: a small pcap reader and IPv4/IPv6/TCP/UDP/ICMP decoder with a
 * minimal flow tracker, enough to feed the detector packet inputs from suricata-verify pcaps
 * (the real decoder and flow table are other modules). Classic pcap only.
 */
import { readFileSync } from 'node:fs';
import { BufferId, bufferIdByName } from '../../src/ids/match/buffers.js';
import { FlowVars } from '../../src/ids/match/flow-vars.js';
import { type DetectInput, InputKind, IpOpt } from '../../src/ids/match/input.js';

const TCP_HDR = bufferIdByName('tcp.hdr')!;
const UDP_HDR = bufferIdByName('udp.hdr')!;

export interface RawPacket {
  tsSec: number;
  tsUsec: number;
  linkType: number;
  data: Uint8Array;
}

export function readPcap(file: string): RawPacket[] {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  let le: boolean;
  let nano = false;
  if (magic === 0xa1b2c3d4) le = true;
  else if (magic === 0xd4c3b2a1) le = false;
  else if (magic === 0xa1b23c4d) {
    le = true;
    nano = true;
  } else if (magic === 0x4d3cb2a1) {
    le = false;
    nano = true;
  } else throw new Error(`${file}: not a classic pcap`);
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20) & 0xffff;
  const out: RawPacket[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const cap = u32(o + 8);
    const data = new Uint8Array(b.buffer, b.byteOffset + o + 16, Math.min(cap, b.length - o - 16));
    out.push({ tsSec: sec, tsUsec: nano ? Math.floor(frac / 1000) : frac, linkType, data });
    o += 16 + cap;
  }
  return out;
}

interface FlowState {
  /** IPS: the flow was dropped; its later packets are not inspected. */
  dropped: boolean;
  client: string;
  vars: FlowVars;
  synSeen: boolean;
  synAckSeen: boolean;
  established: boolean;
  seenToServer: boolean;
  seenToClient: boolean;
}

const key = (a: Uint8Array, p: number) => `${Buffer.from(a).toString('hex')}:${p}`;

/** Decodes packets into detector inputs (kind PACKET), tracking flows. */
export class PacketFeeder {
  private readonly flows = new Map<string, FlowState>();
  private last: FlowState | null = null;

  /** IPS: drops the flow of the last packet filled. */
  dropFlow(): void {
    if (this.last) this.last.dropped = true;
  }

  /** True when the last packet filled belongs to a dropped flow. */
  lastDropped(): boolean {
    return this.last?.dropped === true;
  }

  /** Fills `inp` from a raw packet; returns false when the packet is not IP. */
  fill(pkt: RawPacket, inp: DetectInput): boolean {
    inp.reset();
    inp.kind = InputKind.PACKET;
    inp.time = pkt.tsSec + pkt.tsUsec / 1e6;
    const d = pkt.data;
    let off = 0;
    let ethType: number;
    if (pkt.linkType === 1) {
      ethType = (d[12] << 8) | d[13];
      off = 14;
      while (ethType === 0x8100 || ethType === 0x88a8) {
        ethType = (d[off + 2] << 8) | d[off + 3];
        off += 4;
      }
    } else if (pkt.linkType === 101 || pkt.linkType === 12 || pkt.linkType === 228 || pkt.linkType === 229) {
      ethType = d[0] >> 4 === 6 ? 0x86dd : 0x0800;
    } else if (pkt.linkType === 113) {
      ethType = (d[14] << 8) | d[15];
      off = 16;
    } else return false;
    let proto: number;
    let l4: number;
    let end: number;
    if (ethType === 0x0800) {
      const ihl = (d[off] & 0x0f) * 4;
      inp.ipVersion = 4;
      inp.tos = d[off + 1];
      end = Math.min(d.length, off + ((d[off + 2] << 8) | d[off + 3]));
      inp.ipId = (d[off + 4] << 8) | d[off + 5];
      const fl = (d[off + 6] << 8) | d[off + 7];
      inp.fragbits = (fl & 0x2000 ? 1 : 0) | (fl & 0x4000 ? 2 : 0) | (fl & 0x8000 ? 4 : 0);
      inp.fragOffset = fl & 0x1fff;
      inp.ttl = d[off + 8];
      proto = d[off + 9];
      inp.src = d.slice(off + 12, off + 16);
      inp.dst = d.slice(off + 16, off + 20);
      inp.buffers.setPacket(BufferId.PKT_DATA, new Uint8Array(0));
      for (let p = off + 20; p < off + ihl; ) {
        const t = d[p];
        const bit = {
          0: IpOpt.EOL,
          1: IpOpt.NOP,
          7: IpOpt.RR,
          68: IpOpt.TS,
          130: IpOpt.SEC,
          133: IpOpt.ESEC,
          131: IpOpt.LSRR,
          137: IpOpt.SSRR,
          136: IpOpt.SATID,
        }[t];
        if (bit) inp.ipOpts |= bit | IpOpt.ANY;
        if (t === 0) break;
        p += t === 1 ? 1 : Math.max(2, d[p + 1]);
      }
      l4 = off + ihl;
    } else if (ethType === 0x86dd) {
      inp.ipVersion = 6;
      inp.ttl = d[off + 7];
      proto = d[off + 6];
      inp.src = d.slice(off + 8, off + 24);
      inp.dst = d.slice(off + 24, off + 40);
      end = Math.min(d.length, off + 40 + ((d[off + 4] << 8) | d[off + 5]));
      l4 = off + 40;
    } else return false;
    inp.ipProto = proto;
    let payload = l4;
    if (proto === 6) {
      inp.srcPort = (d[l4] << 8) | d[l4 + 1];
      inp.dstPort = (d[l4 + 2] << 8) | d[l4 + 3];
      inp.tcpSeq = (((d[l4 + 4] << 24) >>> 0) + (d[l4 + 5] << 16) + (d[l4 + 6] << 8) + d[l4 + 7]) >>> 0;
      inp.tcpAck = (((d[l4 + 8] << 24) >>> 0) + (d[l4 + 9] << 16) + (d[l4 + 10] << 8) + d[l4 + 11]) >>> 0;
      const hl = (d[l4 + 12] >> 4) * 4;
      inp.tcpFlags = d[l4 + 13];
      inp.tcpWindow = (d[l4 + 14] << 8) | d[l4 + 15];
      for (let p = l4 + 20; p < l4 + hl; ) {
        if (d[p] === 0) break;
        if (d[p] === 1) {
          p++;
          continue;
        }
        if (d[p] === 2) inp.tcpMss = (d[p + 2] << 8) | d[p + 3];
        p += Math.max(2, d[p + 1]);
      }
      inp.buffers.setPacket(TCP_HDR, d.subarray(l4, l4 + hl));
      payload = l4 + hl;
    } else if (proto === 17) {
      inp.srcPort = (d[l4] << 8) | d[l4 + 1];
      inp.dstPort = (d[l4 + 2] << 8) | d[l4 + 3];
      inp.buffers.setPacket(UDP_HDR, d.subarray(l4, l4 + 8));
      payload = l4 + 8;
    } else if (proto === 1 || proto === 58) {
      inp.icmpType = d[l4];
      inp.icmpCode = d[l4 + 1];
      const echo =
        proto === 1 ? inp.icmpType === 0 || inp.icmpType === 8 : inp.icmpType === 128 || inp.icmpType === 129;
      if (echo) {
        inp.icmpId = (d[l4 + 4] << 8) | d[l4 + 5];
        inp.icmpSeq = (d[l4 + 6] << 8) | d[l4 + 7];
      }
      payload = l4 + 8;
    }
    const data = d.subarray(payload, end);
    inp.payloadLen = data.length;
    inp.buffers.setPacket(BufferId.PKT_DATA, data);
    this.track(inp);
    return true;
  }

  private track(inp: DetectInput): void {
    const a = key(inp.src, inp.srcPort);
    const b = key(inp.dst, inp.dstPort);
    const k = `${inp.ipProto}|${a < b ? a + '|' + b : b + '|' + a}`;
    let f = this.flows.get(k);
    if (!f) {
      f = {
        dropped: false,
        client: a,
        vars: new FlowVars(),
        synSeen: false,
        synAckSeen: false,
        established: false,
        seenToServer: false,
        seenToClient: false,
      };
      // a SYN-ACK first means we saw the server's side first
      if (inp.ipProto === 6 && (inp.tcpFlags & 0x12) === 0x12) f.client = b;
      this.flows.set(k, f);
    }
    this.last = f;
    inp.hasFlow = true;
    inp.toServer = f.client === a;
    inp.flowVars = f.vars;
    if (inp.toServer) f.seenToServer = true;
    else f.seenToClient = true;
    if (inp.ipProto === 6) {
      const fl = inp.tcpFlags;
      if (inp.toServer && (fl & 0x12) === 0x02) f.synSeen = true;
      else if (!inp.toServer && (fl & 0x12) === 0x12) f.synAckSeen = true;
      else if (inp.toServer && f.synSeen && f.synAckSeen && fl & 0x10) f.established = true;
      inp.established = f.established;
    } else {
      f.established = f.seenToServer && f.seenToClient;
      inp.established = f.established;
    }
  }
}
