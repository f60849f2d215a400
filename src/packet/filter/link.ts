/**
 * Link layers the filter compiler knows: where the protocol type and the payload start, and
 * how "is this packet protocol X" is tested on each (libpcap's gen_linktype and friends).
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { LinkType } from '../record.js';
import { and, type Cond, cmp, FALSE, imm, jmp, ld, not, or, TRUE } from './ir.js';

export type LinkKind = 'ether' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw' | 'ipv4' | 'ipv6';

export interface LinkInfo {
  kind: LinkKind;
  /** libpcap's description of the link type, used in its error messages. */
  name: string;
  /** Offset of the protocol-type field, -1 when there is none. */
  offLinkType: number;
  /** Offset of the link-layer payload (the network header). */
  offLinkPl: number;
  /** LINKTYPE_NULL only: the 4-byte address family is big-endian (the file's byte order). */
  nullBigEndian: boolean;
}

/** Offsets the compiler moves as it goes: `vlan` shifts both by 4 for the rest of the expression. */
export interface LinkState {
  info: LinkInfo;
  offLinkType: number;
  offLinkPl: number;
}

export const ETHERTYPE = {
  IP: 0x0800,
  ARP: 0x0806,
  REVARP: 0x8035,
  IPV6: 0x86dd,
  ATALK: 0x809b,
  AARP: 0x80f3,
  IPX: 0x8137,
  VLAN: 0x8100,
  QINQ_8021AD: 0x88a8,
  QINQ_9100: 0x9100,
  DECNET: 0x6003,
  LAT: 0x6004,
  SCA: 0x6007,
  MOPDL: 0x6001,
  MOPRC: 0x6002,
} as const;

export const LLCSAP = { IP: 0x06, ISONS: 0xfe, NETBEUI: 0xf0, IPX: 0xe0, STP: 0x42 } as const;

const ETHERMTU = 1500;
/** Linux cooked-capture protocol values for 802.3 and 802.2 frames. */
const SLL_P_802_3 = 0x0001;
const SLL_P_802_2 = 0x0004;
/** BSD address families of IPv4 and of IPv6 on the BSDs, FreeBSD and Darwin. */
const AF_INET = 2;
const AF_INET6 = [24, 28, 30] as const;

/** The link types of {@link LinkType} and how the filter compiler sees them. */
export function linkInfo(linkType: number, opts: { bigEndian?: boolean } = {}): LinkInfo {
  const base = { nullBigEndian: opts.bigEndian ?? false };
  switch (linkType) {
    case LinkType.ETHERNET:
      return { ...base, kind: 'ether', name: 'Ethernet', offLinkType: 12, offLinkPl: 14 };
    case LinkType.LINUX_SLL:
      return { ...base, kind: 'sll', name: 'Linux cooked v1', offLinkType: 14, offLinkPl: 16 };
    case LinkType.LINUX_SLL2:
      return { ...base, kind: 'sll2', name: 'Linux cooked v2', offLinkType: 0, offLinkPl: 20 };
    case LinkType.NULL:
      return { ...base, kind: 'null', name: 'BSD loopback', offLinkType: 0, offLinkPl: 4 };
    case LinkType.LOOP:
      return { ...base, kind: 'loop', name: 'OpenBSD loopback', offLinkType: 0, offLinkPl: 4 };
    case LinkType.RAW:
      return { ...base, kind: 'raw', name: 'Raw IP', offLinkType: -1, offLinkPl: 0 };
    case LinkType.IPV4:
      return { ...base, kind: 'ipv4', name: 'Raw IPv4', offLinkType: -1, offLinkPl: 0 };
    case LinkType.IPV6:
      return { ...base, kind: 'ipv6', name: 'Raw IPv6', offLinkType: -1, offLinkPl: 0 };
    default:
      throw new SentraError(
        ErrorCodes.PCAP_UNSUPPORTED_LINKTYPE,
        `capture filters are not supported on link type ${linkType}; supported: Ethernet (1), raw IP (101, 228, 229), Linux cooked (113, 276), BSD loopback (0, 108)`,
        { details: { linkType } },
      );
  }
}

/** gen_snap: an 802.2 LLC + SNAP header with this OUI and protocol type at `off`. */
function snap(off: number, oui: number, ptype: number): Cond {
  // DSAP 0xaa, SSAP 0xaa, control 0x03, 3-byte OUI, 2-byte type; gen_bcmp compares the last
  // four bytes first
  const tail = (((oui >>> 8) & 0xff) << 24) | ((oui & 0xff) << 16) | (ptype & 0xffff);
  const head = 0xaaaa0300 | ((oui >>> 16) & 0xff);
  return and(cmp(4, off + 4, tail >>> 0), cmp(4, off, head >>> 0));
}

function bswap32(v: number): number {
  return (
    (((v & 0xff) << 24) | (((v >>> 8) & 0xff) << 16) | (((v >>> 16) & 0xff) << 8) | ((v >>> 24) & 0xff)) >>> 0
  );
}

/** Whether the packet carries link-layer protocol `proto` (an Ethertype or an LLC SAP). */
export function genLinktype(st: LinkState, proto: number): Cond {
  const lt = st.offLinkType;
  const pl = st.offLinkPl;
  switch (st.info.kind) {
    case 'ether':
      return etherLinktype(lt, pl, proto);
    case 'sll':
    case 'sll2':
      return sllLinktype(lt, pl, proto);
    case 'null':
    case 'loop': {
      const af = (v: number) => {
        // the address family is in the capturing host's byte order (the file's) for NULL,
        // in network order for LOOP; the load is big-endian
        const le = st.info.kind === 'null' && !st.info.nullBigEndian;
        return cmp(4, 0, le ? bswap32(v) : v);
      };
      if (proto === ETHERTYPE.IP) return af(AF_INET);
      if (proto === ETHERTYPE.IPV6) return or(af(AF_INET6[2]), or(af(AF_INET6[0]), af(AF_INET6[1])));
      return FALSE;
    }
    case 'raw':
      if (proto === ETHERTYPE.IP) return cmp(1, 0, 0x40, 0xf0);
      if (proto === ETHERTYPE.IPV6) return cmp(1, 0, 0x60, 0xf0);
      return FALSE;
    case 'ipv4':
      return proto === ETHERTYPE.IP ? TRUE : FALSE;
    case 'ipv6':
      return proto === ETHERTYPE.IPV6 ? TRUE : FALSE;
  }
}

function notLonger(lt: number): Cond {
  // an 802.3 frame: the type field is a length (<= 1500)
  return not(jmp('gt', ld(2, lt), imm(ETHERMTU)));
}

function etherLinktype(lt: number, pl: number, proto: number): Cond {
  switch (proto) {
    case LLCSAP.ISONS:
    case LLCSAP.IP:
    case LLCSAP.NETBEUI:
      return and(notLonger(lt), cmp(2, pl, (proto << 8) | proto));
    case LLCSAP.IPX: {
      let b = or(cmp(1, pl, LLCSAP.IPX), cmp(2, pl, 0xffff));
      b = or(snap(pl, 0, ETHERTYPE.IPX), b);
      b = and(notLonger(lt), b);
      return or(cmp(2, lt, ETHERTYPE.IPX), b);
    }
    case ETHERTYPE.ATALK:
    case ETHERTYPE.AARP: {
      const s = proto === ETHERTYPE.ATALK ? snap(pl, 0x080007, ETHERTYPE.ATALK) : snap(pl, 0, ETHERTYPE.AARP);
      return or(cmp(2, lt, proto), and(notLonger(lt), s));
    }
    default:
      if (proto <= ETHERMTU) return and(notLonger(lt), cmp(1, pl, proto));
      return cmp(2, lt, proto);
  }
}

function sllLinktype(lt: number, pl: number, proto: number): Cond {
  switch (proto) {
    case LLCSAP.ISONS:
    case LLCSAP.IP:
    case LLCSAP.NETBEUI:
      return and(cmp(2, lt, SLL_P_802_2), cmp(2, pl, (proto << 8) | proto));
    case LLCSAP.IPX: {
      let b = or(cmp(1, pl, LLCSAP.IPX), snap(pl, 0, ETHERTYPE.IPX));
      b = and(cmp(2, lt, SLL_P_802_2), b);
      b = or(cmp(2, lt, SLL_P_802_3), b);
      return or(cmp(2, lt, ETHERTYPE.IPX), b);
    }
    case ETHERTYPE.ATALK:
    case ETHERTYPE.AARP: {
      const s = proto === ETHERTYPE.ATALK ? snap(pl, 0x080007, ETHERTYPE.ATALK) : snap(pl, 0, ETHERTYPE.AARP);
      return or(cmp(2, lt, proto), and(cmp(2, lt, SLL_P_802_2), s));
    }
    default:
      if (proto <= ETHERMTU) return and(cmp(2, lt, SLL_P_802_2), cmp(1, pl, proto));
      return cmp(2, lt, proto);
  }
}
