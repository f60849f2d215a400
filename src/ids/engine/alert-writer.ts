/**
 * Turns the detector's matches into EVE alert records (and IPS verdicts). Only alerts
 * allocate: the common case, no match, returns at once.
 */
import { D_BYTES, D_PKTS, DIR_SLOTS, F_DIR } from '../../flow/layout.js';
import { FlowTable } from '../../flow/table.js';
import { Encap } from '../../packet/layers/constants.js';
import type { DnsMessage } from '../../packet/layers/dns.js';
import type { Packet } from '../../packet/packet.js';
import { dnsEveV3 } from '../app/dns/eve.js';
import { httpEveRecord } from '../app/http/eve.js';
import type { HttpTransaction } from '../app/http/transaction.js';
import { type AlertContext, buildAlertRecord, type EveAlertRecord, type EveHttp, eveProto } from '../eve.js';
import { BufferId } from '../match/buffers.js';
import type { MatchResult } from '../match/detect.js';
import { InputKind } from '../match/input.js';
import type { CompiledRule } from '../match/rule.js';
import { severityWordOfPriority } from '../observer.js';
import { buildDropRecord, DROP_REASON_COUNTERS, type DropReason } from '../output/drop-record.js';
import type { IdsEngine } from './engine.js';
import type { FlowSide } from './flow-side.js';
import { Verdict } from './types.js';

export class AlertWriter {
  private pktsToServer = 0;
  private pktsToClient = 0;
  private bytesToServer = 0;
  private bytesToClient = 0;
  /** The rule that dropped the current packet (Suricata's `p->alerts.drop`), or null. */
  private dropRule: CompiledRule | null = null;
  /** ... by a rate_filter's new action rather than its own. */
  private dropByThreshold = false;
  /** The DNS message of the transaction being inspected (its alerts carry its `dns` object), or null. */
  dnsMessage: DnsMessage | null = null;
  /** Dropped packets by reason (`stats.ips.drop_reason`), Suricata's counter names. */
  readonly dropReasons: Record<string, number> = {};

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

  /** Flows per midstream exception policy applied (`stats.exception_policy.tcp.midstream`). */
  readonly midstreamPolicies: Record<string, number> = {};

  /** A flow ended: count the exception policy it got. */
  flowEnded(side: FlowSide, slot: number): void {
    const p = side.exceptionPolicy;
    if (p === '' || p === 'ignore') return;
    // pass_flow keeps tracking the session, so Suricata applies it again on every packet;
    // the other policies stop the flow at the first
    let n = 1;
    if (p === 'pass_flow') {
      const F = this.table.floats(slot);
      const b = FlowTable.base(slot);
      n = F[b + F_DIR + D_PKTS] + F[b + F_DIR + DIR_SLOTS + D_PKTS];
    }
    this.midstreamPolicies[p] = (this.midstreamPolicies[p] ?? 0) + n;
  }

  /** A new packet: forget the previous packet's drop. */
  beginPacket(): void {
    this.dropRule = null;
    this.dropByThreshold = false;
  }

  /**
   * The current packet was dropped (IPS): count its reason and write its EVE `drop` record
   * when enabled. `ip` is its innermost IP packet, `side` its flow (null: flowless),
   * `flowDropped` whether the flow was dropped before this packet.
   */
  dropped(frame: Packet, ip: Packet, side: FlowSide | null, toServer: boolean, flowDropped: boolean): void {
    const reason: DropReason = flowDropped
      ? 'flow drop'
      : this.dropRule !== null
        ? this.dropByThreshold
          ? 'threshold detection_filter'
          : 'rules'
        : side !== null && side.exceptionPolicy !== '' && side.dropped
          ? 'stream midstream'
          : 'rules';
    const counter = DROP_REASON_COUNTERS[reason];
    this.dropReasons[counter] = (this.dropReasons[counter] ?? 0) + 1;
    const eng = this.engine;
    const opt = eng.config.eve?.drop;
    if (!opt) return;
    const o = opt === true ? {} : opt;
    if ((o.flows ?? 'start') === 'start' && side !== null && side.dropped) {
      // a dropped flow is logged once per direction, unless a rule dropped this packet
      const bit = toServer ? 1 : 2;
      const logged = (side.dropLogged & bit) !== 0;
      side.dropLogged |= bit;
      if (logged && this.dropRule === null) return;
    }
    const rule = this.dropRule;
    const alert =
      o.alerts && rule !== null
        ? buildAlertRecord(rule, {
            tsSec: 0,
            tsUsec: 0,
            src: ip.buf,
            dst: ip.buf,
            srcPort: 0,
            dstPort: 0,
            ipProto: ip.ipProto,
            blocked: true,
            metadata: eng.config.eve?.metadata ?? true,
          }).alert
        : undefined;
    eng.write(
      buildDropRecord(ip, frame, {
        ...(side !== null ? { flowId: side.flowId, toServer } : {}),
        ...(eng.config.inIface !== undefined ? { inIface: eng.config.inIface } : {}),
        tzOffsetMinutes: eng.config.tzOffsetMinutes ?? 0,
        reason,
        ...(alert !== undefined ? { alert } : {}),
      }),
    );
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
      if (this.dropRule === null) this.noteDropRule(out);
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
      const dns = this.dnsMessage;
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
      if (dns !== null && txId >= 0) rec.dns = dnsEveV3(dns, txId);
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

  /** The first match whose action (or rate_filter's new action) drops: the drop's cause. */
  private noteDropRule(out: MatchResult): void {
    for (let i = 0; i < out.count; i++) {
      const ov = out.actionOverride[i];
      if (ov !== null && isDropAction(ov)) {
        this.dropRule = out.rules[i];
        this.dropByThreshold = true;
        return;
      }
      if (ov === null && isDropAction(out.rules[i].action)) {
        this.dropRule = out.rules[i];
        return;
      }
    }
  }
}

const EMPTY = new Uint8Array(0);

function isDropAction(a: string): boolean {
  return a === 'drop' || a.startsWith('reject');
}

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
