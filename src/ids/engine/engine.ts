/**
 * The signature IDS engine: packet records in, EVE records out.
 *
 * ```
 * record -> Decoder -> FlowTable -> FlowSide (flow vars, TcpSession, app layer)
 *        -> DetectInput: PACKET (every packet), STREAM (new reassembled bytes),
 *           TX (HTTP / DNS / TLS / SSH progress points) -> Detector -> alerts -> sinks
 *        -> observers (behavioural detectors) see every packet, flow end, HTTP transaction
 * ```
 *
 * One engine is single-threaded and synchronous: {@link IdsEngine.processRecord} returns
 * once the packet was inspected and every record it caused was written to the sinks. The
 * decoded packet, the detect input and the flow state are reused objects; nothing is
 * allocated per packet on the common path (a packet without alerts, app-layer progress or
 * flow end).
 */

import { ErrorCodes, SentraError } from '../../errors.js';
import { FlowTable } from '../../flow/table.js';
import { Decoder } from '../../packet/decoder.js';
import { IpDefragmenter } from '../../packet/defrag.js';
import { Encap } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import type { PacketRecord } from '../../packet/record.js';
import { HttpStats } from '../app/http/stats.js';
import type { EveAlertRecord, EveRecord } from '../eve.js';
import { Detector, MatchResult } from '../match/detect.js';
import { DetectInput } from '../match/input.js';
import { RuleSet } from '../match/ruleset.js';
import { buildDetectorAlert, type ObserverContext, type PacketObserver } from '../observer.js';
import { loadRuleSources, type RuleLoadResult } from '../rules/loader.js';
import { type ThresholdConfig, thresholdOverrides } from '../rules/threshold-config.js';
import { type StreamConfig, streamConfig } from '../stream/config.js';
import { StreamStats } from '../stream/stats.js';
import { AlertCounter } from './alert-count.js';
import { FlowPipeline } from './pipeline.js';
import {
  type AlertInfo,
  type EveSink,
  type IdsEngineConfig,
  type IdsEngineOptions,
  type IdsStats,
  Verdict,
  type VerdictValue,
} from './types.js';

export class IdsEngine {
  private ruleSetValue: RuleSet;
  private detector: Detector;
  private readonly sources: IdsEngineOptions['ruleSources'];
  private readonly loadOptions: IdsEngineOptions['ruleLoadOptions'];
  private thresholdConfig: ThresholdConfig | null;
  readonly ips: boolean;
  readonly config: Readonly<IdsEngineConfig>;
  readonly observers: readonly PacketObserver[];
  private readonly sinks: EveSink[];
  private readonly onAlert: IdsEngineOptions['onAlert'];
  readonly decoder = new Decoder();
  /** IP reassembly: a completed datagram is inspected as a packet of its own (Suricata's defrag). */
  readonly defrag = new IpDefragmenter();
  /** Set during a raw stream inspection across holes: the payload alerts log (with gap markers). */
  streamLogPayload: Uint8Array | null = null;
  private readonly defragDecoder = new Decoder();
  readonly table: FlowTable;
  readonly streamStats = new StreamStats();
  readonly httpStats = new HttpStats();
  readonly streamConfig: StreamConfig;
  private readonly pipeline: FlowPipeline;
  private readonly counts = new AlertCounter();
  private finished = false;
  private lastTickUs = 0;

  /**
   * @throws SENTRA_ERR_INVALID_ARGUMENT on a bad flow-table setting,
   *   SENTRA_ERR_STREAM_CONFIG on a bad stream/HTTP limit
   */
  constructor(opts: IdsEngineOptions) {
    this.ruleSetValue = opts.ruleSet;
    this.sources = opts.ruleSources;
    this.loadOptions = opts.ruleLoadOptions;
    this.config = opts.config ?? {};
    this.thresholdConfig = this.config.thresholdConfig ?? null;
    this.ips = opts.ips ?? false;
    this.sinks = opts.sinks ?? [];
    this.onAlert = opts.onAlert;
    this.observers = opts.observers ?? [];
    this.streamConfig = streamConfig(this.config.stream ?? {});
    this.detector = this.makeDetector(opts.ruleSet);
    this.table = new FlowTable({
      idleTimeout: this.config.flowIdleTimeout,
      activeTimeout: this.config.flowActiveTimeout,
      maxFlows: this.config.maxFlows,
      detectApp: false,
      rstLinger: true,
      // the engine reads only times and packet/byte counts: the CIC feature statistics are
      // kept only for observers that read flow columns when flows end (ML, daemon recorder)
      features: this.observers.some((o) => o.onFlowEnd !== undefined),
      onFlow: (f) => this.pipeline.flowEnded(f.slot, f.reason),
    });
    this.pipeline = new FlowPipeline(this, this.table, this.detector);
    for (const o of this.observers) {
      const ctx: ObserverContext = {
        emit: (a) => {
          const rec = buildDetectorAlert(a, o.name, this.config.tzOffsetMinutes ?? 0);
          if (this.config.inIface !== undefined) rec.in_iface = this.config.inIface;
          this.emitAlert(rec, {
            rule: null,
            detector: o.name,
            severity: a.severity,
            blocked: rec.alert.action === 'blocked',
          });
        },
      };
      o.attach(ctx);
    }
  }

  /** The rule set in use. */
  get ruleSet(): RuleSet {
    return this.ruleSetValue;
  }

  /** Decodes and inspects one captured packet. */
  processRecord(rec: PacketRecord): VerdictValue {
    return this.processPacket(this.decoder.decode(rec));
  }

  /**
   * Inspects one decoded packet (from this engine's {@link decoder}, or any `Decoder` whose
   * packet stays valid during the call). Returns {@link Verdict}.DROP when IPS mode drops it.
   */
  processPacket(p: Packet): VerdictValue {
    if (this.finished) throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'the IDS engine has finished');
    const v = this.pipeline.packet(p);
    if (IpDefragmenter.isFragment(p)) {
      const whole = this.defrag.add(p);
      if (whole !== null)
        this.pipeline.packet(
          this.defragDecoder.decodeBytes(whole, 0, whole.length, whole.length, p.linkType, p.tsSec, p.tsNsec),
        );
    }
    const tsUs = p.tsSec * 1e6 + Math.floor(p.tsNsec / 1000);
    if (tsUs - this.lastTickUs >= 1e6) this.tickObservers(tsUs);
    return v;
  }

  /**
   * Packet time moved on without packets (live capture): ends idle flows and lets observers
   * expire their windows. `nowUs`: µs since the epoch (wall clock for live capture).
   */
  tick(nowUs: number): void {
    if (this.finished) return;
    this.table.tick(nowUs);
    this.tickObservers(nowUs);
  }

  private tickObservers(nowUs: number): void {
    this.lastTickUs = nowUs;
    for (const o of this.observers) o.tick?.(nowUs);
  }

  /**
   * End of input: every flow still open ends (its remaining stream data and transactions are
   * inspected), observers report what is pending, and a `stats` record is written when
   * enabled. Sinks are closed by {@link close}. Returns the final counters.
   */
  finish(): IdsStats {
    if (!this.finished) {
      this.table.flush();
      for (const o of this.observers) o.finish?.();
      this.finished = true;
      if (this.config.eve?.stats) this.write(this.pipeline.statsRecord(this.stats()));
    }
    return this.stats();
  }

  /** Closes every sink (after {@link finish}). */
  async close(): Promise<void> {
    for (const s of this.sinks) await s.close?.();
  }

  /** Counters so far. */
  stats(): IdsStats {
    const p = this.pipeline.counters;
    const ts = this.table.stats();
    const stream: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.streamStats)) if (typeof v === 'number') stream[k] = v;
    return {
      packets: p.packets,
      bytes: p.bytes,
      nonIp: p.nonIp,
      malformed: p.malformed,
      flows: ts.flows,
      activeFlows: ts.active,
      alerts: this.counts.total,
      alertsBySeverity: this.counts.bySeverity(),
      alertsBySignature: this.counts.bySignature(),
      dropped: p.dropped,
      rulesLoaded: this.ruleSetValue.size,
      inspections: { packet: p.inspPacket, stream: p.inspStream, tx: p.inspTx },
      transactions: { http: this.httpStats.transactions, dns: p.txDns, tls: p.txTls, ssh: p.txSsh },
      stream,
      firstTs: p.firstTs,
      lastTs: p.lastTs,
    };
  }

  // ---- runtime rule changes ----------------------------------------------------------------

  /**
   * Replaces the rule set (and threshold.config, when given). Flow variables (flowbits,
   * flowints) of open flows are cleared, as their ids belong to the old set; thresholds and
   * xbits start afresh.
   */
  setRuleSet(ruleSet: RuleSet, thresholdConfig?: ThresholdConfig | null): void {
    if (thresholdConfig !== undefined) this.thresholdConfig = thresholdConfig;
    this.ruleSetValue = ruleSet;
    this.detector = this.makeDetector(ruleSet);
    this.pipeline.setDetector(this.detector);
  }

  /**
   * Adds rules (rule-file text) to the running engine: the original sources are reloaded with
   * the new text appended, and the set swapped when the new text loaded. Needs `ruleSources`
   * in the options. Returns the load result; its `issues` name the rules left out.
   */
  addRules(text: string, file = 'runtime.rules'): RuleLoadResult {
    if (this.sources === undefined)
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        'addRules needs the rule texts the engine was started with (IdsEngineOptions.ruleSources)',
      );
    this.sources.push({ file, content: text });
    const r = loadRuleSources(this.sources, this.loadOptions ?? {});
    this.setRuleSet(r.ruleSet);
    return r;
  }

  /** Removes rules by gid:sid (gid 1 when omitted); returns how many were removed. */
  removeRules(ids: ReadonlyArray<{ gid?: number; sid: number }>): number {
    const drop = new Set(ids.map((i) => `${i.gid ?? 1}:${i.sid}`));
    const rs = this.ruleSetValue;
    const keep = rs.rules.filter((r) => !drop.has(`${r.gid}:${r.sid}`));
    const removed = rs.rules.length - keep.length;
    if (removed === 0) return 0;
    if (this.sources !== undefined) {
      // later addRules reloads the sources: remember the removal there too
      for (const s of this.sources) s.content = removeFromText(s.content, drop);
    }
    this.setRuleSet(new RuleSet(keep, rs.variants, rs.varNames, this.loadOptions?.actionOrder));
    return removed;
  }

  private makeDetector(rs: RuleSet): Detector {
    const d = new Detector(rs);
    if (this.thresholdConfig) d.setThresholdOverrides(thresholdOverrides(rs.rules, this.thresholdConfig));
    return d;
  }

  // ---- outputs (used by the pipeline) -------------------------------------------------------

  /** Writes a record to every sink. */
  write(rec: EveRecord): void {
    for (const s of this.sinks) s.write(rec);
  }

  /** Counts an alert and writes it. */
  emitAlert(rec: EveAlertRecord, info: AlertInfo): void {
    this.counts.add(rec, info);
    this.write(rec as unknown as EveRecord);
    this.onAlert?.(rec, info);
  }

  /** Reusable objects the pipeline hands to detection. */
  readonly input = new DetectInput();
  readonly result = new MatchResult();
}

/** The innermost IP packet (tunnels followed, ICMP quotes not), as the flow table keys it. */
export function innermostIp(p: Packet): Packet {
  let ip = p;
  while (ip.inner !== null && ip.innerKind !== Encap.ICMP_QUOTE && ip.inner.ipVersion !== 0) ip = ip.inner;
  return ip;
}

/** Comments out rules whose gid:sid is in `drop` (for reloads after removeRules). */
function removeFromText(text: string, drop: Set<string>): string {
  return text
    .split('\n')
    .map((line) => {
      const sid = /\bsid\s*:\s*(\d+)/.exec(line);
      if (!sid || /^\s*#/.test(line)) return line;
      const gid = /\bgid\s*:\s*(\d+)/.exec(line);
      return drop.has(`${gid ? gid[1] : 1}:${sid[1]}`) ? `# ${line}` : line;
    })
    .join('\n');
}

export { Verdict };
