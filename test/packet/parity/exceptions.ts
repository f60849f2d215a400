/**
 * The known differences between `packetFields()` and `tshark -T fields` over the corpus, each
 * with its reason. A difference that matches none of these fails the parity test, and an entry
 * that no longer matches anything fails it too, so this list stays true.
 */
import { Encap, Layer } from '../../../src/packet/layers/constants.js';
import type { Packet } from '../../../src/packet/packet.js';

export interface Mismatch {
  field: string;
  ours: string;
  theirs: string;
  /** tshark's frame.protocols for the packet, e.g. "eth:ethertype:ip:tcp:http". */
  protos: string;
  packet: Packet;
}

export interface KnownException {
  name: string;
  reason: string;
  matches(m: Mismatch): boolean;
}

const has = (protos: string, name: string) => protos.split(':').includes(name);
const innermost = (p: Packet) => {
  let q = p;
  while (q.inner !== null) q = q.inner;
  return q;
};
const APP_FIELDS = /^(http|tls|dns)\./;

export const KNOWN_EXCEPTIONS: KnownException[] = [
  {
    name: 'unsupported link type',
    reason:
      'Cisco HDLC and PPP captures (nfstream BGP samples, a suricata-verify test): not among the link ' +
      'types Sentra decodes (Ethernet, raw IP, SLL/SLL2, NULL/LOOP), so every field below the link differs',
    matches: (m) => has(m.protos, 'chdlc') || m.protos.startsWith('ppp'),
  },
  {
    name: 'unsupported encapsulation',
    reason:
      'tshark decodes encapsulations Sentra does not: Cisco FabricPath (EtherType 0x8903), NSH ' +
      '(0x894f), CAPWAP data carrying 802.11 frames; Sentra stops at them and keeps the bytes as payload',
    matches: (m) => has(m.protos, 'cfp') || has(m.protos, 'nsh') || has(m.protos, 'capwap.data'),
  },
  {
    name: 'QUIC is encrypted',
    reason:
      'tshark derives the QUIC Initial keys and decrypts the ClientHello (SNI) and DNS over QUIC; ' +
      'Sentra reads TLS only from TCP and does not decrypt QUIC',
    matches: (m) => has(m.protos, 'quic') && APP_FIELDS.test(m.field) && m.ours === '',
  },
  {
    name: 'DNS inside HTTP/2',
    reason: 'DNS over HTTPS test captures in cleartext HTTP/2 (h2c): Sentra does not decode HTTP/2 frames',
    matches: (m) => has(m.protos, 'http2') && m.field.startsWith('dns.') && m.ours === '',
  },
  {
    name: 'DNS on a non-DNS port',
    reason:
      "tshark's heuristics find DNS on UDP 443 (Avast secure DNS); Sentra reads DNS on ports 53, 5353 " +
      'and 5355 only, where it cannot be mistaken for another protocol',
    matches: (m) => {
      const p = innermost(m.packet);
      return (
        has(m.protos, 'dns') &&
        m.field.startsWith('dns.') &&
        m.ours === '' &&
        ![53, 5353, 5355].includes(p.srcPort) &&
        ![53, 5353, 5355].includes(p.dstPort)
      );
    },
  },
  {
    name: 'another protocol owns the port',
    reason:
      'HTTP requests or a TLS hello sent to a port tshark assigns to another protocol (22 ssh, 53 dns, ' +
      '3389 tpkt): tshark dissects by port, Sentra recognises HTTP and TLS by their content',
    matches: (m) =>
      /^(http|tls)\./.test(m.field) &&
      m.theirs === '' &&
      (has(m.protos, 'ssh') || has(m.protos, 'dns') || has(m.protos, 'tpkt')),
  },
  {
    name: 'HTTP headers without a request line',
    reason:
      'A segment that continues an HTTP head (header lines only): tshark knows from the earlier ' +
      'segments of the connection that it is HTTP; Sentra reads each segment on its own',
    matches: (m) => {
      const p = innermost(m.packet);
      const first = Buffer.from(p.payload()).toString('latin1').split(/\r?\n/)[0];
      return (
        m.field.startsWith('http.') && m.ours === '' && p.http() === null && /^[A-Za-z0-9-]+:/.test(first)
      );
    },
  },
  {
    name: 'HTTP status-line evasions',
    reason:
      "suricata-verify's evasion tests put a NUL inside the version or letters in the status code; " +
      "tshark's C-string parsing reads some of them differently",
    matches: (m) => {
      if (m.field !== 'http.response.code') return false;
      const p = innermost(m.packet);
      const line = Buffer.from(p.payload()).toString('latin1').split('\r\n')[0];
      return line.startsWith('HTTP/') && (line.includes('\0') || !/^HTTP\/\S+ +\d{3}( |$)/.test(line));
    },
  },
  {
    name: 'TLS ClientHello split over segments',
    reason:
      'tshark without reassembly shows no handshake when the hello continues in the next segment; ' +
      'Sentra reads the server name from the part in the first segment',
    matches: (m) => {
      const h = innermost(m.packet).tlsClientHello();
      return (
        m.field === 'tls.handshake.extensions_server_name' && m.theirs === '' && h !== null && !h.complete
      );
    },
  },
  {
    name: 'IPv4 source routing',
    reason:
      'With a loose/strict source-route option tshark reports the final hop of the route as ip.dst; ' +
      "Sentra reports the header's destination (the next hop), the address the packet is sent to",
    matches: (m) => {
      const p = m.packet;
      if (m.field !== 'ip.dst' || p.ipVersion !== 4 || p.ipHeaderLen <= 20) return false;
      const b = p.buf;
      for (let o = p.l3Offset + 20; o < p.l3Offset + p.ipHeaderLen; ) {
        const t = b[o];
        if (t === 0x83 || t === 0x89) return true;
        if (t === 0) return false;
        o += t === 1 ? 1 : Math.max(2, b[o + 1]);
      }
      return false;
    },
  },
  {
    name: 'TCP quoted by an ICMP redirect',
    reason: 'tshark decodes only the ports of the TCP header quoted by an ICMP redirect (type 5)',
    matches: (m) => {
      const q = innermost(m.packet);
      return (
        m.field.startsWith('tcp.') &&
        m.theirs === '' &&
        q.outerKind === Encap.ICMP_QUOTE &&
        q.outer !== null &&
        (q.outer.layers & Layer.ICMP) !== 0 &&
        q.outer.icmpType === 5
      );
    },
  },
  {
    name: 'impossible frame length',
    reason: 'A fuzzed nfstream file claims a 4 GB frame; tshark caps frame.len at 2^31-1',
    matches: (m) => m.field === 'frame.len' && Number(m.ours) > 2147483647,
  },
];
