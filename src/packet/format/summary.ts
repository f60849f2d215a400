/**
 * One line per packet in the style of `tcpdump -nn -S` (numeric addresses and ports, absolute
 * sequence numbers), with the time in UTC so that output does not depend on the machine's time
 * zone. Tunnels print the outer packet, then `: ` and the inner one, as tcpdump does.
 */
import { formatIPv4 } from '../../net/address.js';
import { Encap, Layer, TcpFlag } from '../layers/constants.js';
import { DnsType } from '../layers/dns.js';
import { formatMac, type Packet } from '../packet.js';

const DNS_TYPE_NAMES: Record<number, string> = {
  [DnsType.A]: 'A',
  [DnsType.NS]: 'NS',
  [DnsType.CNAME]: 'CNAME',
  [DnsType.SOA]: 'SOA',
  [DnsType.PTR]: 'PTR',
  [DnsType.MX]: 'MX',
  [DnsType.TXT]: 'TXT',
  [DnsType.AAAA]: 'AAAA',
  [DnsType.SRV]: 'SRV',
  [DnsType.OPT]: 'OPT',
  [DnsType.HTTPS]: 'HTTPS',
  [DnsType.ANY]: 'ANY',
};

const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'time stamp request',
  14: 'time stamp reply',
};

const ICMPV6_NAMES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'multicast listener report v2',
};

/** `HH:MM:SS.uuuuuu` in UTC, as tcpdump prints times (it uses local time). */
export function timeOfDay(sec: number, nsec: number): string {
  const s = ((sec % 86400) + 86400) % 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
}

function tcpFlags(f: number): string {
  let s = '';
  if (f & TcpFlag.FIN) s += 'F';
  if (f & TcpFlag.SYN) s += 'S';
  if (f & TcpFlag.RST) s += 'R';
  if (f & TcpFlag.PSH) s += 'P';
  if (f & TcpFlag.URG) s += 'U';
  if (f & TcpFlag.ECE) s += 'E';
  if (f & TcpFlag.CWR) s += 'W';
  if (f & TcpFlag.ACK) s += '.';
  return s === '' ? 'none' : s;
}

function tcpOptions(p: Packet): string {
  const o: string[] = [];
  if (p.mss !== 0) o.push(`mss ${p.mss}`);
  if (p.sackPermitted) o.push('sackOK');
  if (p.hasTimestamp) o.push(`TS val ${p.tsVal} ecr ${p.tsEcr}`);
  if (p.windowScale >= 0) o.push(`wscale ${p.windowScale}`);
  return o.length > 0 ? `, options [${o.join(',')}]` : '';
}

function endpoints(p: Packet, ports: boolean): string {
  const sep = '.';
  const src = p.srcAddr();
  const dst = p.dstAddr();
  return ports ? `${src}${sep}${p.srcPort} > ${dst}${sep}${p.dstPort}` : `${src} > ${dst}`;
}

function appSummary(p: Packet): string {
  const dns = p.dns();
  if (dns !== null) {
    const q = dns.questions[0];
    const what = q ? ` ${DNS_TYPE_NAMES[q.type] ?? `type${q.type}`}? ${q.name}.` : '';
    const len = ` (${p.payloadLen})`;
    if (!dns.response) return ` ${dns.id}${dns.flags & 0x0100 ? '+' : ''}${what}${len}`;
    const rcode = dns.rcode === 0 ? '' : dns.rcode === 3 ? ' NXDomain' : ` rcode ${dns.rcode}`;
    const ans = dns.answers.map((a) => `${DNS_TYPE_NAMES[a.type] ?? `type${a.type}`} ${a.data}`).join(', ');
    return ` ${dns.id}${rcode} ${dns.answerCount}/${dns.authorityCount}/${dns.additionalCount}${ans ? ` ${ans}` : ''}${len}`;
  }
  const http = p.http();
  if (http !== null) {
    return http.kind === 'request'
      ? `: HTTP: ${http.method} ${http.uri}${http.version ? ` ${http.version}` : ''}`
      : `: HTTP: ${http.version} ${http.statusCode}${http.reason ? ` ${http.reason}` : ''}`;
  }
  const tls = p.tlsClientHello();
  if (tls !== null) return `: TLS ClientHello${tls.serverName ? ` SNI ${tls.serverName}` : ''}`;
  const ssh = p.sshBanner();
  if (ssh !== null) return `: ${ssh.raw}`;
  return '';
}

/** The line for one packet level (and, after `: `, its inner packet). */
function levelSummary(p: Packet): string {
  const L = p.layers;
  let s = '';
  if (L & Layer.VLAN) s += `vlan ${p.vlanId}${p.vlanCount > 1 ? `, vlan ${p.vlanId2}` : ''}, `;
  if (L & Layer.ARP) {
    const spa = formatIPv4(u32(p.arpSenderIp), 0);
    const tpa = formatIPv4(u32(p.arpTargetIp), 0);
    if (p.arpOp === 1) s += `ARP, Request who-has ${tpa} tell ${spa}`;
    else if (p.arpOp === 2 && p.arpSenderMacOffset >= 0) {
      s += `ARP, Reply ${spa} is-at ${formatMac(p.buf, p.arpSenderMacOffset)}`;
    } else s += `ARP, opcode ${p.arpOp}`;
    return `${s}, length ${8 + 2 * (p.buf[p.l3Offset + 4] + p.buf[p.l3Offset + 5])}`;
  }
  if (p.ipVersion === 0) {
    if (p.malformed !== 0) return `${s}[malformed ${layerName(p.malformed)}]`;
    if (p.etherType !== 0)
      return `${s}ethertype 0x${p.etherType.toString(16).padStart(4, '0')}, length ${p.capLen}`;
    return `${s}${L & Layer.ETHERNET ? '802.3' : `link type ${p.linkType}`}, length ${p.capLen}`;
  }
  s += p.ipVersion === 4 ? 'IP ' : 'IP6 ';
  if (L & Layer.TCP) {
    s += `${endpoints(p, true)}: `;
    if (p.tcpHeaderLen >= 20 && p.malformed !== Layer.TCP) {
      s += `Flags [${tcpFlags(p.tcpFlags)}], seq ${p.seq}`;
      if (p.tcpFlags & TcpFlag.ACK) s += `, ack ${p.ack}`;
      s += `, win ${p.window}${tcpOptions(p)}, length ${p.payloadLen}`;
      s += appSummary(p);
    } else s += 'tcp (truncated)';
  } else if (L & Layer.UDP) {
    s += `${endpoints(p, true)}: `;
    const app = p.inner === null ? appSummary(p) : '';
    s += app !== '' ? app.replace(/^:? /, '') : `UDP, length ${p.payloadLen}`;
  } else if (L & Layer.ICMP) {
    s += `${endpoints(p, false)}: ICMP ${ICMP_NAMES[p.icmpType] ?? `type ${p.icmpType}`}`;
    if (p.icmpType === 0 || p.icmpType === 8) s += `, id ${p.icmpId}, seq ${p.icmpSeq}`;
    s += `, length ${p.l4Len}`;
  } else if (L & Layer.ICMPV6) {
    s += `${endpoints(p, false)}: ICMP6, ${ICMPV6_NAMES[p.icmpType] ?? `type ${p.icmpType}`}`;
    if (p.icmpType === 128 || p.icmpType === 129) s += `, id ${p.icmpId}, seq ${p.icmpSeq}`;
    s += `, length ${p.l4Len}`;
  } else if (L & Layer.GRE) {
    s += `${endpoints(p, false)}: GREv0, proto 0x${p.greProto.toString(16).padStart(4, '0')}, length ${p.l4Len}`;
  } else {
    s += `${endpoints(p, false)}: ${L & Layer.FRAGMENT ? `frag (id ${p.ipId}, offset ${p.fragOffset})` : `ip-proto-${p.ipProto}`}, length ${p.l4Len}`;
  }
  if (p.malformed !== 0 && p.malformed !== Layer.TCP) s += ` [malformed ${layerName(p.malformed)}]`;
  if (p.inner !== null) {
    const kind =
      p.innerKind === Encap.VXLAN
        ? `VXLAN, vni ${p.vni}: `
        : p.innerKind === Encap.GENEVE
          ? `Geneve, vni ${p.vni}: `
          : '';
    s +=
      p.innerKind === Encap.ICMP_QUOTE
        ? ` (quoting ${levelSummary(p.inner)})`
        : `: ${kind}${levelSummary(p.inner)}`;
  }
  return s;
}

function layerName(bit: number): string {
  for (const [k, v] of Object.entries(Layer)) if (v === bit) return k.toLowerCase();
  return 'unknown';
}

function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** The tcpdump-like line of a decoded packet (time, then the protocol summary). */
export function summaryLine(p: Packet): string {
  return `${timeOfDay(p.tsSec, p.tsNsec)} ${levelSummary(p)}`;
}
