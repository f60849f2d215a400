/**
 * The per-packet path of the engine: flow side state, TCP session, the three kinds of
 * inspection (packet, stream, transaction) in Suricata's order, IPS verdicts, flow end.
 *
 * Order per packet: the flow table counts it (flows that end on the way are finished first),
 * the TCP session takes it, PACKET inspection, then STREAM inspection of the new in-order
 * bytes of its direction, each chunk also fed to the app-layer parser, whose progress points
 * run TX inspections. A rule alerts at most once per packet across the packet and stream
 * inspections (Suricata inspects the stream or else the packet for one signature).
 */
import { EndReason } from '../../flow/layout.js';
import type { EndedFlow, FlowTable } from '../../flow/table.js';
import { formatIp } from '../../net/address.js';
import { Layer } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import type { HttpTransaction } from '../app/http/transaction.js';
import { type EveRecord, eveProto, formatEveTimestamp } from '../eve.js';
import { BufferId } from '../match/buffers.js';
import type { Detector } from '../match/detect.js';
import { type DetectInput, InputKind } from '../match/input.js';
import type { TxMeta } from '../observer.js';
import { TcpSession, TcpState } from '../stream/session.js';
import { AlertWriter } from './alert-writer.js';
import { AppLayer } from './app-layer.js';
import { DecoderCounters } from './decoder-stats.js';
import type { IdsEngine } from './engine.js';
import { innermostIp } from './engine.js';
import { AppState, FlowSide } from './flow-side.js';
import { AddressScratch, fillPacketInput, rulesUseHeaderBuffers } from './packet-input.js';
import { flowRecord, type RecordMeta, statsRecord } from './records.js';
import { type IdsStats, Verdict, type VerdictValue } from './types.js';

export interface PipelineCounters {
  packets: number;
  bytes: number;
  nonIp: number;
  malformed: number;
  dropped: number;
  inspPacket: number;
  inspStream: number;
  inspTx: number;
  txDns: number;
  txTls: number;
  txSsh: number;
  firstTs: number;
  lastTs: number;
}

const NO_SLOT = -1;
/** Acknowledged bytes kept per direction for raw stream detection before it runs anyway. */
const RAW_MAX = 64 * 1024;

export class FlowPipeline {
  readonly counters: PipelineCounters = {
    packets: 0,
    bytes: 0,
    nonIp: 0,
    malformed: 0,
    dropped: 0,
    inspPacket: 0,
    inspStream: 0,
    inspTx: 0,
    txDns: 0,
    txTls: 0,
    txSsh: 0,
    firstTs: 0,
    lastTs: 0,
  };
  /** stats.decoder.* per protocol (counted only for the stats record). */
  readonly decoderCounters = new DecoderCounters();
  private readonly countDecoders: boolean;
  /** The flow-end record handed to observers (reused). */
  private readonly ended: EndedFlow;
  private readonly sides: FlowSide[] = [];
  private detector: Detector;
  private readonly addr = new AddressScratch();
  private headerBuffers: boolean;
  /** The rule set has transaction (app-layer) rules: TX inspections are worth their buffers. */
  hasTxRules: boolean;
  /** The rule set is empty: no inspection runs (none is counted), no payload buffer or raw stream is kept. */
  private noRules: boolean;
  /** Rules that matched the current packet (packet or stream inspection). */
  private readonly pktFired = new Set<number>();
  /** Stands for a side's pending set before it has one (stream matches land here, then are dropped). */
  private readonly emptyPending = new Set<number>();
  private inUpdate = false;
  private deferredSlot = NO_SLOT;
  private deferredReason = 0;
  readonly alerts: AlertWriter;
  readonly app: AppLayer;
  /** The packet being processed (null during flow-end work outside a packet). */
  current: Packet | null = null;
  /** Its time, seconds. */
  time = 0;

  constructor(
    readonly engine: IdsEngine,
    readonly table: FlowTable,
    detector: Detector,
  ) {
    this.detector = detector;
    this.headerBuffers = rulesUseHeaderBuffers(detector.rules);
    this.hasTxRules = detector.rules.rules.some((r) => r.isTx);
    this.noRules = detector.rules.size === 0;
    this.alerts = new AlertWriter(engine, table);
    this.app = new AppLayer(this);
    this.app.configure(detector.rules, this.hasTxRules);
    this.countDecoders = !!engine.config.eve?.stats;
    this.ended = { table, slot: 0, reason: 0 };
  }

  setDetector(d: Detector): void {
    this.detector = d;
    this.headerBuffers = rulesUseHeaderBuffers(d.rules);
    this.hasTxRules = d.rules.rules.some((r) => r.isTx);
    this.noRules = d.rules.size === 0;
    this.app.configure(d.rules, this.hasTxRules);
    for (const s of this.sides) {
      s.flowVars.bits = null;
      s.flowVars.ints = null;
      s.flowVars.thresholds = null;
      s.txFired?.clear();
    }
  }

  private side(slot: number): FlowSide {
    let s = this.sides[slot];
    if (s === undefined) {
      while (this.sides.length <= slot) this.sides.push(new FlowSide());
      s = this.sides[slot];
    }
    return s;
  }

  packet(p: Packet): VerdictValue {
    const c = this.counters;
    c.packets++;
    c.bytes += p.origLen;
    const time = p.tsSec + p.tsNsec / 1e9;
    if (c.firstTs === 0) c.firstTs = time;
    c.lastTs = time;
    if (p.malformed !== 0) c.malformed++;
    if (this.countDecoders) this.decoderCounters.count(p);
    this.current = p;
    this.time = time;
    const ip = innermostIp(p);
    this.inUpdate = true;
    const st = this.table.update(p);
    this.inUpdate = false;
    const eng = this.engine;
    const inp = eng.input;
    inp.reset();
    this.alerts.beginPacket();
    const tsUs = p.tsSec * 1e6 + Math.floor(p.tsNsec / 1000);
    if (!fillPacketInput(inp, ip, time, this.addr, this.headerBuffers, !this.noRules)) {
      c.nonIp++;
      if (eng.observers.length > 0) for (const o of eng.observers) o.onPacket?.(p, null, tsUs);
      this.endDeferred();
      return Verdict.ACCEPT;
    }
    let verdict: number = Verdict.ACCEPT;
    if (st === null) {
      verdict = this.inspectPacket(null);
      if (eng.observers.length > 0) for (const o of eng.observers) o.onPacket?.(p, null, tsUs);
      if (verdict === Verdict.DROP) {
        c.dropped++;
        this.alerts.dropped(p, ip, null, true, false);
      }
      return verdict as VerdictValue;
    }
    const side = this.side(st.slot);
    const toServer = st.direction === 0;
    if (st.isNew || side.flowId !== st.id) {
      side.begin(st.id, st.startUs / 1e6, inp.ipVersion, inp.ipProto);
      const cl = side.clientView;
      const sv = side.serverView;
      cl.set(toServer ? inp.src : inp.dst);
      sv.set(toServer ? inp.dst : inp.src);
      side.clientPort = toServer ? inp.srcPort : inp.dstPort;
      side.serverPort = toServer ? inp.dstPort : inp.srcPort;
    }
    this.alerts.flowState(st.toServerPackets, st.toClientPackets, st.toServerBytes, st.toClientBytes);
    const flowDropped = side.dropped;
    if (flowDropped) {
      verdict = Verdict.DROP;
    } else if (!side.bypassed) {
      // a passed flow is not inspected any more but its app layer is still parsed and logged
      // (Suricata 7+: ips-state-1)
      verdict = this.inspectFlowPacket(ip, side, toServer);
    }
    if (eng.observers.length > 0) for (const o of eng.observers) o.onPacket?.(p, st, tsUs);
    if (verdict === Verdict.DROP) {
      c.dropped++;
      this.alerts.dropped(p, ip, side, toServer, flowDropped);
    }
    this.endDeferred();
    return verdict as VerdictValue;
  }

  private inspectFlowPacket(ip: Packet, side: FlowSide, toServer: boolean): number {
    const inp = this.engine.input;
    const dir = toServer ? 0 : 1;
    let newBytes = 0;
    let sess: TcpSession | null = null;
    if ((ip.layers & Layer.TCP) !== 0) {
      sess = side.session;
      if (sess === null) {
        sess = side.spare ?? new TcpSession(this.engine.streamConfig, this.engine.streamStats);
        side.spare = null;
        sess.reset();
        side.session = sess;
      }
      // Suricata flags a packet established from the flow state before the packet's own
      // stream processing (FlowHandlePacketUpdate runs first)
      const wasEstablished = sess.established;
      newBytes = sess.handlePacket(ip, dir, this.time);
      // with pick-up off, a session seen first at its SYN/ACK (stream.async-oneside) is still a
      // midstream one for the exception policy, as in Suricata (exception-policy-midstream-02)
      if (
        (!sess.tracked || sess.midstream) &&
        side.exceptionPolicy === '' &&
        !this.engine.streamConfig.midstream
      ) {
        if (this.midstreamException(side)) return side.dropped ? Verdict.DROP : Verdict.ACCEPT;
      } else if (sess.midstream && side.exceptionPolicy === '' && this.engine.ips) {
        // Suricata (7.0.12+) records a midstream pick-up in IPS mode as the stream_midstream
        // exception with policy ignore on the flow (exception-policy-midstream-03)
        side.exceptionPolicy = 'ignore';
      }
      inp.established = wasEstablished;
      // inline: Suricata parses the app layer before detection, so the packet that makes the
      // protocol known is inspected with it
      if (
        newBytes > 0 &&
        side.appState === AppState.UNKNOWN &&
        (this.engine.ips || this.engine.config.streamInline)
      )
        this.app.probe(side, sess.read(dir), toServer);
      inp.streamBytesToServer = sess.delivered(0);
      inp.streamBytesToClient = sess.delivered(1);
    } else {
      if (toServer) side.seen0 = true;
      else side.seen1 = true;
      inp.established = side.seen0 && side.seen1;
    }
    inp.hasFlow = true;
    inp.toServer = toServer;
    inp.appProto = side.appProto;
    inp.tlsVersion = side.tlsVersion;
    inp.flowVars = side.flowVars;
    const fired = this.pktFired;
    // Set.clear() allocates a new table in V8: most packets fire nothing
    if (fired.size > 0) fired.clear();
    const wasPassed = side.passed;
    let verdict: number = wasPassed ? Verdict.ACCEPT : this.inspectPacket(side);
    // packet matches of rules that also read the stream: the stream chunk holding this
    // packet's bytes must not fire them again (Suricata inspects the stream or the packet)
    if (sess !== null && fired.size > 0 && ip.payloadCapLen > 0) side.addPending(dir, fired);
    // a pass rule matched the packet: its bytes are not inspected again from the stream
    if (sess !== null && !wasPassed && this.engine.result.passed && ip.payloadCapLen > 0)
      side.pendingPass[dir] = true;
    // UDP app layer (DNS) works per datagram
    if ((ip.layers & Layer.UDP) !== 0 && ip.payloadCapLen > 0) {
      this.app.datagram(ip, side, toServer);
      if (side.dropped && this.engine.ips) verdict = Verdict.DROP;
    }
    if (sess === null) return verdict;
    if (this.engine.ips || this.engine.config.streamInline) {
      // inline: data is inspected as it arrives
      if (newBytes > 0 && this.drain(side, sess, dir, Number.POSITIVE_INFINITY) === Verdict.DROP)
        verdict = Verdict.DROP;
      return verdict;
    }
    // IDS: a direction's data is inspected once the other side acknowledged it (Suricata's
    // raw stream and app-layer progress in IDS mode), the rest when the flow ends
    const other = 1 - dir;
    if ((ip.tcpFlags & 0x10) !== 0 && sess.dirs[other].hasBase) {
      const acked = sess.dirs[other].offsetOf(ip.ack);
      if (acked > side.ackOff[other]) side.ackOff[other] = acked;
      if (sess.available(other) > 0 && sess.offset(other) < side.ackOff[other]) {
        this.swapDirection(inp);
        this.drain(side, sess, other, side.ackOff[other], true);
        this.swapDirection(inp);
        inp.toServer = toServer;
      }
    }
    // raw stream detection of this packet's direction: the acknowledged bytes kept for it
    if (side.rawLen[dir] > 0) {
      if (this.inspectRaw(side, dir) === Verdict.DROP) verdict = Verdict.DROP;
      // this packet's bytes are not in the raw buffer yet: its matches still count for them
      if (ip.payloadCapLen > 0 && fired.size > 0) side.addPending(dir, fired);
    }
    void newBytes;
    return verdict;
  }

  private noPending(): Set<number> {
    const s = this.emptyPending;
    if (s.size > 0) s.clear();
    return s;
  }

  /**
   * STREAM inspection of the bytes of `dir` kept for raw detection (IDS mode: held in the TCP
   * session's buffer, no copy), with the input as oriented now; then they are released.
   */
  private inspectRaw(side: FlowSide, dir: number): number {
    const n = side.rawLen[dir];
    side.rawLen[dir] = 0;
    const sess = side.session as TcpSession;
    const pending = side.pendingFired[dir] ?? this.noPending();
    let v: number = Verdict.ACCEPT;
    const gaps = side.rawGapAt[dir];
    if (side.pendingPass[dir]) side.pendingPass[dir] = false;
    else if (gaps.length === 0) v = this.inspectStream(side, dir === 0, sess.held(dir), pending);
    else v = this.inspectRawAcrossGaps(side, sess.held(dir), n, dir, pending);
    sess.release(dir);
    side.clearRawGaps(dir);
    if (pending.size > 0) pending.clear();
    return v;
  }

  /**
   * Raw bytes with stream holes: each piece between holes is inspected on its own (content
   * never matches across a hole), the alerts log the whole window with Suricata's
   * "[N bytes missing]" markers in the payload (eve-overlap-payload-05-gap).
   */
  private inspectRawAcrossGaps(
    side: FlowSide,
    raw: Uint8Array,
    n: number,
    dir: number,
    pending: Set<number>,
  ): number {
    const at = side.rawGapAt[dir];
    const len = side.rawGapLen[dir];
    const parts: Uint8Array[] = [];
    let from = 0;
    for (let i = 0; i < at.length; i++) {
      parts.push(raw.subarray(from, at[i]), Buffer.from(`[${len[i]} bytes missing]`, 'latin1'));
      from = at[i];
    }
    parts.push(raw.subarray(from, n));
    const eng = this.engine;
    eng.streamLogPayload = Buffer.concat(parts);
    let v: number = Verdict.ACCEPT;
    from = 0;
    for (let i = 0; i <= at.length; i++) {
      const to = i < at.length ? at[i] : n;
      if (to > from && this.inspectStream(side, dir === 0, raw.subarray(from, to), pending) === Verdict.DROP)
        v = Verdict.DROP;
      from = to;
    }
    eng.streamLogPayload = null;
    return v;
  }

  /** Turns the input's endpoints around (inspecting the other direction's data on this packet). */
  private swapDirection(inp: DetectInput): void {
    const a = inp.src;
    inp.src = inp.dst;
    inp.dst = a;
    const p = inp.srcPort;
    inp.srcPort = inp.dstPort;
    inp.dstPort = p;
  }

  /** STREAM inspection and app-layer parsing of `dir`'s readable bytes below stream offset `limit`. */
  private drain(side: FlowSide, sess: TcpSession, dir: number, limit: number, raw = false): number {
    let verdict: number = Verdict.ACCEPT;
    const toServer = dir === 0;
    for (;;) {
      const gap = sess.takeGap(dir);
      if (gap > 0) {
        if (raw && !this.noRules) side.keepRawGap(dir, gap);
        this.app.gap(side, toServer, gap);
      }
      let v = sess.read(dir);
      if (v.length === 0) break;
      const room = limit - sess.offset(dir);
      if (room <= 0) break;
      if (v.length > room) v = v.subarray(0, room);
      if (raw) {
        // IDS: raw detection runs at the next packet of this direction (or flow end); without
        // rules the bytes only go to the app layer
        if (!this.noRules) {
          if (side.rawLen[dir] + v.length > RAW_MAX && this.inspectRaw(side, dir) === Verdict.DROP)
            verdict = Verdict.DROP;
          // the bytes stay held in the session's buffer once consumed (below)
          side.rawLen[dir] += v.length;
        }
      } else {
        const pending = side.pendingFired[dir] ?? this.noPending();
        if (side.pendingPass[dir]) side.pendingPass[dir] = false;
        else if (this.inspectStream(side, toServer, v, pending) === Verdict.DROP) verdict = Verdict.DROP;
        if (pending.size > 0) pending.clear();
      }
      this.app.stream(side, toServer, v);
      sess.consume(dir, v.length, raw && !this.noRules);
      // a transaction rule dropped the flow: the packet that brought the bytes is dropped too
      if (side.dropped && this.engine.ips) verdict = Verdict.DROP;
      if (side.bypassed || side.dropped) break;
    }
    return verdict;
  }

  /**
   * A session picked up midstream with pick-up off: apply stream.midstream-policy. Returns
   * true when the flow is no longer inspected.
   */
  private midstreamException(side: FlowSide): boolean {
    const policy = this.engine.config.midstreamPolicy ?? 'ignore';
    const ips = this.engine.ips;
    if (
      policy === 'ignore' ||
      ((policy === 'drop-flow' || policy === 'reject' || policy === 'drop-packet') && !ips)
    ) {
      side.exceptionPolicy = 'ignore';
      return false;
    }
    side.exceptionPolicy = policy.replace('-', '_');
    if (policy === 'pass-flow') side.passed = true;
    else if (policy === 'bypass') {
      side.passed = true;
      side.bypassed = true;
    } else if (policy === 'drop-flow' || policy === 'reject') side.dropped = true;
    else return false;
    return true;
  }

  /** PACKET inspection of the input as filled; `side` null for flowless packets. */
  private inspectPacket(side: FlowSide | null): number {
    const inp = this.engine.input;
    const out = this.engine.result;
    if (this.noRules) return Verdict.ACCEPT;
    this.counters.inspPacket++;
    this.detector.detect(inp, out, side === null ? undefined : this.pktFired);
    return this.alerts.matches(out, side, null, -1, this.current);
  }

  /** STREAM inspection of one chunk of reassembled bytes of the current packet's flow. */
  inspectStream(side: FlowSide, toServer: boolean, chunk: Uint8Array, fired: Set<number>): number {
    if (side.passed) return Verdict.ACCEPT;
    const inp = this.engine.input;
    const out = this.engine.result;
    if (this.noRules) return Verdict.ACCEPT;
    this.counters.inspStream++;
    inp.kind = InputKind.STREAM;
    inp.toServer = toServer;
    inp.buffers.setPacket(BufferId.PKT_DATA, chunk);
    this.detector.detect(inp, out, fired);
    const v = this.alerts.matches(out, side, null, -1, this.current);
    inp.kind = InputKind.PACKET;
    return v;
  }

  /**
   * TX inspection: the caller filled the transaction buffers into the input (cleared first);
   * `txId` is the transaction id, `http` the HTTP transaction (its EVE object is built only
   * for alerts). Nothing happens when the rule set has no transaction rules.
   */
  inspectTx(side: FlowSide, toServer: boolean, txId: number, http: HttpTransaction | null): number {
    if (!this.hasTxRules || side.passed) return Verdict.ACCEPT;
    const inp = this.engine.input;
    const out = this.engine.result;
    this.counters.inspTx++;
    inp.kind = InputKind.TX;
    inp.toServer = toServer;
    inp.appProto = side.appProto;
    inp.tlsVersion = side.tlsVersion;
    // a rule fires at most once per transaction and direction, as in Suricata's per-direction tx state
    this.detector.detect(inp, out, side.fired(txId * 2 + (toServer ? 0 : 1)));
    const v = this.alerts.matches(out, side, http, txId, this.current);
    inp.kind = InputKind.PACKET;
    return v;
  }

  /** A flow left the table. An RST ends its own packet's flow inside update(): finished after that packet. */
  flowEnded(slot: number, reason: number): void {
    if (this.inUpdate && reason === EndReason.RST && !this.table.rstLingers) {
      this.deferredSlot = slot;
      this.deferredReason = reason;
      return;
    }
    this.finishFlow(slot, reason);
  }

  private endDeferred(): void {
    if (this.deferredSlot === NO_SLOT) return;
    const s = this.deferredSlot;
    this.deferredSlot = NO_SLOT;
    this.finishFlow(s, this.deferredReason);
  }

  private finishFlow(slot: number, reason: number): void {
    const side = this.sides[slot];
    const eng = this.engine;
    if (side !== undefined && side.flowId !== 0) {
      const saved = this.current;
      this.current = null;
      const sess = side.session;
      if (
        sess !== null &&
        !side.dropped &&
        !side.bypassed &&
        (sess.tracked || sess.available(0) + sess.available(1) > 0)
      ) {
        for (let dir = 0; dir < 2; dir++) {
          sess.flush(dir);
          // nothing left to inspect or to tell the app layer (no bytes, no hole): no flow-end pass
          if (
            sess.available(dir) === 0 &&
            side.rawLen[dir] === 0 &&
            (side.appState === 0 || !sess.gapPending(dir))
          )
            continue;
          this.pseudoInput(side, dir === 0, slot);
          this.drain(side, sess, dir, Number.POSITIVE_INFINITY, true);
          if (side.rawLen[dir] > 0) this.inspectRaw(side, dir);
        }
      }
      // a dropped flow gets no flow-end app-layer work (no pseudo packets), so its
      // unfinished transactions are not logged
      if (side.http !== null && !side.dropped) {
        this.pseudoInput(side, true, slot);
        this.app.httpEnd(side);
      }
      this.app.logSsh(side);
      this.app.logTls(side);
      this.current = saved;
      this.alerts.flowEnded(side, slot);
      if (eng.config.eve?.flow)
        eng.write(flowRecord(this.table, slot, side, reason, eng.config) as EveRecord);
      side.flowId = 0;
    }
    const obs = eng.observers;
    if (obs.length === 0) return;
    const ended = this.ended;
    ended.slot = slot;
    ended.reason = reason;
    for (let i = 0; i < obs.length; i++) obs[i].onFlowEnd?.(ended);
  }

  /** Input fields of a flow-end inspection (no packet): the flow's endpoints in direction `toServer`. */
  private pseudoInput(side: FlowSide, toServer: boolean, slot: number): void {
    const inp = this.engine.input;
    inp.reset();
    inp.kind = InputKind.PACKET;
    inp.time = this.time;
    inp.ipVersion = side.ipVersion;
    inp.ipProto = side.ipProto;
    inp.src = toServer ? side.clientView : side.serverView;
    inp.dst = toServer ? side.serverView : side.clientView;
    inp.srcPort = toServer ? side.clientPort : side.serverPort;
    inp.dstPort = toServer ? side.serverPort : side.clientPort;
    inp.hasFlow = true;
    inp.toServer = toServer;
    // Suricata's flow-end pseudo packets are flagged established (flow-timeout.c) once the
    // session got that far
    inp.established = (side.session?.state ?? 0) >= TcpState.ESTABLISHED;
    inp.appProto = side.appProto;
    inp.tlsVersion = side.tlsVersion;
    inp.flowVars = side.flowVars;
    const sess = side.session;
    if (sess !== null) {
      inp.streamBytesToServer = sess.delivered(0);
      inp.streamBytesToClient = sess.delivered(1);
    }
    this.alerts.flowStateOfSlot(slot);
  }

  /** Endpoints and time of a transaction record on `side`'s flow (allocates: output only). */
  recordMeta(side: FlowSide): RecordMeta {
    const p = this.current;
    const t = this.time;
    const sec = Math.floor(t);
    return {
      timestamp: formatEveTimestamp(
        sec,
        Math.round((t - sec) * 1e6),
        this.engine.config.tzOffsetMinutes ?? 0,
      ),
      flowId: side.flowId,
      srcIp: formatIp(side.clientView),
      destIp: formatIp(side.serverView),
      srcPort: side.clientPort,
      destPort: side.serverPort,
      proto: eveProto(side.ipProto),
      appProto: side.appProto,
      ipVersion: side.ipVersion,
      ...(p !== null ? { pcapCnt: p.frameNumber } : {}),
    };
  }

  /** The observer's view of a transaction (a fresh object: observers may keep it during the call only). */
  txMeta(side: FlowSide, txId: number): TxMeta {
    return {
      flowId: side.flowId,
      timeUs: Math.round(this.time * 1e6),
      ipVersion: side.ipVersion,
      client: side.clientView,
      server: side.serverView,
      clientPort: side.clientPort,
      serverPort: side.serverPort,
      txId,
    };
  }

  statsRecord(s: IdsStats): EveRecord {
    const r = statsRecord(
      s,
      this.engine.httpStats,
      this.counters.lastTs,
      this.engine.config,
      this.alerts.dropReasons,
      this.alerts.midstreamPolicies,
    ) as EveRecord;
    const st = (r as { stats?: { decoder?: Record<string, number> } }).stats;
    if (st?.decoder) Object.assign(st.decoder, this.decoderCounters.eve());
    return r;
  }
}
