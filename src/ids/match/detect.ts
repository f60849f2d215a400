/**
 * The detector: given a {@link DetectInput} (a packet, a stream chunk or a transaction),
 * finds the rules that match, applies their post-match actions (flowbits, flowint, xbits) and
 * thresholds, and reports the matches in evaluation order.
 *
 * Per call: prefilter scans of the present buffers -> candidate rules (plus the header index
 * of rules without a fast pattern) -> for each candidate in order: protocol, ports, addresses,
 * flow, header fields, flowbits conditions, then the buffer lists. Nothing is allocated on
 * this path except derived (transformed) buffers and regex match arrays.
 */

import { type BufferPrefilter, Candidates } from '../prefilter/prefilter.js';
import { BUFFERS, BufferId, type BufferSlot, InspectionBuffer } from './buffers.js';
import { HostBits } from './flow-vars.js';
import { type DetectInput, InputKind } from './input.js';
import { Inspector } from './inspect.js';
import { type BitsCheck, type BufferList, type CompiledRule, PacketField, PayloadMode } from './rule.js';
import type { RuleSet } from './ruleset.js';
import { ThresholdStore } from './threshold.js';
import { applyTransforms } from './transforms.js';
import { uintMatch } from './uint.js';

/** Matches of one detection call. */
export class MatchResult {
  /** Matched rules, in evaluation order. */
  readonly rules: CompiledRule[] = [];
  /** Per match: true when an alert must be logged (false: noalert or threshold-silenced). */
  readonly alert: boolean[] = [];
  /** Per match: action replaced by a rate_filter, or null. */
  readonly actionOverride: Array<string | null> = [];
  count = 0;
  /** A pass rule matched: no later rule was evaluated. */
  passed = false;
  /** A drop or reject rule matched (or a rate_filter turned a match into a drop): in IPS mode, drop the packet. */
  dropped = false;
  /**
   * The drop (or pass) applies to the whole flow: the rule was IP-only or an app-layer rule,
   * Suricata's flow action scope. In IPS mode the engine drops (passes) the flow's later
   * packets without inspecting them.
   */
  dropFlow = false;
  passFlow = false;

  reset(): void {
    this.count = 0;
    this.passed = false;
    this.dropped = false;
    this.dropFlow = false;
    this.passFlow = false;
  }

  push(rule: CompiledRule, alert: boolean, override: string | null): void {
    this.rules[this.count] = rule;
    this.alert[this.count] = alert;
    this.actionOverride[this.count] = override;
    this.count++;
  }
}

/** threshold.config entries of one rule (see rules/threshold-config.ts). */
export interface RuleThresholdOverrides {
  suppress: Array<{
    track: 'by_src' | 'by_dst' | 'by_either' | null;
    ips: { has(a: Uint8Array): boolean } | null;
  }>;
  /** Replaces the rule's threshold keyword. */
  threshold: import('./threshold.js').ThresholdSpec | null;
  rateFilter: import('./threshold.js').ThresholdSpec | null;
}

/** Per-thread detector over one {@link RuleSet}. */
export class Detector {
  readonly rules: RuleSet;
  readonly thresholds = new ThresholdStore();
  readonly hostBits = new HostBits();
  readonly inspector = new Inspector();
  /** threshold.config entries by rule index. */
  private overrides: Array<RuleThresholdOverrides | null> = [];
  private readonly cand: Candidates;
  /** Derived buffers per variant and side, computed lazily in each call. */
  private readonly derived: Array<{
    gen: number;
    toServer: InspectionBuffer[];
    toClient: InspectionBuffer[];
  }> = [];
  private gen = 0;
  private readonly scratchSlot: InspectionBuffer[] = [];
  /** Incremental body scans per transaction (keyed by its fired-rules set), request and response. */
  private readonly bodyScans = new WeakMap<Set<number>, [BodyScan, BodyScan]>();
  private readonly bodyCand: Candidates;

  constructor(rules: RuleSet) {
    this.rules = rules;
    this.cand = new Candidates(rules.size);
    this.bodyCand = new Candidates(rules.size);
    for (let v = 0; v < rules.variants.length; v++)
      this.derived.push({ gen: -1, toServer: [], toClient: [] });
  }

  /** Installs threshold.config entries, indexed like `rules.rules`. */
  setThresholdOverrides(o: Array<RuleThresholdOverrides | null>): void {
    this.overrides = o;
  }

  /**
   * Runs detection for one input; fills `out` (reset first). For transactions pass the
   * transaction's set of fired rule indices: rules in it are not evaluated again (a rule
   * fires at most once per transaction, and its flowbits are not set twice) and new matches
   * are added to it.
   */
  detect(input: DetectInput, out: MatchResult, txFired?: Set<number>): void {
    out.reset();
    this.gen++;
    const cand = this.cand;
    cand.reset();
    const rs = this.rules;
    const isTx = input.kind === InputKind.TX;
    const variants = isTx ? rs.txPrefilterVariants : rs.packetPrefilterVariants;
    for (let k = 0; k < variants.length; k++) {
      const v = variants[k];
      let pf = (isTx ? rs.txPrefilters : rs.prefilters)[v]!;
      // packet payloads and stream chunks: the prefilter of the rules their protocol and ports allow
      if (v === BufferId.PKT_DATA && !isTx && rs.payloadGroups !== null && input.ipVersion !== 0)
        pf = rs.payloadGroups.get(input.ipProto, input.srcPort, input.dstPort);
      const base = rs.variants[v].buffer;
      const packetBuf = BUFFERS[base].appProto === null && base !== BufferId.FILE_DATA;
      if (packetBuf) {
        // packet buffers have one side: they live in the toServer slots
        this.scanSide(v, true, input, pf);
      } else if (!isTx) {
        this.scanSide(v, input.toServer, input, pf);
      } else if (v === BufferId.FILE_DATA && txFired !== undefined) {
        this.scanBodies(input, pf, txFired);
      } else {
        this.scanSide(v, true, input, pf);
        this.scanSide(v, false, input, pf);
      }
    }
    (isTx ? rs.txNoPrefilter : rs.packetNoPrefilter).collect(
      input.ipProto,
      input.src,
      input.dst,
      input.srcPort,
      input.dstPort,
      cand,
    );
    cand.sort();
    const list = cand.list;
    for (let c = 0; c < cand.count; c++) {
      const rule = rs.rules[list[c]];
      if (rule.isTx !== isTx) continue;
      if (txFired?.has(rule.index)) continue;
      if (!this.matchRule(rule, input)) continue;
      txFired?.add(rule.index);
      this.postMatch(rule, input, out);
      if (rule.action === 'pass') {
        out.passed = true;
        return;
      }
    }
  }

  private scanSide(
    v: number,
    toServer: boolean,
    input: DetectInput,
    pf: { scan(b: Uint8Array, c: Candidates): void },
  ): void {
    const n = this.instances(v, toServer, input);
    const bufs = this.scratchSlot;
    for (let i = 0; i < n; i++) pf.scan(bufs[i].data, this.cand);
  }

  /**
   * Prefilter of the plain file.data automaton (request and response bodies) for a
   * transaction: a body only grows while its transaction lasts, so each call scans the bytes
   * added since the last call on the same transaction (`txKey`), resuming the automaton where
   * it stopped, and adds the rules found before. The candidates are those of a whole scan.
   */
  private scanBodies(input: DetectInput, pf: BufferPrefilter, txKey: Set<number>): void {
    const own = txKey instanceof TxFired;
    let st = own ? txKey.bodyScans : this.bodyScans.get(txKey);
    if (st == null) {
      st = [new BodyScan(), new BodyScan()];
      if (own) txKey.bodyScans = st;
      else this.bodyScans.set(txKey, st);
    }
    for (let side = 0; side < 2; side++) {
      const slot = input.buffers.slot(BufferId.FILE_DATA, side === 0);
      if (slot.count !== 1) {
        for (let i = 0; i < slot.count; i++) pf.scan(slot.items[i].data, this.cand);
        continue;
      }
      const data = slot.items[0].data;
      const b = st[side];
      // the body was moved (grown into a new array) or is another one: scan it whole
      if (data.buffer !== b.arrayBuffer || data.byteOffset !== b.byteOffset || data.length < b.length) {
        b.arrayBuffer = data.buffer;
        b.byteOffset = data.byteOffset;
        b.length = 0;
        b.state = 0;
        b.rules.length = 0;
      }
      const sc = this.bodyCand;
      sc.reset();
      const rules = b.rules;
      for (let i = 0; i < rules.length; i++) sc.add(rules[i]);
      const before = sc.count;
      if (data.length > b.length) {
        b.state = pf.scanFrom(data, b.length, b.state, sc);
        b.length = data.length;
      }
      const list = sc.list;
      for (let i = before; i < sc.count; i++) rules.push(list[i]);
      for (let i = 0; i < sc.count; i++) this.cand.add(list[i]);
    }
  }

  /** Puts the instances of variant `v` on one side into scratchSlot; returns their number. */
  private instances(v: number, toServer: boolean, input: DetectInput): number {
    const def = this.rules.variants[v];
    const slot: BufferSlot = input.buffers.slot(def.buffer, toServer);
    if (def.transforms.length === 0) {
      for (let i = 0; i < slot.count; i++) this.scratchSlot[i] = slot.items[i];
      return slot.count;
    }
    const d = this.derived[v];
    if (d.gen !== this.gen) {
      d.gen = this.gen;
      fillDerived(d.toServer, input.buffers.slot(def.buffer, true), def.transforms);
      fillDerived(d.toClient, input.buffers.slot(def.buffer, false), def.transforms);
    }
    const arr = toServer ? d.toServer : d.toClient;
    for (let i = 0; i < slot.count; i++) this.scratchSlot[i] = arr[i];
    return slot.count;
  }

  /** Full evaluation of one rule (no side effects). */
  matchRule(rule: CompiledRule, input: DetectInput): boolean {
    // protocol
    if (rule.ipProto >= 0 && input.ipProto !== rule.ipProto && input.ipProto !== rule.ipProtoAlt)
      return false;
    if (rule.appProto !== null && input.appProto !== rule.appProto) return false;
    // ports and addresses, either orientation for <>
    if (!this.header(rule, input)) return false;
    // flow
    const f = rule.flow;
    if (f !== null) {
      if (!input.hasFlow) return false;
      if (f.toServer && !input.toServer) return false;
      if (f.toClient && input.toServer) return false;
      if (f.established && !input.established) return false;
      if (f.notEstablished && input.established) return false;
    }
    if (!rule.isTx) {
      if (input.kind === InputKind.STREAM) {
        if (rule.payloadMode === PayloadMode.PACKET) return false;
      } else if (rule.payloadMode === PayloadMode.STREAM) return false;
    } else if (rule.direction !== 0 && (rule.direction === 1) !== input.toServer) return false;
    if (!this.packetFields(rule, input)) return false;
    if (!this.flowConditions(rule, input)) return false;
    // buffer lists
    const lists = rule.lists;
    for (let i = 0; i < lists.length; i++) if (!this.matchList(lists[i], input)) return false;
    return true;
  }

  private header(rule: CompiledRule, input: DetectInput): boolean {
    if (input.ipVersion === 0) return rule.src.any && rule.dst.any;
    const ports = input.ipProto === 6 || input.ipProto === 17 || input.ipProto === 132;
    if (
      (!ports || (rule.srcPorts.has(input.srcPort) && rule.dstPorts.has(input.dstPort))) &&
      rule.src.has(input.src) &&
      rule.dst.has(input.dst)
    )
      return true;
    if (!rule.bidirectional) return false;
    return (
      (!ports || (rule.srcPorts.has(input.dstPort) && rule.dstPorts.has(input.srcPort))) &&
      rule.src.has(input.dst) &&
      rule.dst.has(input.src)
    );
  }

  private packetFields(rule: CompiledRule, input: DetectInput): boolean {
    const checks = rule.packetChecks;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i];
      const v = fieldValue(c.field, input);
      if (v < 0 || !uintMatch(c.cmp, v)) return false;
    }
    if (rule.tcpFlags !== null && (input.tcpFlags < 0 || !bitsMatch(rule.tcpFlags, input.tcpFlags)))
      return false;
    if (rule.fragbits !== null && (input.ipVersion !== 4 || !bitsMatch(rule.fragbits, input.fragbits)))
      return false;
    if (rule.ipOpts !== 0 && (input.ipOpts & rule.ipOpts) === 0) return false;
    if (rule.sameip && !sameBytes(input.src, input.dst)) return false;
    for (let i = 0; i < rule.streamSize.length; i++) {
      const s = rule.streamSize[i];
      if (input.ipProto !== 6 || !input.hasFlow) return false;
      const a = input.streamBytesToServer;
      const b = input.streamBytesToClient;
      let ok: boolean;
      switch (s.side) {
        case 'client':
          ok = uintMatch(s.cmp, a);
          break;
        case 'server':
          ok = uintMatch(s.cmp, b);
          break;
        case 'both':
          ok = uintMatch(s.cmp, a) && uintMatch(s.cmp, b);
          break;
        default:
          ok = uintMatch(s.cmp, a) || uintMatch(s.cmp, b);
      }
      if (!ok) return false;
    }
    for (let i = 0; i < rule.appLayerProtocol.length; i++) {
      const a = rule.appLayerProtocol[i];
      // Suricata: before protocol detection concludes, app-layer-protocol matches nothing,
      // negated or not (detect-app-layer-protocol-01)
      if (input.appProto === '' && !a.names.includes('unknown')) return false;
      const hit = a.names.includes(input.appProto === '' ? 'unknown' : input.appProto);
      if (hit === a.negated) return false;
    }
    if (rule.tlsVersions.length > 0 && !rule.tlsVersions.includes(input.tlsVersion)) return false;
    return true;
  }

  private flowConditions(rule: CompiledRule, input: DetectInput): boolean {
    const conds = rule.flowbitConditions;
    const fv = input.flowVars;
    // flowbits and flowint keywords never match a packet without a flow, isnotset included
    if (fv === null && (conds.length > 0 || rule.flowints.length > 0)) return false;
    for (let i = 0; i < conds.length; i++) {
      const c = conds[i];
      if (c.cmd === 'isset') {
        if (fv === null) return false;
        let hit = c.all;
        for (const id of c.ids) {
          const s = fv.isSet(id);
          if (c.all && !s) hit = false;
          if (!c.all && s) hit = true;
        }
        if (!hit) return false;
      } else {
        if (fv === null) return false;
        let hit = c.all;
        for (const id of c.ids) {
          const s = !fv.isSet(id);
          if (c.all && !s) hit = false;
          if (!c.all && s) hit = true;
        }
        if (!hit) return false;
      }
    }
    for (const fi of rule.flowints) {
      if (fi.op === '=' || fi.op === '+' || fi.op === '-') continue;
      const v = fv?.getInt(fi.id);
      if (fi.op === 'isset') {
        if (v === undefined) return false;
        continue;
      }
      if (fi.op === 'notset') {
        if (v !== undefined) return false;
        continue;
      }
      if (v === undefined) return false;
      const w = fi.valueId >= 0 ? fv?.getInt(fi.valueId) : fi.value;
      if (w === undefined) return false;
      if (!compareInt(fi.op, v, w)) return false;
    }
    for (const x of rule.xbits) {
      if (x.cmd === 'isset' && !this.hostBits.isSet(x.id, x.track, input.src, input.dst, input.time))
        return false;
      if (x.cmd === 'isnotset' && this.hostBits.isSet(x.id, x.track, input.src, input.dst, input.time))
        return false;
    }
    return true;
  }

  private matchList(list: BufferList, input: DetectInput): boolean {
    const base = list.buffer;
    const packetBuf = BUFFERS[base].appProto === null && base !== BufferId.FILE_DATA;
    const toServer = packetBuf ? true : list.toServer === null ? input.toServer : list.toServer;
    const n = this.instances(list.variant, toServer, input);
    const bufs = this.scratchSlot;
    for (let i = 0; i < n; i++) if (this.inspector.inspect(list.ops, bufs[i])) return true;
    return false;
  }

  private markDrop(rule: CompiledRule, out: MatchResult): void {
    out.dropped = true;
    if (rule.flowScope) out.dropFlow = true;
  }

  private postMatch(rule: CompiledRule, input: DetectInput, out: MatchResult): void {
    const fv = input.flowVars;
    for (const a of rule.flowbitActions) {
      if (fv === null) break;
      for (const id of a.ids) {
        if (a.cmd === 'set') fv.set(id);
        else if (a.cmd === 'unset') fv.unset(id);
        else fv.toggle(id);
      }
    }
    for (const fi of rule.flowints) {
      if (fv === null) break;
      if (fi.op !== '=' && fi.op !== '+' && fi.op !== '-') continue;
      const w = fi.valueId >= 0 ? fv.getInt(fi.valueId) : fi.value;
      if (w === undefined) continue;
      const cur = fv.getInt(fi.id);
      if (fi.op === '=') fv.setInt(fi.id, w);
      else if (fi.op === '+') fv.setInt(fi.id, (cur ?? 0) + w);
      else if (cur !== undefined) fv.setInt(fi.id, cur - w);
    }
    for (const x of rule.xbits) {
      if (x.cmd === 'set') this.hostBits.set(x.id, x.track, input.src, input.dst, input.time, x.expire);
      else if (x.cmd === 'unset') this.hostBits.unset(x.id, x.track, input.src, input.dst);
      else if (x.cmd === 'toggle')
        this.hostBits.toggle(x.id, x.track, input.src, input.dst, input.time, x.expire);
    }
    // a pass rule passes the packet; Suricata does not log it as an alert
    let alert = !rule.noalert && rule.action !== 'pass';
    const ov = this.overrides[rule.index] ?? null;
    const threshold = ov?.threshold ?? rule.threshold;
    if (rule.detectionFilter === null && threshold === null && ov === null) {
      if (rule.action !== 'alert' && rule.action !== 'pass') this.markDrop(rule, out);
      else if (rule.action === 'pass' && rule.flowScope) out.passFlow = true;
      out.push(rule, alert, null);
      return;
    }
    const key = rule.gid + ':' + rule.sid;
    const flowMap = input.flowVars ? input.flowVars.thresholdMap() : null;
    if (rule.detectionFilter !== null) {
      const df = rule.detectionFilter;
      const port = df.uniqueOn === 'src_port' ? input.srcPort : input.dstPort;
      const r = this.thresholds.apply(df, key, input.src, input.dst, input.time, flowMap, port);
      if (r !== 1) alert = false;
    }
    if (threshold !== null) {
      const r = this.thresholds.apply(threshold, key, input.src, input.dst, input.time, flowMap);
      if (r !== 1) alert = false;
    }
    let override: string | null = null;
    if (ov !== null) {
      for (const s of ov.suppress) {
        const hit =
          s.ips === null ||
          (s.track === 'by_src' && s.ips.has(input.src)) ||
          (s.track === 'by_dst' && s.ips.has(input.dst)) ||
          ((s.track === 'by_either' || s.track === null) && (s.ips.has(input.src) || s.ips.has(input.dst)));
        if (hit) alert = false;
      }
      if (ov.rateFilter !== null) {
        this.thresholds.apply(ov.rateFilter, key + '|rate', input.src, input.dst, input.time, flowMap);
        if (this.thresholds.rateExceeded) override = ov.rateFilter.newAction ?? null;
      }
    }
    if (
      override === 'drop' ||
      override === 'reject' ||
      (override === null && rule.action !== 'alert' && rule.action !== 'pass')
    )
      this.markDrop(rule, out);
    out.push(rule, alert, override);
  }
}

/**
 * The set of rules fired on one transaction (and direction), which {@link Detector.detect}
 * takes for transactions, with room for the detector's incremental body-scan state: kept on
 * the set rather than in a WeakMap keyed by it, whose insertions cost about a microsecond
 * each (50 ms of an ET Open run). A plain Set still works (the WeakMap is the fallback).
 */
export class TxFired extends Set<number> {
  /** Detector state: the request and response body scans of this transaction. */
  bodyScans: [BodyScan, BodyScan] | null = null;
}

/** How far the prefilter has scanned one body of a transaction. */
class BodyScan {
  arrayBuffer: ArrayBufferLike | null = null;
  byteOffset = 0;
  /** Bytes scanned (the body's length at the last call). */
  length = 0;
  /** Automaton state after them. */
  state = 0;
  /** Rules whose fast pattern occurs in them. */
  readonly rules: number[] = [];
}

function fillDerived(
  target: InspectionBuffer[],
  slot: BufferSlot,
  transforms: Parameters<typeof applyTransforms>[0],
): void {
  for (let i = 0; i < slot.count; i++) {
    let b = target[i];
    if (!b) {
      b = new InspectionBuffer();
      target[i] = b;
    }
    b.set(applyTransforms(transforms, slot.items[i].data));
  }
}

function fieldValue(field: number, input: DetectInput): number {
  switch (field) {
    case PacketField.TTL:
      return input.ttl;
    case PacketField.ITYPE:
      return input.icmpType;
    case PacketField.ICODE:
      return input.icmpCode;
    case PacketField.ICMP_ID:
      return input.icmpId;
    case PacketField.ICMP_SEQ:
      return input.icmpSeq;
    case PacketField.IP_PROTO:
      return input.ipProto;
    case PacketField.DSIZE:
      return input.ipVersion === 0 ? -1 : input.payloadLen;
    case PacketField.IP_ID:
      return input.ipVersion === 4 ? input.ipId : -1;
    case PacketField.TCP_SEQ:
      return input.ipProto === 6 ? input.tcpSeq : -1;
    case PacketField.TCP_ACK:
      return input.ipProto === 6 ? input.tcpAck : -1;
    case PacketField.TCP_WINDOW:
      return input.ipProto === 6 ? input.tcpWindow : -1;
    case PacketField.TCP_MSS:
      return input.tcpMss;
    case PacketField.TOS:
      return input.tos;
    case PacketField.FRAGOFFSET:
      return input.ipVersion === 4 ? input.fragOffset : -1;
  }
  return -1;
}

/** flags / fragbits semantics (after removing the ignored bits). */
export function bitsMatch(c: BitsCheck, value: number): boolean {
  const v = value & ~c.ignore;
  switch (c.mode) {
    case 0:
      return v === c.bits;
    case 1:
      return (v & c.bits) === c.bits;
    case 2:
      return (v & c.bits) !== 0;
    case 3:
      return (v & c.bits) !== c.bits;
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareInt(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}
