/** Hosts, nets and ports over IPv4, ARP/RARP and IPv6 (gen_host, gen_host6, gen_port, gen_portrange). */
import type { ProtoQual, Qual } from './ast.js';
import { type GenContext, IPPROTO } from './context.js';
import { and, type Cond, cmp, imm, jmp, ld, ldx, not, or, type Val } from './ir.js';
import { ETHERTYPE } from './link.js';

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

/** gen_host for an IPv4 address and mask. */
export function host(
  g: GenContext,
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
        hostop(g, addr, mask, dir, ETHERTYPE.IP, 12, 16),
        hostop(g, addr, mask, dir, ETHERTYPE.ARP, 14, 24),
      );
      return or(b, hostop(g, addr, mask, dir, ETHERTYPE.REVARP, 14, 24));
    }
    case 'ip':
      return hostop(g, addr, mask, dir, ETHERTYPE.IP, 12, 16);
    case 'arp':
      return hostop(g, addr, mask, dir, ETHERTYPE.ARP, 14, 24);
    case 'rarp':
      return hostop(g, addr, mask, dir, ETHERTYPE.REVARP, 14, 24);
    case 'link':
      return g.err(pos, `link-layer modifier applied to ${typestr}`);
    case 'ip6':
      return g.err(pos, "'ip6' modifier applied to ip host");
    case 'decnet':
      return g.unsupported(pos, 'DECnet addresses');
    default: {
      const notImplemented = HOST_NOT_IMPLEMENTED[proto];
      if (notImplemented) return g.err(pos, `${notImplemented} host filtering not implemented`);
      return g.err(pos, `'${proto}' modifier applied to ${typestr}`);
    }
  }
}

export function hostop(
  g: GenContext,
  addr: number,
  mask: number,
  dir: Qual['dir'],
  ethertype: number,
  srcOff: number,
  dstOff: number,
): Cond {
  const at = (off: number) => and(g.linktype(ethertype), cmp(4, g.offLinkPl + off, addr, mask));
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

export function hostop6(g: GenContext, addr: number[], mask: number[], dir: Qual['dir'], _pos: number): Cond {
  const at = (off: number) => {
    const base = g.offLinkPl + off;
    let b = cmp(4, base + 12, addr[3], mask[3]);
    b = and(cmp(4, base + 8, addr[2], mask[2]), b);
    b = and(cmp(4, base + 4, addr[1], mask[1]), b);
    b = and(cmp(4, base, addr[0], mask[0]), b);
    return and(g.linktype(ETHERTYPE.IPV6), b);
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

/** IPv4 fragment offset is 0: this is the first (or only) fragment. */
export function ipfrag(g: GenContext): Cond {
  return not(jmp('set', ld(2, g.offLinkPl + 6), imm(0x1fff)));
}

/** A 16-bit field of the IPv4 transport header, after the variable IPv4 header. */
export function tran4(g: GenContext, off: number): Val {
  return ldx(2, { k: 'msh', off: g.offLinkPl }, g.offLinkPl + off);
}

export function tran6(g: GenContext, off: number): Val {
  return ld(2, g.offLinkPl + 40 + off);
}

function portAtoms(at: (off: number) => Cond, dir: Qual['dir']): Cond {
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
export function ports(
  g: GenContext,
  from: number,
  to: number,
  proto: number | 'any',
  dir: Qual['dir'],
  single: boolean,
): Cond {
  if (from > to) [from, to] = [to, from];
  const test = (v: Val): Cond =>
    single ? jmp('eq', v, imm(from)) : and(jmp('ge', v, imm(from)), not(jmp('gt', v, imm(to))));
  const op4 = (p: number) =>
    and(
      and(cmp(1, g.offLinkPl + 9, p), ipfrag(g)),
      portAtoms((off) => test(tran4(g, off)), dir),
    );
  const op6 = (p: number) =>
    and(
      cmp(1, g.offLinkPl + 6, p),
      portAtoms((off) => test(tran6(g, off)), dir),
    );
  const each = (op: (p: number) => Cond): Cond =>
    proto === 'any' ? or(op(IPPROTO.SCTP), or(op(IPPROTO.TCP), op(IPPROTO.UDP))) : op(proto);
  const v6 = and(g.linktype(ETHERTYPE.IPV6), each(op6));
  const v4 = and(g.linktype(ETHERTYPE.IP), each(op4));
  return or(v6, v4);
}
