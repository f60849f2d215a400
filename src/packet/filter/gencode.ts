/**
 * From syntax tree to tests on packet bytes for one link type, following libpcap 1.10's
 * gencode.c primitive by primitive, so that a filter matches exactly the packets tcpdump's does:
 *
 * - `host`/`net` with an IPv4 address test IPv4, ARP and RARP; with an IPv6 address, IPv6.
 * - `port`/`portrange` test TCP, UDP and SCTP over IPv4 (first fragment only) and IPv6 (the
 *   next header right after the fixed header; extension headers are not followed).
 * - `tcp`, `udp`, `sctp`, `ip6 proto N` also accept an IPv6 fragment header before the protocol.
 * - `tcp[..]`, `udp[..]`, `icmp[..]` read IPv4 only (first fragment), after the IPv4 header
 *   length; `icmp6[..]` reads IPv6 with next header 58, 40 bytes in.
 * - In `a OP b` arithmetic only the left operand's protocol checks are kept (libpcap's gen_arth
 *   drops the right one's): `tcp[0] + ip6[0] > 0` checks TCP only.
 * - `vlan` shifts every offset after it, in the order the expression is written.
 * The primitives are compiled left to right, which is the order yacc reduces them in.
 */
import type { Arith, FilterNode, IdValue, ProtoQual, Qual } from './ast.js';
import { filterSyntaxError, filterUnsupportedError } from './errors.js';
import {
  type AluOp,
  alu,
  and,
  type Cond,
  cmp,
  constValue,
  imm,
  jmp,
  ld,
  ldx,
  not,
  or,
  type Val,
} from './ir.js';
import { ETHERTYPE, genLinktype, type LinkInfo, type LinkState, LLCSAP } from './link.js';
import { lookupEtherProto, lookupIpProto, lookupPort, lookupPortRange, type PortProto } from './names.js';

const IPPROTO = {
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

const ALU_OPS: Readonly<Record<string, AluOp>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '&': 'and',
  '|': 'or',
  '^': 'xor',
  '<<': 'lsh',
  '>>': 'rsh',
};

/** Protocols whose `proto[x]` is relative to the network header. */
const NETWORK_LOAD = new Set<ProtoQual>([
  'ip',
  'arp',
  'rarp',
  'atalk',
  'decnet',
  'sca',
  'lat',
  'moprc',
  'mopdl',
  'ip6',
]);
/** Protocols whose `proto[x]` is relative to the transport header after an IPv4 header. */
const TRANSPORT_LOAD = new Set<ProtoQual>([
  'sctp',
  'tcp',
  'udp',
  'icmp',
  'igmp',
  'igrp',
  'pim',
  'vrrp',
  'carp',
]);
/** ISO/IS-IS qualifiers: valid libpcap, not implemented here. */
const ISO_PROTOS = new Set<ProtoQual>([
  'esis',
  'isis',
  'l1',
  'l2',
  'iih',
  'lsp',
  'snp',
  'csnp',
  'psnp',
  'clnp',
]);

/** Protocols whose host filtering libpcap refuses with its own wording. */
const HOST_NOT_IMPLEMENTED: Partial<Record<ProtoQual, string>> = {
  atalk: 'AppleTalk',
  aarp: 'AARP',
  iso: 'ISO',
  ipx: 'IPX',
  lat: 'LAT',
  sca: 'SCA',
  moprc: 'MOPRC',
  mopdl: 'MOPDL',
};

interface ArithCode {
  val: Val;
  /** Protocol checks that must pass before the value is computed. */
  guard: Cond | null;
}

export class Gencode implements LinkState {
  offLinkType: number;
  offLinkPl: number;

  constructor(
    private readonly expr: string,
    readonly info: LinkInfo,
  ) {
    this.offLinkType = info.offLinkType;
    this.offLinkPl = info.offLinkPl;
  }

  private err(pos: number, msg: string): never {
    throw filterSyntaxError(this.expr, pos, msg);
  }

  private unsupported(pos: number, what: string, hint?: string): never {
    throw filterUnsupportedError(this.expr, pos, what, hint);
  }

  compile(n: FilterNode): Cond {
    switch (n.type) {
      case 'and': {
        const a = this.compile(n.left);
        return and(a, this.compile(n.right));
      }
      case 'or': {
        const a = this.compile(n.left);
        return or(a, this.compile(n.right));
      }
      case 'not':
        return not(this.compile(n.operand));
      case 'qualified':
        return this.qualified(n.qual, n.id, n.pos);
      case 'proto':
        return this.protoAbbrev(n.proto, n.pos);
      case 'relation':
        return this.relation(n.op, n.left, n.right);
      case 'broadcast':
        return this.broadcast(n.proto, n.pos);
      case 'multicast':
        return this.multicast(n.proto, n.pos);
      case 'less':
        return not(jmp('gt', { k: 'len' }, imm(n.value)));
      case 'greater':
        return jmp('ge', { k: 'len' }, imm(n.value));
      case 'byte': {
        const b = ld(1, n.index);
        if (n.op === '=') return jmp('eq', b, imm(n.value));
        if (n.op === '>') return jmp('gt', b, imm(n.value));
        return not(jmp('ge', b, imm(n.value)));
      }
      case 'inbound':
      case 'outbound':
        return this.direction(n.type === 'outbound', n.pos);
      case 'ifindex':
        if (this.info.kind !== 'sll2')
          this.err(n.pos, `ifindex not supported on ${this.info.name} when reading savefiles`);
        return cmp(4, 4, n.value);
      case 'vlan':
        return this.vlan(n.id, n.pos);
    }
  }

  // --- link layer ------------------------------------------------------------------------

  private linktype(proto: number): Cond {
    return genLinktype(this, proto);
  }

  private vlan(id: number | null, pos: number): Cond {
    if (this.info.kind !== 'ether') this.err(pos, `no VLAN support for ${this.info.name}`);
    let b = or(
      or(this.linktype(ETHERTYPE.VLAN), this.linktype(ETHERTYPE.QINQ_8021AD)),
      this.linktype(ETHERTYPE.QINQ_9100),
    );
    if (id !== null) {
      if (id > 0x0fff) this.err(pos, `VLAN tag ${id} greater than maximum 4095`);
      b = and(b, cmp(2, this.offLinkPl, id, 0x0fff));
    }
    // everything after `vlan` in the expression looks past the tag
    this.offLinkPl += 4;
    this.offLinkType += 4;
    return b;
  }

  private direction(outbound: boolean, pos: number): Cond {
    let out: Cond;
    if (this.info.kind === 'sll') out = cmp(2, 0, 4);
    else if (this.info.kind === 'sll2') out = cmp(1, 10, 4);
    else this.err(pos, `inbound/outbound not supported on ${this.info.name} when reading savefiles`);
    return outbound ? out : not(out);
  }

  private broadcast(proto: ProtoQual, pos: number): Cond {
    if (proto === 'default' || proto === 'link') {
      if (this.info.kind !== 'ether') this.err(pos, 'not a broadcast link');
      return this.ehostop([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 'dst');
    }
    if (proto === 'ip') {
      // tcpdump reading a file compiles with netmask 0: the host part is the whole address
      const hostmask = 0xffffffff;
      const b1 = cmp(4, this.offLinkPl + 16, 0, hostmask);
      const b2 = cmp(4, this.offLinkPl + 16, hostmask, hostmask);
      return and(this.linktype(ETHERTYPE.IP), or(b1, b2));
    }
    return this.err(pos, 'only link-layer/IP broadcast filters supported');
  }

  private multicast(proto: ProtoQual, pos: number): Cond {
    if (proto === 'ip') {
      return and(this.linktype(ETHERTYPE.IP), jmp('ge', ld(1, this.offLinkPl + 16), imm(224)));
    }
    if (proto === 'ip6') return and(this.linktype(ETHERTYPE.IPV6), cmp(1, this.offLinkPl + 24, 255));
    if ((proto === 'default' || proto === 'link') && this.info.kind === 'ether') {
      return jmp('set', ld(1, 0), imm(1));
    }
    return this.err(
      pos,
      'link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel',
    );
  }

  /** gen_ehostop: Ethernet source/destination MAC. */
  private ehostop(mac: number[], dir: Qual['dir']): Cond {
    const at = (off: number) =>
      and(
        cmp(4, off + 2, ((mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5]) >>> 0),
        cmp(2, off, (mac[0] << 8) | mac[1]),
      );
    switch (dir) {
      case 'src':
        return at(6);
      case 'dst':
        return at(0);
      case 'and':
        return and(at(6), at(0));
      default:
        return or(at(6), at(0));
    }
  }

  // --- qualified primitives --------------------------------------------------------------

  private qualified(q: Qual, id: IdValue, pos: number): Cond {
    switch (id.kind) {
      case 'name':
        return this.scode(id.text, q, pos);
      case 'number':
        return this.ncode(null, id.value, q, pos);
      case 'ipv4':
        if (id.prefix !== undefined || id.mask !== undefined)
          return this.mcode(id.text, id.mask, id.prefix ?? 0, q, pos);
        // the check libpcap 1.10's grammar makes on a plain dotted address
        if (q.addr === 'port' || q.addr === 'portrange' || q.addr === 'proto') {
          this.err(pos, `'${q.addr}' modifier applied to ip host`);
        }
        return this.ncode(id.text, 0, q, pos);
      case 'ipv6':
        return this.mcode6(id.text, id.prefix ?? 128, q, pos);
      case 'mac':
        return this.ecode(id.text, q, pos);
      case 'arcnet':
        return this.unsupported(pos, 'ARCnet addresses');
    }
  }

  /** gen_ncode: a number or a dotted IPv4 address. */
  private ncode(s: string | null, v: number, q: Qual, pos: number): Cond {
    let vlen = 32;
    if (s !== null) {
      const r = atoin(s);
      if (!r) this.err(pos, `invalid IPv4 address '${s}'`);
      v = r.addr;
      vlen = r.len;
    }
    switch (q.addr) {
      case 'default':
      case 'host':
      case 'net': {
        if (q.proto === 'link') this.err(pos, 'illegal link layer address');
        let mask = 0xffffffff;
        if (s === null && q.addr === 'net') {
          // promote a short net number: `net 10` is 10.0.0.0/8
          while (v !== 0 && (v & 0xff000000) === 0) {
            v = (v << 8) >>> 0;
            mask = (mask << 8) >>> 0;
          }
        } else {
          v = (v << (32 - vlen)) >>> 0;
          mask = (mask << (32 - vlen)) >>> 0;
        }
        return this.host(v, mask, q.proto, q.dir, q.addr, pos);
      }
      case 'port':
      case 'portrange': {
        const proto = this.portProto(q.proto, q.addr, pos);
        if (v > 65535) this.err(pos, `illegal port number ${v} > 65535`);
        return this.ports(v, v, proto, q.dir, q.addr === 'port');
      }
      case 'proto':
        return this.proto(v, q.proto, q.dir, pos);
      case 'gateway':
        return this.err(pos, "'gateway' requires a name");
      default:
        return this.err(pos, 'syntax error in filter expression');
    }
  }

  /** gen_mcode: `a.b.c.d/len` and `a.b.c.d mask e.f.g.h`. */
  private mcode(s1: string, s2: string | undefined, masklen: number, q: Qual, pos: number): Cond {
    const a = atoin(s1);
    if (!a) this.err(pos, `invalid IPv4 address '${s1}'`);
    const n = (a.addr << (32 - a.len)) >>> 0;
    let m: number;
    if (s2 !== undefined) {
      const mm = atoin(s2);
      if (!mm) this.err(pos, `invalid IPv4 address '${s2}'`);
      m = (mm.addr << (32 - mm.len)) >>> 0;
      if ((n & ~m) >>> 0 !== 0) this.err(pos, `non-network bits set in "${s1} mask ${s2}"`);
    } else {
      if (masklen > 32) this.err(pos, 'mask length must be <= 32');
      m = masklen === 0 ? 0 : (0xffffffff << (32 - masklen)) >>> 0;
      if ((n & ~m) >>> 0 !== 0) this.err(pos, `non-network bits set in "${s1}/${masklen}"`);
    }
    if (q.addr !== 'net') this.err(pos, 'Mask syntax for networks only');
    return this.host(n, m, q.proto, q.dir, q.addr, pos);
  }

  /** gen_mcode6: an IPv6 address with an optional prefix length. */
  private mcode6(s: string, masklen: number, q: Qual, pos: number): Cond {
    const addr = parseIPv6Words(s);
    if (!addr) this.err(pos, `bogus IPv6 address ${s}`);
    if (masklen > 128) this.err(pos, 'mask length must be <= 128');
    const mask = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      const bits = Math.max(0, Math.min(32, masklen - i * 32));
      mask[i] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    }
    if (addr.some((w, i) => (w & ~mask[i]) >>> 0 !== 0))
      this.err(pos, `non-network bits set in "${s}/${masklen}"`);
    if (q.addr === 'default' || q.addr === 'host') {
      if (masklen !== 128) this.err(pos, 'Mask syntax for networks only');
    } else if (q.addr !== 'net') {
      this.err(pos, 'invalid qualifier against IPv6 address');
    }
    if (q.proto !== 'default' && q.proto !== 'ip6') {
      const what = q.proto === 'link' ? 'link-layer' : `'${q.proto}'`;
      this.err(pos, `${what} modifier applied to ip6 ${q.addr === 'net' ? 'net' : 'host'}`);
    }
    return this.hostop6(addr, mask, q.dir, pos);
  }

  /** gen_ecode: an Ethernet address after `ether host`/`ether src`/`ether dst`. */
  private ecode(s: string, q: Qual, pos: number): Cond {
    if ((q.addr === 'host' || q.addr === 'default') && q.proto === 'link') {
      if (this.info.kind !== 'ether') {
        this.err(
          pos,
          'ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel',
        );
      }
      return this.ehostop(parseMac(s), q.dir);
    }
    return this.err(pos, 'ethernet address used in non-ether expression');
  }

  /** gen_scode: a name: host, network, port, port range or protocol name. */
  private scode(name: string, q: Qual, pos: number): Cond {
    switch (q.addr) {
      case 'net':
        return this.unsupported(pos, `network name '${name}'`, 'give the network as a.b.c.d/len');
      case 'default':
      case 'host':
        if (q.proto === 'link')
          return this.unsupported(pos, `Ethernet host name '${name}'`, 'give the MAC address');
        return this.unsupported(
          pos,
          `host name '${name}'`,
          'host names are not resolved; give an IP address',
        );
      case 'gateway':
        return this.unsupported(pos, `gateway '${name}'`, 'host names are not resolved');
      case 'port': {
        const proto = this.portProto(q.proto, 'port', pos);
        const p = lookupPort(name);
        if (!p) this.err(pos, `unknown port '${name}'`);
        const real = this.namedPortProto(name, proto, p.proto, pos);
        return this.ports(p.port, p.port, real, q.dir, true);
      }
      case 'portrange': {
        const proto = this.portProto(q.proto, 'portrange', pos);
        const r = lookupPortRange(name);
        if (!r) this.err(pos, `unknown port in range '${name}'`);
        const real = this.namedPortProto(name, proto, r.proto, pos);
        for (const p of [r.from, r.to]) {
          if (p < 0) this.err(pos, `illegal port number ${p} < 0`);
          if (p > 65535) this.err(pos, `illegal port number ${p} > 65535`);
        }
        return this.ports(r.from, r.to, real, q.dir, false);
      }
      case 'proto': {
        let v: number | null;
        if (q.proto === 'default' || q.proto === 'ip' || q.proto === 'ip6') {
          v = lookupIpProto(name);
          if (v === null) this.err(pos, `unknown ip proto '${name}'`);
        } else if (q.proto === 'link') {
          v = lookupEtherProto(name);
          if (v === null) this.err(pos, `unknown ether proto '${name}'`);
        } else {
          return this.proto(0, q.proto, q.dir, pos);
        }
        return this.proto(v, q.proto, q.dir, pos);
      }
      default:
        return this.err(pos, 'syntax error in filter expression');
    }
  }

  /** The IP protocol a `port` primitive applies to: tcp, udp, sctp or all three. */
  private portProto(proto: ProtoQual, what: 'port' | 'portrange', pos: number): number | 'any' {
    switch (proto) {
      case 'udp':
        return IPPROTO.UDP;
      case 'tcp':
        return IPPROTO.TCP;
      case 'sctp':
        return IPPROTO.SCTP;
      case 'default':
        return 'any';
      default:
        return this.err(pos, `illegal qualifier of '${what}'`);
    }
  }

  /** A service name's protocol against the qualifier: `udp port ssh` is an error, as in libpcap. */
  private namedPortProto(name: string, want: number | 'any', has: PortProto, pos: number): number | 'any' {
    if (want === 'any') return has === 'tcp' ? IPPROTO.TCP : has === 'udp' ? IPPROTO.UDP : 'any';
    if (want === IPPROTO.UDP && has === 'tcp') this.err(pos, `port '${name}' is tcp`);
    if (want === IPPROTO.TCP && has === 'udp') this.err(pos, `port '${name}' is udp`);
    if (want === IPPROTO.SCTP && has !== 'any') this.err(pos, `port '${name}' is ${has}`);
    return want;
  }

  // --- hosts and nets --------------------------------------------------------------------

  /** gen_host for an IPv4 address and mask. */
  private host(
    addr: number,
    mask: number,
    proto: ProtoQual,
    dir: Qual['dir'],
    type: Qual['addr'],
    pos: number,
  ): Cond {
    const typestr = type === 'net' ? 'net' : 'host';
    switch (proto) {
      case 'default': {
        const b = or(
          this.hostop(addr, mask, dir, ETHERTYPE.IP, 12, 16),
          this.hostop(addr, mask, dir, ETHERTYPE.ARP, 14, 24),
        );
        return or(b, this.hostop(addr, mask, dir, ETHERTYPE.REVARP, 14, 24));
      }
      case 'ip':
        return this.hostop(addr, mask, dir, ETHERTYPE.IP, 12, 16);
      case 'arp':
        return this.hostop(addr, mask, dir, ETHERTYPE.ARP, 14, 24);
      case 'rarp':
        return this.hostop(addr, mask, dir, ETHERTYPE.REVARP, 14, 24);
      case 'link':
        return this.err(pos, `link-layer modifier applied to ${typestr}`);
      case 'ip6':
        return this.err(pos, "'ip6' modifier applied to ip host");
      case 'decnet':
        return this.unsupported(pos, 'DECnet addresses');
      default: {
        const notImplemented = HOST_NOT_IMPLEMENTED[proto];
        if (notImplemented) return this.err(pos, `${notImplemented} host filtering not implemented`);
        return this.err(pos, `'${proto}' modifier applied to ${typestr}`);
      }
    }
  }

  private hostop(
    addr: number,
    mask: number,
    dir: Qual['dir'],
    ethertype: number,
    srcOff: number,
    dstOff: number,
  ): Cond {
    const at = (off: number) => and(this.linktype(ethertype), cmp(4, this.offLinkPl + off, addr, mask));
    switch (dir) {
      case 'src':
        return at(srcOff);
      case 'dst':
        return at(dstOff);
      case 'and':
        return and(at(srcOff), at(dstOff));
      default:
        return or(at(srcOff), at(dstOff));
    }
  }

  private hostop6(addr: number[], mask: number[], dir: Qual['dir'], _pos: number): Cond {
    const at = (off: number) => {
      const base = this.offLinkPl + off;
      let b = cmp(4, base + 12, addr[3], mask[3]);
      b = and(cmp(4, base + 8, addr[2], mask[2]), b);
      b = and(cmp(4, base + 4, addr[1], mask[1]), b);
      b = and(cmp(4, base, addr[0], mask[0]), b);
      return and(this.linktype(ETHERTYPE.IPV6), b);
    };
    switch (dir) {
      case 'src':
        return at(8);
      case 'dst':
        return at(24);
      case 'and':
        return and(at(8), at(24));
      default:
        return or(at(8), at(24));
    }
  }

  // --- ports -----------------------------------------------------------------------------

  /** IPv4 fragment offset is 0: this is the first (or only) fragment. */
  private ipfrag(): Cond {
    return not(jmp('set', ld(2, this.offLinkPl + 6), imm(0x1fff)));
  }

  /** A 16-bit field of the IPv4 transport header, after the variable IPv4 header. */
  private tran4(off: number): Val {
    return ldx(2, { k: 'msh', off: this.offLinkPl }, this.offLinkPl + off);
  }

  private tran6(off: number): Val {
    return ld(2, this.offLinkPl + 40 + off);
  }

  private portAtoms(at: (off: number) => Cond, dir: Qual['dir']): Cond {
    switch (dir) {
      case 'src':
        return at(0);
      case 'dst':
        return at(2);
      case 'and':
        return and(at(0), at(2));
      default:
        return or(at(0), at(2));
    }
  }

  /** `port` (from === to, single) or `portrange`, over IPv6 then IPv4 as gen_ncode ORs them. */
  private ports(from: number, to: number, proto: number | 'any', dir: Qual['dir'], single: boolean): Cond {
    if (from > to) [from, to] = [to, from];
    const test = (v: Val): Cond =>
      single ? jmp('eq', v, imm(from)) : and(jmp('ge', v, imm(from)), not(jmp('gt', v, imm(to))));
    const op4 = (p: number) =>
      and(
        and(cmp(1, this.offLinkPl + 9, p), this.ipfrag()),
        this.portAtoms((off) => test(this.tran4(off)), dir),
      );
    const op6 = (p: number) =>
      and(
        cmp(1, this.offLinkPl + 6, p),
        this.portAtoms((off) => test(this.tran6(off)), dir),
      );
    const each = (op: (p: number) => Cond): Cond =>
      proto === 'any' ? or(op(IPPROTO.SCTP), or(op(IPPROTO.TCP), op(IPPROTO.UDP))) : op(proto);
    const v6 = and(this.linktype(ETHERTYPE.IPV6), each(op6));
    const v4 = and(this.linktype(ETHERTYPE.IP), each(op4));
    return or(v6, v4);
  }

  // --- protocols -------------------------------------------------------------------------

  /** gen_proto: `ip proto N`, `ip6 proto N`, `ether proto N`, `proto N`. */
  private proto(v: number, proto: ProtoQual, dir: Qual['dir'], pos: number): Cond {
    if (dir !== 'default') this.err(pos, "direction applied to 'proto'");
    switch (proto) {
      case 'default':
        return or(this.proto(v, 'ip', dir, pos), this.proto(v, 'ip6', dir, pos));
      case 'link':
        return this.linktype(v);
      case 'ip':
        return and(this.linktype(ETHERTYPE.IP), cmp(1, this.offLinkPl + 9, v));
      case 'ip6': {
        const viaFrag = and(cmp(1, this.offLinkPl + 6, IPPROTO.FRAGMENT), cmp(1, this.offLinkPl + 40, v));
        return and(this.linktype(ETHERTYPE.IPV6), or(cmp(1, this.offLinkPl + 6, v), viaFrag));
      }
      case 'arp':
      case 'rarp':
        return this.err(pos, `${proto} does not encapsulate another protocol`);
      default:
        if (ISO_PROTOS.has(proto) || proto === 'iso') return this.unsupported(pos, `'${proto} proto'`);
        return this.err(pos, `'${proto} proto' is bogus`);
    }
  }

  /** gen_proto_abbrev: a protocol name alone. */
  private protoAbbrev(proto: ProtoQual, pos: number): Cond {
    switch (proto) {
      case 'sctp':
        return this.proto(IPPROTO.SCTP, 'default', 'default', pos);
      case 'tcp':
        return this.proto(IPPROTO.TCP, 'default', 'default', pos);
      case 'udp':
        return this.proto(IPPROTO.UDP, 'default', 'default', pos);
      case 'icmp':
        return this.proto(IPPROTO.ICMP, 'ip', 'default', pos);
      case 'igmp':
        return this.proto(IPPROTO.IGMP, 'ip', 'default', pos);
      case 'igrp':
        return this.proto(IPPROTO.IGRP, 'ip', 'default', pos);
      case 'pim':
        return this.proto(IPPROTO.PIM, 'default', 'default', pos);
      case 'vrrp':
      case 'carp':
        return this.proto(IPPROTO.VRRP, 'ip', 'default', pos);
      case 'ip':
        return this.linktype(ETHERTYPE.IP);
      case 'arp':
        return this.linktype(ETHERTYPE.ARP);
      case 'rarp':
        return this.linktype(ETHERTYPE.REVARP);
      case 'atalk':
        return this.linktype(ETHERTYPE.ATALK);
      case 'aarp':
        return this.linktype(ETHERTYPE.AARP);
      case 'decnet':
        return this.linktype(ETHERTYPE.DECNET);
      case 'sca':
        return this.linktype(ETHERTYPE.SCA);
      case 'lat':
        return this.linktype(ETHERTYPE.LAT);
      case 'mopdl':
        return this.linktype(ETHERTYPE.MOPDL);
      case 'moprc':
        return this.linktype(ETHERTYPE.MOPRC);
      case 'ip6':
        return this.linktype(ETHERTYPE.IPV6);
      case 'icmp6':
        return this.proto(IPPROTO.ICMPV6, 'ip6', 'default', pos);
      case 'ah':
        return this.proto(IPPROTO.AH, 'default', 'default', pos);
      case 'esp':
        return this.proto(IPPROTO.ESP, 'default', 'default', pos);
      case 'iso':
        return this.linktype(LLCSAP.ISONS);
      case 'stp':
        return this.linktype(LLCSAP.STP);
      case 'ipx':
        return this.linktype(LLCSAP.IPX);
      case 'netbeui':
        return this.linktype(LLCSAP.NETBEUI);
      case 'link':
        return this.err(pos, 'link layer applied in wrong context');
      case 'radio':
        return this.err(pos, "'radio' is not a valid protocol type");
      default:
        return this.unsupported(pos, `'${proto}'`);
    }
  }

  // --- arithmetic and relations ----------------------------------------------------------

  private relation(op: string, left: Arith, right: Arith): Cond {
    const l = this.arith(left);
    const r = this.arith(right);
    let b: Cond;
    switch (op) {
      case '>':
        b = jmp('gt', l.val, r.val);
        break;
      case '>=':
        b = jmp('ge', l.val, r.val);
        break;
      case '=':
        b = jmp('eq', l.val, r.val);
        break;
      case '<=':
        b = not(jmp('gt', l.val, r.val));
        break;
      case '<':
        b = not(jmp('ge', l.val, r.val));
        break;
      default:
        b = not(jmp('eq', l.val, r.val));
    }
    const guard = l.guard && r.guard ? and(l.guard, r.guard) : (l.guard ?? r.guard);
    return guard ? and(guard, b) : b;
  }

  private arith(a: Arith): ArithCode {
    switch (a.type) {
      case 'number':
        return { val: imm(a.value), guard: null };
      case 'len':
        return { val: { k: 'len' }, guard: null };
      case 'negate': {
        const x = this.arith(a.operand);
        return { val: { k: 'neg', a: x.val }, guard: x.guard };
      }
      case 'binary': {
        const op = ALU_OPS[a.op];
        const l = this.arith(a.left);
        const r = this.arith(a.right);
        const head = headImmediate(a.right);
        const rc = constValue(r.val);
        const lc = constValue(l.val);
        if (op === 'div' && (head === 0 || rc === 0)) this.err(a.right.pos, 'division by zero');
        if (op === 'mod' && (head === 0 || rc === 0)) this.err(a.right.pos, 'modulus by zero');
        if (
          (op === 'lsh' || op === 'rsh') &&
          ((head !== null && head > 31) || (lc === null && rc !== null && rc > 31))
        ) {
          this.err(a.right.pos, 'shift by more than 31 bits');
        }
        // libpcap 1.10's gen_arth keeps the left operand's protocol checks only
        return { val: alu(op, l.val, r.val), guard: l.guard };
      }
      case 'load':
        return this.load(a.proto, a.index, a.size, a.pos);
    }
  }

  /**
   * gen_load: `proto[index:size]`. With a constant index, libpcap's optimizer folds the index
   * into the load's offset (modulo 2^32), so `tcp[-20]` reads 6 bytes before the link-layer
   * payload (and is outside every packet) rather than at the IPv4 header; that is what tcpdump
   * does, so that is what this does.
   */
  private load(proto: ProtoQual, index: Arith, size: number, pos: number): ArithCode {
    const idx = this.arith(index);
    if (size !== 1 && size !== 2 && size !== 4) this.err(pos, 'data size must be 1, 2, or 4');
    const sz = size as 1 | 2 | 4;
    const c = constValue(idx.val);
    const at = (base: Val | null, off: number): Val => {
      if (c !== null) {
        const k = (off + c) >>> 0;
        return base === null ? ld(sz, k) : ldx(sz, base, k);
      }
      return ldx(sz, base === null ? idx.val : alu('add', idx.val, base), off);
    };
    if (proto === 'link') return { val: at(null, 0), guard: idx.guard };
    if (NETWORK_LOAD.has(proto)) {
      const b = this.protoAbbrev(proto, pos);
      return { val: at(null, this.offLinkPl), guard: idx.guard ? and(idx.guard, b) : b };
    }
    if (TRANSPORT_LOAD.has(proto)) {
      let b = and(this.protoAbbrev(proto, pos), this.ipfrag());
      if (idx.guard) b = and(idx.guard, b);
      b = and(this.linktype(ETHERTYPE.IP), b);
      return { val: at({ k: 'msh', off: this.offLinkPl }, this.offLinkPl), guard: b };
    }
    if (proto === 'icmp6') {
      let b = this.linktype(ETHERTYPE.IPV6);
      if (idx.guard) b = and(idx.guard, b);
      b = and(b, cmp(1, this.offLinkPl + 6, IPPROTO.ICMPV6));
      return { val: at(null, this.offLinkPl + 40), guard: b };
    }
    return this.err(pos, 'unsupported index operation');
  }
}

/**
 * The constant the right operand's code starts with, as libpcap's gen_arth sees it (it checks
 * the first instruction only, so `ip[1] / ip[0]` is a "division by zero" there too).
 */
function headImmediate(a: Arith): number | null {
  switch (a.type) {
    case 'number':
      return a.value;
    case 'load':
      return headImmediate(a.index);
    case 'binary':
      return headImmediate(a.left);
    case 'negate':
      return headImmediate(a.operand);
    case 'len':
      return null;
  }
}

/** libpcap's __pcap_atoin: 1 to 4 decimal parts; `len` is the number of bits given. */
function atoin(s: string): { addr: number; len: number } | null {
  const parts = s.split('.');
  let addr = 0;
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    addr = ((addr << 8) | n) >>> 0;
  }
  return { addr, len: parts.length * 8 };
}

/** An IPv6 address as four big-endian 32-bit words. */
function parseIPv6Words(s: string): number[] | null {
  const bytes = parseIPv6Loose(s);
  if (!bytes) return null;
  const w: number[] = [];
  for (let i = 0; i < 16; i += 4)
    w.push(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
  return w;
}

function parseIPv6Loose(s: string): number[] | null {
  const dbl = s.indexOf('::');
  const words = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = g.split('.');
        if (v4.length !== 4 || v4.some((x) => !/^[0-9]{1,3}$/.test(x) || Number(x) > 255)) return null;
        out.push((Number(v4[0]) << 8) | Number(v4[1]), (Number(v4[2]) << 8) | Number(v4[3]));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
        out.push(Number.parseInt(g, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = words(dbl >= 0 ? s.slice(0, dbl) : s);
  const tail = dbl >= 0 ? words(s.slice(dbl + 2)) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (dbl < 0 ? fill !== 0 : fill < 1) return null;
  const all = [...head, ...new Array(fill).fill(0), ...tail];
  const bytes: number[] = [];
  for (const w of all) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

/** libpcap's pcap_ether_aton: each part is 1 or 2 hex digits; `:`, `-`, `.` separate. */
function parseMac(s: string): number[] {
  const out: number[] = [];
  let i = 0;
  const hex = (c: string) => /[0-9A-Fa-f]/.test(c);
  while (i < s.length && out.length < 6) {
    if (s[i] === ':' || s[i] === '-' || s[i] === '.') i++;
    let d = Number.parseInt(s[i++], 16);
    if (i < s.length && hex(s[i])) d = (d << 4) | Number.parseInt(s[i++], 16);
    out.push(d);
  }
  return out;
}
