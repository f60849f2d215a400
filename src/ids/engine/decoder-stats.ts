/**
 * Suricata's `stats.decoder.*` per-protocol counters: one count per header decoded (a VLAN
 * count per tag, the headers of tunnelled packets too), named as Suricata names them.
 */
import { Encap, Layer } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import { LinkType } from '../../packet/record.js';

/** Layer bit -> Suricata counter name (VLAN, SLL and tunnels are handled apart). */
const NAMES: ReadonlyArray<readonly [number, string]> = [
  [Layer.ETHERNET, 'ethernet'],
  [Layer.LOOPBACK, 'null'],
  [Layer.ARP, 'arp'],
  [Layer.IPV4, 'ipv4'],
  [Layer.IPV6, 'ipv6'],
  [Layer.TCP, 'tcp'],
  [Layer.UDP, 'udp'],
  [Layer.ICMP, 'icmpv4'],
  [Layer.ICMPV6, 'icmpv6'],
  [Layer.GRE, 'gre'],
  [Layer.VXLAN, 'vxlan'],
  [Layer.PPPOE, 'pppoe'],
  [Layer.MPLS, 'mpls'],
  [Layer.GENEVE, 'geneve'],
  [Layer.TEREDO, 'teredo'],
  [Layer.CHDLC, 'chdlc'],
  [Layer.PPP, 'ppp'],
  [Layer.NSH, 'nsh'],
];

const BIT_INDEX = new Int8Array(32).fill(-1);
NAMES.forEach(([bit], i) => {
  BIT_INDEX[31 - Math.clz32(bit)] = i;
});

export class DecoderCounters {
  private readonly byLayer = new Float64Array(NAMES.length);
  private vlan = 0;
  private sll = 0;
  private sll2 = 0;
  private raw = 0;
  private ipv4InIpv6 = 0;
  private ipv6InIpv4 = 0;
  private ipv4InIpv4 = 0;
  private ipv6InIpv6 = 0;

  /** Counts the headers of a decoded frame (every level but ICMP error quotes). */
  count(p: Packet): void {
    if (p.linkType === LinkType.RAW || p.linkType === LinkType.IPV4 || p.linkType === LinkType.IPV6)
      this.raw++;
    let cur: Packet | null = p;
    while (cur !== null) {
      let bits = cur.layers;
      if ((bits & Layer.SLL) !== 0) {
        if (cur.linkType === LinkType.LINUX_SLL2) this.sll2++;
        else this.sll++;
      }
      if ((bits & Layer.VLAN) !== 0) this.vlan += cur.vlanCount;
      while (bits !== 0) {
        const low = bits & -bits;
        const i = BIT_INDEX[31 - Math.clz32(low)];
        if (i >= 0) this.byLayer[i]++;
        bits ^= low;
      }
      const inner: Packet | null = cur.inner;
      if (inner === null || cur.innerKind === Encap.ICMP_QUOTE) break;
      if (cur.innerKind === Encap.IP_IN_IP) {
        if (cur.ipVersion === 4) {
          if (inner.ipVersion === 6) this.ipv6InIpv4++;
          else this.ipv4InIpv4++;
        } else if (inner.ipVersion === 4) this.ipv4InIpv6++;
        else this.ipv6InIpv6++;
      }
      cur = inner;
    }
  }

  /** The counters for the EVE stats record's `decoder` object (zeros left out). */
  eve(): Record<string, number> {
    const out: Record<string, number> = {};
    NAMES.forEach(([, name], i) => {
      if (this.byLayer[i] > 0) out[name] = this.byLayer[i];
    });
    const extra: Array<[string, number]> = [
      ['vlan', this.vlan],
      ['sll', this.sll],
      ['sll2', this.sll2],
      ['raw', this.raw],
      ['ipv4_in_ipv6', this.ipv4InIpv6],
      ['ipv6_in_ipv4', this.ipv6InIpv4],
      ['ipv4_in_ipv4', this.ipv4InIpv4],
      ['ipv6_in_ipv6', this.ipv6InIpv6],
    ];
    for (const [k, v] of extra) if (v > 0) out[k] = v;
    return out;
  }
}
