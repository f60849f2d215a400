/**
 * The syntax tree of a capture-filter expression, as the parser builds it and before any link
 * type is known. Qualifiers are already resolved: `host a or b` gives two primitives that both
 * carry `host`, exactly as libpcap's grammar hands the previous qualifiers to a bare id.
 */

/** Protocol qualifiers (libpcap's Q_* for `pqual`); `link` covers ether/ppp/slip/fddi/tr/wlan. */
export type ProtoQual =
  | 'default'
  | 'undef'
  | 'link'
  | 'ip'
  | 'arp'
  | 'rarp'
  | 'sctp'
  | 'tcp'
  | 'udp'
  | 'icmp'
  | 'igmp'
  | 'igrp'
  | 'pim'
  | 'vrrp'
  | 'carp'
  | 'atalk'
  | 'aarp'
  | 'decnet'
  | 'lat'
  | 'sca'
  | 'moprc'
  | 'mopdl'
  | 'ip6'
  | 'icmp6'
  | 'ah'
  | 'esp'
  | 'iso'
  | 'esis'
  | 'isis'
  | 'l1'
  | 'l2'
  | 'iih'
  | 'lsp'
  | 'snp'
  | 'csnp'
  | 'psnp'
  | 'clnp'
  | 'stp'
  | 'ipx'
  | 'netbeui'
  | 'radio';

/** Direction qualifiers: `src or dst` is `or`, `src and dst` is `and`. */
export type DirQual = 'default' | 'undef' | 'src' | 'dst' | 'or' | 'and';

/** Address-type qualifiers. */
export type AddrQual = 'default' | 'undef' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'gateway';

export interface Qual {
  proto: ProtoQual;
  dir: DirQual;
  addr: AddrQual;
}

/** libpcap's `qerr`: what a bare id inherits after a term that carries no qualifiers. */
export const QUAL_UNDEF: Qual = Object.freeze({ proto: 'undef', dir: 'undef', addr: 'undef' });

/** The value a qualified primitive applies to. */
export type IdValue =
  | { kind: 'name'; text: string }
  | { kind: 'number'; value: number }
  /** Dotted IPv4 of 2 to 4 parts, optionally `/prefix` or `mask a.b.c.d`. */
  | { kind: 'ipv4'; text: string; prefix?: number; mask?: string }
  | { kind: 'ipv6'; text: string; prefix?: number }
  | { kind: 'mac'; text: string }
  | { kind: 'arcnet'; text: string };

interface At {
  /** Offset of the primitive's first character in the expression. */
  pos: number;
  /** Offset just after its last character. */
  end: number;
}

/** Relations as written; libpcap turns `<=`, `<`, `!=` into negated `>`, `>=`, `==`. */
export type RelOp = '>' | '>=' | '=' | '<=' | '<' | '!=';

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Arith =
  | ({ type: 'number'; value: number } & At)
  | ({ type: 'len' } & At)
  /** `proto[index]` or `proto[index:size]`. */
  | ({ type: 'load'; proto: ProtoQual; index: Arith; size: number } & At)
  | ({ type: 'binary'; op: ArithOp; left: Arith; right: Arith } & At)
  | ({ type: 'negate'; operand: Arith } & At);

export type FilterNode =
  | ({ type: 'and' | 'or'; left: FilterNode; right: FilterNode } & At)
  | ({ type: 'not'; operand: FilterNode } & At)
  /** `host 10.0.0.1`, `tcp dst port 80`, `ether src aa:bb:..`, `ip proto 6`, or a bare id. */
  | ({ type: 'qualified'; qual: Qual; id: IdValue } & At)
  /** A protocol name alone: `tcp`, `ip6`, `arp`. */
  | ({ type: 'proto'; proto: ProtoQual } & At)
  | ({ type: 'relation'; op: RelOp; left: Arith; right: Arith } & At)
  | ({ type: 'broadcast' | 'multicast'; proto: ProtoQual } & At)
  | ({ type: 'less' | 'greater'; value: number } & At)
  | ({ type: 'byte'; index: number; op: '=' | '<' | '>'; value: number } & At)
  | ({ type: 'inbound' | 'outbound' } & At)
  | ({ type: 'ifindex'; value: number } & At)
  /** `vlan` or `vlan N`: checks for a VLAN tag and moves every later offset past it. */
  | ({ type: 'vlan'; id: number | null } & At);

/** A parsed expression; `root` is null for the empty expression, which matches every packet. */
export interface FilterAst {
  expression: string;
  root: FilterNode | null;
}
