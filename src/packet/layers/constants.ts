/**
 * Numbers shared by the layer decoders: layer bits (a packet's `layers` mask, its `malformed`
 * layer, and the decoder's "next layer" codes), EtherTypes, IP protocol numbers.
 */

/** One bit per layer the decoder knows. A packet's `layers` is the OR of those it decoded. */
export const Layer = {
  NONE: 0,
  ETHERNET: 1 << 0,
  VLAN: 1 << 1,
  /** Linux cooked capture v1 or v2. */
  SLL: 1 << 2,
  /** BSD loopback / NULL (an address-family word before the IP header). */
  LOOPBACK: 1 << 3,
  ARP: 1 << 4,
  IPV4: 1 << 5,
  IPV6: 1 << 6,
  TCP: 1 << 7,
  UDP: 1 << 8,
  ICMP: 1 << 9,
  ICMPV6: 1 << 10,
  GRE: 1 << 11,
  VXLAN: 1 << 12,
  /** An IPv6 fragment header was seen, or the IPv4 header says fragment. */
  FRAGMENT: 1 << 13,
  /** IPv6 ESP: decoding stops there (encrypted). */
  ESP: 1 << 14,
  PPPOE: 1 << 15,
  MPLS: 1 << 16,
  /** Bytes after the last decoded header that no decoder claimed. */
  PAYLOAD: 1 << 17,
  /** GTP-U (UDP 2152): mobile core tunnels. */
  GTP: 1 << 18,
  /** Geneve (UDP 6081): cloud overlay tunnels. */
  GENEVE: 1 << 19,
  /** Teredo (UDP 3544): IPv6 over UDP over IPv4. */
  TEREDO: 1 << 20,
  /** Cisco HDLC link layer. */
  CHDLC: 1 << 21,
  /** PPP link layer (LINKTYPE_PPP). */
  PPP: 1 << 22,
  /** Network Service Header (service function chaining). */
  NSH: 1 << 23,
} as const;

/** Names of the layer bits, for messages and `--stats`. */
export const LAYER_NAMES: Record<number, string> = {
  [Layer.ETHERNET]: 'eth',
  [Layer.VLAN]: 'vlan',
  [Layer.SLL]: 'sll',
  [Layer.LOOPBACK]: 'null',
  [Layer.ARP]: 'arp',
  [Layer.IPV4]: 'ip',
  [Layer.IPV6]: 'ipv6',
  [Layer.TCP]: 'tcp',
  [Layer.UDP]: 'udp',
  [Layer.ICMP]: 'icmp',
  [Layer.ICMPV6]: 'icmpv6',
  [Layer.GRE]: 'gre',
  [Layer.VXLAN]: 'vxlan',
  [Layer.FRAGMENT]: 'fragment',
  [Layer.ESP]: 'esp',
  [Layer.PPPOE]: 'pppoe',
  [Layer.MPLS]: 'mpls',
  [Layer.PAYLOAD]: 'payload',
  [Layer.GTP]: 'gtp',
  [Layer.GENEVE]: 'geneve',
  [Layer.TEREDO]: 'teredo',
  [Layer.CHDLC]: 'chdlc',
  [Layer.PPP]: 'ppp',
  [Layer.NSH]: 'nsh',
};

/** Why a packet holds an inner packet (`Packet.inner`). */
export const Encap = {
  NONE: 0,
  /** GRE-encapsulated IP or Ethernet (transparent bridging). */
  GRE: 1,
  /** VXLAN (UDP 4789): an inner Ethernet frame. */
  VXLAN: 2,
  /** IP in IP: IPv4 or IPv6 carried as IP protocol 4 or 41. */
  IP_IN_IP: 3,
  /**
   * The start of the datagram an ICMP/ICMPv6 error quotes. Not traffic: flow engines skip it;
   * it is decoded because detectors and tshark parity want its addresses and ports.
   */
  ICMP_QUOTE: 4,
  /** GTP-U G-PDU: an IP packet of a mobile subscriber. */
  GTP: 5,
  /** Geneve: an inner Ethernet frame or IP packet. */
  GENEVE: 6,
  /** Teredo: an IPv6 packet in UDP. */
  TEREDO: 7,
} as const;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  /** Pre-standard 802.1ad tag still sent by some switches. */
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
  PPPOE_SESSION: 0x8864,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  /** Network Service Header. */
  NSH: 0x894f,
  /** GRE: Ethernet bridged over GRE. */
  TRANSPARENT_ETHERNET: 0x6558,
} as const;

export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  MOBILITY: 135,
} as const;

/** TCP flag bits as in `Packet.tcpFlags` (the 12 bits tshark prints as tcp.flags). */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** NS (RFC 3540, historic), now AE (accurate ECN). */
  AE: 0x100,
} as const;

/** Deepest tunnel nesting the decoder follows; deeper packets stop with their payload. */
export const MAX_DEPTH = 4;

/** Most VLAN tags the decoder walks through before calling the frame malformed. */
export const MAX_VLAN_TAGS = 8;

/** Most IPv6 extension headers it follows; more is an attack, not a packet. */
export const MAX_IPV6_EXT_HEADERS = 16;
