/**
 * What the IDS engine keeps beside each flow of the flow table: the detector's flow variables,
 * the TCP session, the application-layer state and parsers, the per-transaction sets of fired
 * rules, and the IPS verdict. One object per flow-table slot, reused when the slot gets a new
 * flow ({@link FlowSide.begin}), so a busy table allocates them once.
 */
import type { HttpParser } from '../app/http/parser.js';
import { TxFired } from '../match/detect.js';
import { FlowVars } from '../match/flow-vars.js';
import type { TcpSession } from '../stream/session.js';

/** Where the engine is in finding a flow's application protocol. */
export const AppState = {
  /** Not known yet: the first payload bytes will tell. */
  UNKNOWN: 0,
  /** Known (`appProto` is set). */
  KNOWN: 1,
  /** Detection gave up (`appProto` is 'failed'). */
  FAILED: 2,
} as const;

export class FlowSide {
  /** Flow id of the flow-table flow this side belongs to (0: free). */
  flowId = 0;
  /** First packet, seconds. */
  start = 0;
  ipVersion = 4;
  ipProto = 0;
  /** Client (initiator) and server addresses and ports. */
  readonly client = new Uint8Array(16);
  readonly server = new Uint8Array(16);
  clientView: Uint8Array = this.client.subarray(0, 4);
  serverView: Uint8Array = this.server.subarray(0, 4);
  clientPort = 0;
  serverPort = 0;

  flowVars = new FlowVars();
  /** TCP only: the flow's session, set at its first TCP packet (null before and for other protocols). */
  session: TcpSession | null = null;
  /**
   * The session of an earlier flow of this slot, kept for reuse: a TCP flow takes it (reset)
   * at its first packet, so flows of other protocols never touch it.
   */
  spare: TcpSession | null = null;
  appState: number = AppState.UNKNOWN;
  appProto = '';
  /**
   * The app layer reads the flow the other way round: a midstream flow whose first data, sent
   * by the side taken as client, was a server's (an HTTP status line). Suricata reverses the
   * flow then (bug-7552-01).
   */
  appReversed = false;
  /** Payload bytes looked at for protocol detection, per direction. */
  probeBytes0 = 0;
  probeBytes1 = 0;
  http: HttpParser | null = null;
  /** HTTP parser in use for this flow (set when app-proto is http). */
  httpActive = false;
  /** Fired rule indices per transaction id (created with the first transaction: most flows have none). */
  txFired: Map<number, TxFired> | null = null;
  /** Transactions counted for non-HTTP protocols (DNS, TLS, SSH). */
  txCount = 0;
  /** TLS: ClientHello / ServerHello / Certificate seen. */
  tlsClientHello = false;
  tlsServerHello = false;
  tlsVersion = -1;
  /** SSH banners seen per side (proto version, software version), and whether the ssh record was written. */
  sshClient = false;
  sshServer = false;
  sshClientBanner: { proto: string; software: string } | null = null;
  sshServerBanner: { proto: string; software: string } | null = null;
  sshLogged = false;
  /** UDP and others: a packet seen in each direction. */
  seen0 = false;
  seen1 = false;
  /** Stream offset acknowledged by the other side, per direction (IDS: inspected up to there). */
  readonly ackOff = [0, 0];
  /** Rules fired by packet inspection on bytes the stream inspection has not reached yet, per direction. */
  readonly pendingFired: [Set<number> | null, Set<number> | null] = [null, null];
  /** A pass rule matched a packet whose bytes the stream inspection has not reached, per direction. */
  readonly pendingPass = [false, false];
  /**
   * IDS mode: acknowledged stream bytes awaiting raw detection at the next packet of their
   * direction (they stay held in the TCP session's buffer: `session.held(dir)`).
   */
  readonly rawLen = [0, 0];
  /** Stream holes inside the raw bytes of each direction: where (raw offset) and how long. */
  readonly rawGapAt: [number[], number[]] = [[], []];
  readonly rawGapLen: [number[], number[]] = [[], []];
  /** IPS verdicts for the flow's later packets. */
  dropped = false;
  passed = false;
  /** An alert fired on this flow (EVE flow.alerted). */
  alerted = false;
  /** The flow was bypassed (midstream policy): not inspected any more. */
  bypassed = false;
  /** Exception policy applied to the flow ('' none), for EVE flow.exception_policy. */
  exceptionPolicy = '';
  /** Directions whose drop was logged (bit 0 to server, bit 1 to client), for EVE drop `flows: start`. */
  dropLogged = 0;

  /** Prepares the side for a new flow. */
  begin(flowId: number, start: number, ipVersion: number, ipProto: number): void {
    this.flowId = flowId;
    this.start = start;
    this.ipVersion = ipVersion;
    this.ipProto = ipProto;
    const n = ipVersion === 6 ? 16 : 4;
    if (this.clientView.length !== n) {
      this.clientView = this.client.subarray(0, n);
      this.serverView = this.server.subarray(0, n);
    }
    this.flowVars.bits = null;
    this.flowVars.ints = null;
    this.flowVars.thresholds = null;
    if (this.session !== null) {
      this.spare = this.session;
      this.session = null;
    }
    this.appState = AppState.UNKNOWN;
    this.appProto = '';
    this.appReversed = false;
    this.probeBytes0 = 0;
    this.probeBytes1 = 0;
    this.http = null;
    this.httpActive = false;
    // Set/Map clear() allocates a new table in V8: only when there is something to clear
    if (this.txFired !== null && this.txFired.size > 0) this.txFired.clear();
    this.txCount = 0;
    this.tlsClientHello = false;
    this.tlsServerHello = false;
    this.tlsVersion = -1;
    this.sshClient = false;
    this.sshServer = false;
    this.sshClientBanner = null;
    this.sshServerBanner = null;
    this.sshLogged = false;
    this.seen0 = false;
    this.seen1 = false;
    this.ackOff[0] = 0;
    this.ackOff[1] = 0;
    this.rawLen[0] = 0;
    this.rawLen[1] = 0;
    this.clearRawGaps(0);
    this.clearRawGaps(1);
    this.pendingPass[0] = false;
    this.pendingPass[1] = false;
    const p0 = this.pendingFired[0];
    const p1 = this.pendingFired[1];
    if (p0 !== null && p0.size > 0) p0.clear();
    if (p1 !== null && p1.size > 0) p1.clear();
    this.dropped = false;
    this.passed = false;
    this.alerted = false;
    this.bypassed = false;
    this.exceptionPolicy = '';
    this.dropLogged = 0;
  }

  /** A hole of `len` bytes in the stream of `dir` before the next raw bytes. */
  keepRawGap(dir: number, len: number): void {
    this.rawGapAt[dir].push(this.rawLen[dir]);
    this.rawGapLen[dir].push(len);
  }

  clearRawGaps(dir: number): void {
    if (this.rawGapAt[dir].length === 0) return;
    this.rawGapAt[dir].length = 0;
    this.rawGapLen[dir].length = 0;
  }

  /** Adds packet matches of direction `dir` to its pending set (created on first use). */
  addPending(dir: number, fired: Set<number>): void {
    let s = this.pendingFired[dir];
    if (s === null) {
      s = new Set();
      this.pendingFired[dir] = s;
    }
    for (const r of fired) s.add(r);
  }

  /** The set of rules fired on transaction `txId` (created on first use). */
  fired(txId: number): TxFired {
    let m = this.txFired;
    if (m === null) {
      m = new Map();
      this.txFired = m;
    }
    let s = m.get(txId);
    if (s === undefined) {
      s = new TxFired();
      m.set(txId, s);
    }
    return s;
  }
}
