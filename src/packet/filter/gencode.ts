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

import { atoin, parseIPv6Words, parseMac } from './addresses.js';
import { relation } from './arith.js';
import type { FilterNode, IdValue, ProtoQual, Qual } from './ast.js';
import { type GenContext, IPPROTO } from './context.js';
import { filterSyntaxError, filterUnsupportedError } from './errors.js';
import { host, hostop6, ports } from './hosts-ports.js';
import { and, type Cond, cmp, imm, jmp, ld, not, or } from './ir.js';
import { ETHERTYPE, genLinktype, type LinkInfo, LLCSAP } from './link.js';
import { lookupEtherProto, lookupIpProto, lookupPort, lookupPortRange, type PortProto } from './names.js';

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

export class Gencode implements GenContext {
  offLinkType: number;
  offLinkPl: number;

  constructor(
    private readonly expr: string,
    readonly info: LinkInfo,
  ) {
    this.offLinkType = info.offLinkType;
    this.offLinkPl = info.offLinkPl;
  }

  err(pos: number, msg: string): never {
    throw filterSyntaxError(this.expr, pos, msg);
  }

  unsupported(pos: number, what: string, hint?: string): never {
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
        return relation(this, n.op, n.left, n.right);
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

  linktype(proto: number): Cond {
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
        return host(this, v, mask, q.proto, q.dir, q.addr, pos);
      }
      case 'port':
      case 'portrange': {
        const proto = this.portProto(q.proto, q.addr, pos);
        if (v > 65535) this.err(pos, `illegal port number ${v} > 65535`);
        return ports(this, v, v, proto, q.dir, q.addr === 'port');
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
    return host(this, n, m, q.proto, q.dir, q.addr, pos);
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
    return hostop6(this, addr, mask, q.dir, pos);
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
        return ports(this, p.port, p.port, real, q.dir, true);
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
        return ports(this, r.from, r.to, real, q.dir, false);
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
  protoAbbrev(proto: ProtoQual, pos: number): Cond {
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
}
