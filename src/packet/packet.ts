/**
 * A decoded packet, gopacket style: the decoder overwrites one `Packet` in place for every frame.
 * Every field is a number (or boolean) or an offset into `buf`; nothing is allocated while
 * decoding. Strings (addresses) are made only when a formatting method is called, and the
 * application layer (DNS, HTTP, TLS, SSH) is parsed only when asked.
 *
 * Validity: the fields of a layer are meaningful only when its bit is set in `layers`; fields
 * of layers the packet does not have keep stale values from an earlier packet. The object is
 * reused: copy what you keep beyond the next `decode` call.
 */
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { Encap, Layer } from './layers/constants.js';
import { type DnsMessage, parseDns } from './layers/dns.js';
import { type HttpMessage, parseHttp } from './layers/http.js';
import { parseSshBanner, type SshBanner } from './layers/ssh.js';
import { parseTlsClientHello, type TlsClientHello } from './layers/tls.js';

const EMPTY = new Uint8Array(0);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Ports on which the payload is DNS (DNS, mDNS, LLMNR use the same message format). */
export const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);
/** SSDP: HTTP over UDP. HTTP is read from UDP datagrams on this port only. */
const SSDP_PORT = 1900;
const NO_HTTP: HttpMessage[] = [];
/**
 * TCP ports where a request line without a version (HTTP/0.9, or cut by the segment end) is
 * still taken as HTTP: tshark's HTTP port list.
 */
const HTTP_PORTS = new Set([80, 1900, 2710, 2869, 3128, 3132, 5985, 8080, 8088, 11371]);

export class Packet {
  // ---- frame ------------------------------------------------------------------------------
  /** The bytes: every offset below indexes this array (a shared read buffer, not the frame alone). */
  buf: Uint8Array = EMPTY;
  /** A DataView of `buf` (made once per buffer, not per packet). */
  dv: DataView = new DataView(EMPTY.buffer);
  /** Where the frame begins in `buf`. */
  frameOffset = 0;
  /** Captured bytes of the frame (frame.cap_len). */
  capLen = 0;
  /** Length on the wire (frame.len). */
  origLen = 0;
  tsSec = 0;
  tsNsec = 0;
  linkType = 1;
  ifIndex = 0;
  /** 1-based position in the capture, counted by the decoder (frame.number). */
  frameNumber = 0;

  // ---- decoding state ---------------------------------------------------------------------
  /** OR of the `Layer` bits decoded in this packet (this level only; see `inner`). */
  layers = 0;
  /** The `Layer` bit of the header that was cut short or contradicted itself; 0 if none. */
  malformed = 0;
  /** Nesting level: 0 for the frame, 1 for a packet inside a tunnel, ... */
  depth = 0;
  /**
   * End of this packet's bytes in `buf`: the end of the capture, brought in by the IP (or
   * PPPoE) length so that link padding is not taken for payload.
   */
  end = 0;
  /**
   * End of this packet on the wire, as an offset in `buf` (may lie past `buf`'s data when the
   * snaplen cut the frame): the frame's original length, brought in by the IP length. Lengths
   * "on the wire" (l4Len, payloadLen) are measured against it, as tshark does.
   */
  wireEnd = 0;
  /** Decoder working state: where the next header begins. */
  nextOffset = 0;

  // ---- link ---------------------------------------------------------------------------------
  /** Protocol of the link payload as an EtherType, whatever the link type (0x0800, 0x86dd...). */
  etherType = 0;
  /** Offset of the 6-byte source MAC (Ethernet, SLL with a 6-byte address), or -1. */
  macSrcOffset = -1;
  /** Offset of the 6-byte destination MAC (Ethernet), or -1. */
  macDstOffset = -1;
  /** Number of 802.1Q/802.1ad tags. */
  vlanCount = 0;
  /** VLAN id of the outermost tag. */
  vlanId = 0;
  /** VLAN id of the second tag (QinQ inner), when vlanCount >= 2. */
  vlanId2 = 0;
  /** PCP (priority) of the outermost tag. */
  vlanPriority = 0;
  /** Tag protocol (0x8100 802.1Q, 0x88a8 802.1ad, 0x9100) of the outermost and second tags. */
  vlanTpid = 0;
  vlanTpid2 = 0;

  // ---- ARP ----------------------------------------------------------------------------------
  arpOp = 0;
  /** The ARP packet maps IPv4 addresses (protocol type 0x0800, length 4). */
  arpIpv4 = false;
  /** Sender / target protocol addresses as uint32 (IPv4 over Ethernet ARP only). */
  arpSenderIp = 0;
  arpTargetIp = 0;
  /** Offsets of the sender / target hardware addresses (6 bytes), -1 if not Ethernet ARP. */
  arpSenderMacOffset = -1;
  arpTargetMacOffset = -1;

  // ---- IP (v4 or v6) ------------------------------------------------------------------------
  /** Offset of the IP header. */
  l3Offset = 0;
  /** 4 or 6 when an IP header was decoded, else 0. */
  ipVersion = 0;
  /** IPv4: IHL*4. IPv6: 40 plus every extension header before the upper layer. */
  ipHeaderLen = 0;
  /** IPv4 total length; IPv6: 40 + payload length (both from the header, not the capture). */
  ipLen = 0;
  /** Upper-layer protocol (IPv6: after the extension headers; ESP stops there: 50). */
  ipProto = 0;
  /** IPv6: the fixed header's next-header field (ipv6.nxt). IPv4: same as ipProto. */
  ipNextHeader = 0;
  /** TTL / hop limit. */
  ttl = 0;
  /** IPv4 TOS / IPv6 traffic class. */
  tos = 0;
  /** IPv6 flow label. */
  flowLabel = 0;
  /** IPv4 identification, or the IPv6 fragment header's identification. */
  ipId = 0;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes (the header field times 8). */
  fragOffset = 0;
  /** IPv6 extension headers seen before the upper layer: OR of `Ipv6Ext` bits (HOPOPTS, ROUTING, FRAGMENT...). */
  ipv6Ext = 0;
  /** IPv4 source / destination as uint32 (valid when ipVersion is 4). */
  src4 = 0;
  dst4 = 0;
  /** Offsets of the source / destination address bytes (4 or 16 bytes) in `buf`. */
  srcOffset = 0;
  dstOffset = 0;
  /** IPv6 source / destination as four big-endian uint32 words (valid when ipVersion is 6). */
  readonly src6 = new Uint32Array(4);
  readonly dst6 = new Uint32Array(4);

  // ---- L4 -----------------------------------------------------------------------------------
  /** Offset of the transport header. */
  l4Offset = 0;
  /** Bytes of the IP payload according to the IP header (the transport segment on the wire). */
  l4Len = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags, 12 bits (see TcpFlag). */
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  /** Raw window field (not scaled). */
  window = 0;
  tcpHeaderLen = 0;
  urgentPointer = 0;
  /** TCP options (set on every TCP packet: absent options are 0 / -1 / false). */
  mss = 0;
  windowScale = -1;
  sackPermitted = false;
  hasTimestamp = false;
  tsVal = 0;
  tsEcr = 0;
  /** UDP length field. */
  udpLength = 0;
  icmpType = 0;
  icmpCode = 0;
  /** Identifier and sequence of echo request/reply (0 otherwise). */
  icmpId = 0;
  icmpSeq = 0;

  // ---- payload ------------------------------------------------------------------------------
  /** Offset of the L4 payload (after the TCP/UDP/ICMP header), or of what follows the last header. */
  payloadOffset = 0;
  /** Payload length according to the headers (tcp.len for TCP): what was on the wire. */
  payloadLen = 0;
  /** Payload bytes actually captured (<= payloadLen when the snaplen cut the packet). */
  payloadCapLen = 0;

  // ---- tunnels ------------------------------------------------------------------------------
  /** GRE protocol type (an EtherType). */
  greProto = 0;
  /** VXLAN network identifier. */
  vni = 0;
  /** Why `inner` is set (Encap.*), 0 when it is not. */
  innerKind = 0;
  /** The packet inside a tunnel or quoted by an ICMP error, or null. */
  inner: Packet | null = null;
  /** For an inner packet: why it is inside its outer packet (the outer's innerKind); 0 at depth 0. */
  outerKind = 0;
  /** The packet this one is inside of, or null at depth 0. */
  outer: Packet | null = null;

  /** Generation of the cached application-layer results (bumped on each decode). */
  private appGen = 0;
  private dnsGen = -1;
  private dnsVal: DnsMessage | null = null;
  private httpGen = -1;
  private httpVal: HttpMessage[] = NO_HTTP;
  private tlsGen = -1;
  private tlsVal: TlsClientHello | null = null;

  /** Forgets cached application-layer results; the decoder calls it for every packet. */
  resetApp(): void {
    this.appGen++;
  }

  /** The innermost packet (this one when there is no tunnel). ICMP quotes are not followed. */
  innermost(): Packet {
    let p: Packet = this;
    while (p.inner !== null && p.innerKind !== Encap.ICMP_QUOTE) p = p.inner;
    return p;
  }

  has(layer: number): boolean {
    return (this.layers & layer) !== 0;
  }

  // ---- formatting (allocates: for output, not for the hot path) -----------------------------

  srcAddr(): string {
    if (this.ipVersion === 4) return formatIPv4(this.buf, this.srcOffset);
    if (this.ipVersion === 6) return formatIPv6(this.buf, this.srcOffset);
    return '';
  }

  dstAddr(): string {
    if (this.ipVersion === 4) return formatIPv4(this.buf, this.dstOffset);
    if (this.ipVersion === 6) return formatIPv6(this.buf, this.dstOffset);
    return '';
  }

  srcMac(): string {
    return this.macSrcOffset < 0 ? '' : formatMac(this.buf, this.macSrcOffset);
  }

  dstMac(): string {
    return this.macDstOffset < 0 ? '' : formatMac(this.buf, this.macDstOffset);
  }

  /** The captured frame as a fresh view (allocates one view). */
  frame(): Uint8Array {
    return this.buf.subarray(this.frameOffset, this.frameOffset + this.capLen);
  }

  /** The captured L4 payload as a fresh view (allocates one view). */
  payload(): Uint8Array {
    return this.buf.subarray(this.payloadOffset, this.payloadOffset + this.payloadCapLen);
  }

  // ---- application layer, parsed on demand and cached until the next packet -----------------

  /**
   * The DNS message (DNS, mDNS, LLMNR: UDP or TCP port 53, 5353, 5355), or null if the packet
   * carries none or it does not parse.
   */
  dns(): DnsMessage | null {
    if (this.dnsGen !== this.appGen) {
      this.dnsGen = this.appGen;
      this.dnsVal = null;
      const tcp = (this.layers & Layer.TCP) !== 0;
      const udp = (this.layers & Layer.UDP) !== 0;
      if (
        (tcp || udp) &&
        this.payloadCapLen > 0 &&
        (DNS_PORTS.has(this.srcPort) || DNS_PORTS.has(this.dstPort))
      ) {
        this.dnsVal = parseDns(this.buf, this.payloadOffset, this.payloadCapLen, tcp);
      }
    }
    return this.dnsVal;
  }

  /**
   * The HTTP/1.x request or response heads in this TCP segment (any port) or SSDP datagram
   * (UDP port 1900), in order: pipelined messages give several. Empty when there is none.
   */
  httpMessages(): HttpMessage[] {
    if (this.httpGen !== this.appGen) {
      this.httpGen = this.appGen;
      this.httpVal = NO_HTTP;
      const L = this.layers;
      if (
        this.payloadCapLen > 0 &&
        ((L & Layer.TCP) !== 0 ||
          ((L & Layer.UDP) !== 0 && (this.srcPort === SSDP_PORT || this.dstPort === SSDP_PORT)))
      ) {
        const onHttpPort = HTTP_PORTS.has(this.srcPort) || HTTP_PORTS.has(this.dstPort);
        this.httpVal = parseHttp(this.buf, this.payloadOffset, this.payloadCapLen, !onHttpPort);
      }
    }
    return this.httpVal;
  }

  /** The first HTTP/1.x message head of the payload (see {@link httpMessages}), or null. */
  http(): HttpMessage | null {
    const all = this.httpMessages();
    return all.length > 0 ? all[0] : null;
  }

  /** The TLS ClientHello (SNI, ALPN...) that begins this TCP segment (any port), or null. */
  tlsClientHello(): TlsClientHello | null {
    if (this.tlsGen !== this.appGen) {
      this.tlsGen = this.appGen;
      this.tlsVal = null;
      if ((this.layers & Layer.TCP) !== 0 && this.payloadCapLen > 0) {
        this.tlsVal = parseTlsClientHello(this.buf, this.payloadOffset, this.payloadCapLen);
      }
    }
    return this.tlsVal;
  }

  /** The SSH identification line ("SSH-2.0-OpenSSH_9.2p1 ...") that begins this TCP segment, or null. */
  sshBanner(): SshBanner | null {
    if ((this.layers & Layer.TCP) === 0 || this.payloadCapLen === 0) return null;
    return parseSshBanner(this.buf, this.payloadOffset, this.payloadCapLen);
  }
}

/** `aa:bb:cc:dd:ee:ff` from 6 bytes at `off`. */
export function formatMac(b: Uint8Array, off: number): string {
  return `${HEX[b[off]]}:${HEX[b[off + 1]]}:${HEX[b[off + 2]]}:${HEX[b[off + 3]]}:${HEX[b[off + 4]]}:${HEX[b[off + 5]]}`;
}
