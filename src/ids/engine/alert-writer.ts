/**
 * Turns the detector's matches into EVE alert records (and IPS verdicts). Only alerts
 * allocate: the common case, no match, returns at once.
 */
import { D_BYTES, D_PKTS, DIR_SLOTS, F_DIR } from '../../flow/layout.js';
import { FlowTable } from '../../flow/table.js';
import { Encap } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import { httpEveRecord } from '../app/http/eve.js';
import type { HttpTransaction } from '../app/http/transaction.js';
import { type AlertContext, buildAlertRecord, type EveAlertRecord, type EveHttp, eveProto } from '../eve.js';
import { BufferId } from '../match/buffers.js';
import type { MatchResult } from '../match/detect.js';
import { InputKind } from '../match/input.js';
import { severityWordOfPriority } from '../observer.js';
import type { IdsEngine } from './engine.js';
import type { FlowSide } from './flow-side.js';
import { Verdict } from './types.js';

export class AlertWriter {
  private pktsToServer = 0;
  private pktsToClient = 0;
  private bytesToServer = 0;
  private bytesToClient = 0;

  constructor(
    private readonly engine: IdsEngine,
    private readonly table: FlowTable,
  ) {}

  /** Flow counters of the packet being inspected (after the table counted it). */
  flowState(ps: number, pc: number, bs: number, bc: number): void {
    this.pktsToServer = ps;
    this.pktsToClient = pc;
    this.bytesToServer = bs;
    this.bytesToClient = bc;
  }

  /** Flow counters read from the table (flow-end inspections). */
  flowStateOfSlot(slot: number): void {
    const F = this.table.floats(slot);
    const b = FlowTable.base(slot);
    this.pktsToServer = F[b + F_DIR + D_PKTS];
    this.bytesToServer = F[b + F_DIR + D_BYTES];
    this.pktsToClient = F[b + F_DIR + DIR_SLOTS + D_PKTS];
    this.bytesToClient = F[b + F_DIR + DIR_SLOTS + D_BYTES];
  }

  /**
   * Writes the alerts of `out` for the current input; applies flow pass/drop to `side`.
   * Returns the packet's verdict.
   */
  matches(
    out: MatchResult,
    side: FlowSide | null,
    http: HttpTransaction | null,
    txId: number,
    pkt: Packet | null,
  ): number {
    if (out.count === 0) return Verdict.ACCEPT;
    const eng = this.engine;
    let verdict: number = Verdict.ACCEPT;
    if (side !== null && out.passFlow) side.passed = true;
    if (eng.ips && out.dropped) {
      verdict = Verdict.DROP;
      if (side !== null && out.dropFlow) side.dropped = true;
    }
    const inp = eng.input;
    for (let i = 0; i < out.count; i++) {
      if (!out.alert[i]) continue;
      const rule = out.rules[i];
      const action = out.actionOverride[i] ?? rule.action;
      // a rate_filter whose new action is pass turns the alert into a silent pass
      if (action === 'pass') continue;
      const blocked = eng.ips && (action === 'drop' || action.startsWith('reject'));
      const time = pkt !== null ? pkt.tsSec : Math.floor(inp.time);
      const usec = pkt !== null ? Math.floor(pkt.tsNsec / 1000) : Math.round((inp.time - time) * 1e6);
      const ctx: AlertContext = {
        tsSec: time,
        tsUsec: usec,
        src: inp.src,
        dst: inp.dst,
        srcPort: inp.srcPort,
        dstPort: inp.dstPort,
        ipProto: inp.ipProto,
        blocked,
        metadata: eng.config.eve?.metadata ?? true,
        tzOffsetMinutes: eng.config.tzOffsetMinutes ?? 0,
      };
      if (inp.icmpType >= 0) {
        ctx.icmpType = inp.icmpType;
        ctx.icmpCode = inp.icmpCode;
      }
      if (pkt !== null) ctx.pcapCnt = pkt.frameNumber;
      if (eng.config.inIface !== undefined) ctx.inIface = eng.config.inIface;
      if (txId >= 0) ctx.txId = txId;
      if (http !== null) ctx.http = httpEveRecord(http) as EveHttp;
      if (side !== null) {
        side.alerted = true;
        ctx.flowId = side.flowId;
        if (side.appProto !== '') ctx.appProto = side.appProto;
        ctx.toServer = inp.toServer;
        ctx.flow = {
          pktsToServer: this.pktsToServer,
          pktsToClient: this.pktsToClient,
          bytesToServer: this.bytesToServer,
          bytesToClient: this.bytesToClient,
          start: side.start,
          src: side.clientView,
          dst: side.serverView,
          srcPort: side.clientPort,
          dstPort: side.serverPort,
        };
      }
      const rec = buildAlertRecord(rule, ctx) as EveAlertRecord & Record<string, unknown>;
      rec.ip_v = inp.ipVersion;
      rec.pkt_src = pkt === null ? 'stream (flow timeout)' : pktSrc(pkt);
      if (pkt !== null && pkt.inner !== null) {
        const outer = tunnelOuter(pkt);
        if (outer !== null)
          rec.tunnel = {
            src_ip: outer.srcAddr(),
            dest_ip: outer.dstAddr(),
            proto: eveProto(outer.ipProto),
            depth: 0,
            pkt_src: 'wire/pcap',
          };
      }
      if (eng.config.eve?.payload) {
        const data = inp.buffers.slot(BufferId.PKT_DATA, true);
        const bytes =
          inp.kind !== InputKind.PACKET && eng.streamLogPayload !== null
            ? eng.streamLogPayload
            : data.count > 0
              ? data.items[0].data
              : EMPTY;
        rec.payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
        rec.payload_printable = printable(bytes);
        rec.stream = inp.kind === InputKind.PACKET ? 0 : 1;
        if (pkt !== null) {
          rec.packet = Buffer.from(pkt.buf.buffer, pkt.buf.byteOffset + pkt.frameOffset, pkt.capLen).toString(
            'base64',
          );
          rec.packet_info = {
            linktype: pkt.linkType,
            linktype_name: LINKTYPE_NAMES[pkt.linkType] ?? String(pkt.linkType),
          };
        }
      }
      eng.emitAlert(rec, { rule, detector: null, severity: severityWordOfPriority(rule.priority), blocked });
    }
    return verdict;
  }
}

const EMPTY = new Uint8Array(0);

/** libpcap's names of the link types (pcap_datalink_val_to_name), as Suricata logs them. */
const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'EN10MB',
  9: 'PPP',
  101: 'RAW',
  104: 'C_HDLC',
  108: 'LOOP',
  113: 'LINUX_SLL',
  228: 'IPv4',
  229: 'IPv6',
  276: 'LINUX_SLL2',
};

/** Suricata's `pkt_src` of a packet: the wire, or the tunnel it came out of. */
export function pktSrc(p: Packet): string {
  let outer: Packet = p;
  while (outer.inner !== null && outer.innerKind !== Encap.ICMP_QUOTE && outer.inner.ipVersion !== 0) {
    const kind = outer.innerKind;
    const next: Packet = outer.inner;
    if (next.inner === null || next.innerKind === Encap.ICMP_QUOTE || next.inner.ipVersion === 0) {
      if (kind === Encap.GRE) return 'gre tunnel';
      if (kind === Encap.VXLAN) return 'vxlan encapsulation';
      if (kind === Encap.TEREDO) return 'teredo tunnel';
      if (kind === Encap.GENEVE) return 'geneve encapsulation';
      return outer.ipVersion === 6 ? 'ipv6 tunnel' : 'ipv4 tunnel';
    }
    outer = next;
  }
  return 'wire/pcap';
}

/** The IP packet carrying the innermost one (null when not tunnelled). */
function tunnelOuter(p: Packet): Packet | null {
  let outer: Packet | null = null;
  let cur: Packet = p;
  while (cur.inner !== null && cur.innerKind !== Encap.ICMP_QUOTE && cur.inner.ipVersion !== 0) {
    if (cur.ipVersion !== 0) outer = cur;
    cur = cur.inner;
  }
  return outer;
}

/** Suricata's payload_printable: printable ASCII, CR/LF/TAB kept, other bytes as '.'. */
export function printable(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    s += (c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 ? String.fromCharCode(c) : '.';
  }
  return s;
}
