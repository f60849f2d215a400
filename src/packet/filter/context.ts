/** What the primitive generators share: the link layer being compiled for and its offsets. */
import type { ProtoQual } from './ast.js';
import type { Cond } from './ir.js';
import type { LinkState } from './link.js';

export const IPPROTO = {
  ICMP: 1,
  IGMP: 2,
  TCP: 6,
  IGRP: 9,
  UDP: 17,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  PIM: 103,
  VRRP: 112,
  SCTP: 132,
} as const;

/** The compiler as the generators in other files see it (implemented by Gencode). */
export interface GenContext extends LinkState {
  /** Throws FILTER_SYNTAX at `pos`: libpcap refuses this. */
  err(pos: number, msg: string): never;
  /** Throws FILTER_UNSUPPORTED at `pos`. */
  unsupported(pos: number, what: string, hint?: string): never;
  /** The packet carries this link-layer protocol (gen_linktype). */
  linktype(proto: number): Cond;
  /** The packet is of this protocol (gen_proto_abbrev: `tcp`, `ip6`...). */
  protoAbbrev(proto: ProtoQual, pos: number): Cond;
}
