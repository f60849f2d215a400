/**
 * Wireshark field names and values for a decoded packet, formatted the way
 * `tshark -T fields -E occurrence=a` prints them: numbers in decimal or the hex form tshark
 * uses for that field (`eth.type` 0x0800, `ip.id` 0x1c46, `tcp.flags` 0x0012), booleans as 1/0,
 * times as seconds.nanoseconds. A field that occurs several times (stacked VLAN tags, the outer
 * and inner headers of a tunnel or ICMP error, several DNS questions) has its values joined with
 * commas, outer first. Absent fields are left out.
 */
import { formatIPv4 } from '../../net/address.js';
import { Encap, EtherType, Layer } from '../layers/constants.js';
import { formatMac, type Packet } from '../packet.js';

/** The fields `sentra decode --json` prints, in this order. */
export const DECODE_FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.len',
  'frame.cap_len',
  'eth.src',
  'eth.dst',
  'eth.type',
  'vlan.id',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.ttl',
  'ip.len',
  'ip.id',
  'ip.flags.df',
  'ip.frag_offset',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'ipv6.hlim',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.flags',
  'tcp.window_size_value',
  'tcp.len',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'dns.qry.name',
  'dns.flags.response',
  'http.request.method',
  'http.request.uri',
  'http.host',
  'http.user_agent',
  'http.response.code',
  'tls.handshake.extensions_server_name',
] as const;

export type DecodeField = (typeof DECODE_FIELDS)[number];

/** `0x` and `digits` lower-case hex digits, as tshark prints hex fields. */
export function hex(v: number, digits: number): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

/** Seconds and nanoseconds as tshark prints frame.time_epoch (always 9 decimals). */
export function epochString(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

type Out = Record<string, string>;

function add(out: Out, key: string, value: string): void {
  const prev = out[key];
  out[key] = prev === undefined ? value : `${prev},${value}`;
}

/**
 * Fills `out` with the {@link DECODE_FIELDS} of `p` (and its inner packets). Allocates strings:
 * for output, not for the per-packet hot path.
 */
export function packetFields(p: Packet, out: Out = {}): Out {
  out['frame.number'] = String(p.frameNumber);
  out['frame.time_epoch'] = epochString(p.tsSec, p.tsNsec);
  out['frame.len'] = String(p.origLen);
  out['frame.cap_len'] = String(p.capLen);
  for (let q: Packet | null = p; q !== null; q = q.inner) levelFields(q, out);
  appFields(p, out);
  return out;
}

function levelFields(p: Packet, out: Out): void {
  const b = p.buf;
  const L = p.layers;
  if (L & Layer.ETHERNET) {
    add(out, 'eth.src', formatMac(b, p.macSrcOffset));
    add(out, 'eth.dst', formatMac(b, p.macDstOffset));
    const t = (b[p.macDstOffset + 12] << 8) | b[p.macDstOffset + 13];
    if (t >= 0x0600) add(out, 'eth.type', hex(t, 4));
  }
  if (L & Layer.VLAN) {
    // tshark names 802.1ad (0x88a8) tags ieee8021ad.id, not vlan.id
    if (p.vlanTpid !== EtherType.QINQ) add(out, 'vlan.id', String(p.vlanId));
    if (p.vlanCount > 1 && p.vlanTpid2 !== EtherType.QINQ) add(out, 'vlan.id', String(p.vlanId2));
  }
  if (L & Layer.ARP) {
    add(out, 'arp.opcode', String(p.arpOp));
    if (p.arpIpv4) {
      add(out, 'arp.src.proto_ipv4', formatIPv4(fromU32(p.arpSenderIp), 0));
      add(out, 'arp.dst.proto_ipv4', formatIPv4(fromU32(p.arpTargetIp), 0));
    }
  }
  if (L & Layer.IPV4) {
    add(out, 'ip.src', p.srcAddr());
    add(out, 'ip.dst', p.dstAddr());
    add(out, 'ip.proto', String(p.ipProto));
    add(out, 'ip.ttl', String(p.ttl));
    add(out, 'ip.len', String(p.ipLen));
    add(out, 'ip.id', hex(p.ipId, 4));
    add(out, 'ip.flags.df', p.dontFragment ? '1' : '0');
    add(out, 'ip.frag_offset', String(p.fragOffset >>> 3));
  }
  if (L & Layer.IPV6) {
    add(out, 'ipv6.src', p.srcAddr());
    add(out, 'ipv6.dst', p.dstAddr());
    add(out, 'ipv6.nxt', String(p.ipNextHeader));
    add(out, 'ipv6.hlim', String(p.ttl));
  }
  if (L & Layer.TCP) {
    add(out, 'tcp.srcport', String(p.srcPort));
    add(out, 'tcp.dstport', String(p.dstPort));
    // tshark shows each header field whose bytes are there, stops at a bogus data offset, and
    // shows the raw sequence number and segment length only for a whole, unquoted segment
    const avail = p.end - p.l4Offset;
    const hl = p.tcpHeaderLen;
    const quoted = p.outer !== null && p.outerKind === Encap.ICMP_QUOTE;
    const quotedByIcmpV4 = quoted && (p.outer!.layers & Layer.ICMP) !== 0;
    const fragment = p.moreFragments || p.fragOffset !== 0;
    if (avail >= 8 && !quotedByIcmpV4) add(out, 'tcp.seq_raw', String(p.seq));
    if (avail >= 14 ? hl >= 20 : avail >= 12) add(out, 'tcp.ack_raw', String(p.ack));
    if (avail >= 14 && hl >= 20) add(out, 'tcp.flags', hex(p.tcpFlags, 4));
    if (avail >= 16 && hl >= 20) add(out, 'tcp.window_size_value', String(p.window));
    if (avail >= 14 && !quoted && !fragment && p.l4Len >= hl) add(out, 'tcp.len', String(p.l4Len - hl));
  }
  if (L & Layer.UDP) {
    add(out, 'udp.srcport', String(p.srcPort));
    add(out, 'udp.dstport', String(p.dstPort));
    if (p.end - p.l4Offset >= 8) add(out, 'udp.length', String(p.udpLength));
  }
  if (L & Layer.ICMP) {
    add(out, 'icmp.type', String(p.icmpType));
    add(out, 'icmp.code', String(p.icmpCode));
  }
  if (L & Layer.ICMPV6) add(out, 'icmpv6.type', String(p.icmpType));
}

const u32buf = new Uint8Array(4);
function fromU32(v: number): Uint8Array {
  u32buf[0] = v >>> 24;
  u32buf[1] = (v >>> 16) & 0xff;
  u32buf[2] = (v >>> 8) & 0xff;
  u32buf[3] = v & 0xff;
  return u32buf;
}

/** Application-layer fields of the innermost packet that carries a transport payload. */
function appFields(p: Packet, out: Out): void {
  for (let q: Packet | null = p; q !== null; q = q.inner) {
    if (q.innerKind !== 0 && q.inner !== null) continue;
    const dns = q.dns();
    if (dns !== null) {
      for (const qu of dns.questions) add(out, 'dns.qry.name', qu.name);
      out['dns.flags.response'] = dns.response ? '1' : '0';
    }
    for (const http of q.httpMessages()) {
      if (http.kind === 'request') {
        add(out, 'http.request.method', http.method);
        add(out, 'http.request.uri', http.uri);
      } else {
        add(out, 'http.response.code', String(http.statusCode));
      }
      for (const host of http.headerAll('host')) add(out, 'http.host', host);
      for (const ua of http.headerAll('user-agent')) add(out, 'http.user_agent', ua);
    }
    const tls = q.tlsClientHello();
    if (tls?.serverName) out['tls.handshake.extensions_server_name'] = tls.serverName;
  }
}
