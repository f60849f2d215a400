/**
 * Turns the detector's matches into EVE alert records (and IPS verdicts). Only alerts
 * allocate: the common case, no match, returns at once.
 */
import { D_BYTES, D_PKTS, DIR_SLOTS, F_DIR } from '../../flow/layout.js';
import { FlowTable } from '../../flow/table.js';
import type { Packet } from '../../packet/packet.js';
import { type AlertContext, buildAlertRecord, type EveHttp } from '../eve.js';
import type { MatchResult } from '../match/detect.js';
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
    http: Record<string, unknown> | null,
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
      if (http !== null) ctx.http = http as EveHttp;
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
      const rec = buildAlertRecord(rule, ctx);
      eng.emitAlert(rec, { rule, detector: null, severity: severityWordOfPriority(rule.priority), blocked });
    }
    return verdict;
  }
}
