/**
 * The contract between the IDS engine and detectors that are not signature rules: behavioural
 * detectors (scans, floods, brute force, web attacks), the anomaly detector and ML flow
 * classifiers. The engine owns capture, decoding, the flow table, stream reassembly and the
 * HTTP parser; an observer only watches what the engine hands it and emits alerts through the
 * context it was attached with. Everything an observer receives is reused by the engine after
 * the call returns: copy what you keep.
 *
 * Alerts leave as Suricata EVE alert records ({@link buildDetectorAlert}), so that one EVE file
 * and one alert store hold signature and behavioural alerts alike.
 */
import type { EndedFlow, FlowState } from '../flow/table.js';
import { formatIp } from '../net/address.js';
import type { Packet } from '../packet/packet.js';
import { type EveAlertRecord, eveProto, formatEveTimestamp } from './eve.js';
import type { HttpRequestView, HttpResponseView } from './match/http-buffers.js';

/** The spec's severity words. */
export type SeverityWord = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_WORDS: readonly SeverityWord[] = ['low', 'medium', 'high', 'critical'];

/** EVE `alert.severity` of a severity word: 1 for critical and high, 2 for medium, 3 for low. */
export function eveSeverity(word: SeverityWord): number {
  return word === 'critical' || word === 'high' ? 1 : word === 'medium' ? 2 : 3;
}

/** Severity word of an EVE priority (signature rules): 1 high, 2 medium, 3 and more low. */
export function severityWordOfPriority(priority: number): SeverityWord {
  return priority <= 1 ? 'high' : priority === 2 ? 'medium' : 'low';
}

/** An alert as a detector raises it; the engine turns it into an EVE record. */
export interface DetectorAlert {
  /** Default 1. Behavioural detectors use gid 1 with their own sid ranges (docs/detect.md). */
  gid?: number;
  signatureId: number;
  rev?: number;
  signature: string;
  /** EVE `alert.category`, e.g. "Detection of a Network Scan". */
  category: string;
  severity: SeverityWord;
  /** Default 'allowed'. */
  action?: 'allowed' | 'blocked';
  /** Time of the packet (or flow end) that raised it, µs since the epoch. */
  timeUs: number;
  /** The attacker / client and the victim / server; strings or 4/16 address bytes. */
  src: string | Uint8Array;
  dst: string | Uint8Array;
  srcPort?: number;
  dstPort?: number;
  ipProto: number;
  flowId?: number;
  appProto?: string;
  /** Extra `alert.metadata` entries; `severity` (the word) and `detector` are added. */
  metadata?: Record<string, string[]>;
  /** Extra top-level EVE fields, e.g. `anomaly: {score, threshold, features}`. */
  extra?: Record<string, unknown>;
}

/** The EVE alert record of a detector's alert; `detector` goes to `alert.metadata.detector`. */
export function buildDetectorAlert(a: DetectorAlert, detector: string, tzOffsetMinutes = 0): EveAlertRecord {
  const src = typeof a.src === 'string' ? a.src : formatIp(a.src);
  const dst = typeof a.dst === 'string' ? a.dst : formatIp(a.dst);
  const ports = a.ipProto === 6 || a.ipProto === 17 || a.ipProto === 132;
  const sec = Math.floor(a.timeUs / 1e6);
  const rec: EveAlertRecord = {
    timestamp: formatEveTimestamp(sec, a.timeUs - sec * 1e6, tzOffsetMinutes),
    ...(a.flowId !== undefined ? { flow_id: a.flowId } : {}),
    event_type: 'alert',
    src_ip: src,
    ...(ports && a.srcPort !== undefined ? { src_port: a.srcPort } : {}),
    dest_ip: dst,
    ...(ports && a.dstPort !== undefined ? { dest_port: a.dstPort } : {}),
    proto: eveProto(a.ipProto),
    alert: {
      action: a.action ?? 'allowed',
      gid: a.gid ?? 1,
      signature_id: a.signatureId,
      rev: a.rev ?? 1,
      signature: a.signature,
      category: a.category,
      severity: eveSeverity(a.severity),
      metadata: { ...(a.metadata ?? {}), severity: [a.severity], detector: [detector] },
    },
    ...(a.appProto ? { app_proto: a.appProto } : {}),
  };
  if (a.extra) Object.assign(rec, a.extra);
  return rec;
}

/** Where a transaction happened (valid during the call only). */
export interface TxMeta {
  flowId: number;
  /** Time of the packet that completed this step, µs since the epoch. */
  timeUs: number;
  ipVersion: number;
  /** Client (initiator) and server addresses, 4 or 16 bytes, and ports. */
  client: Uint8Array;
  server: Uint8Array;
  clientPort: number;
  serverPort: number;
  /** 0-based index of the transaction in its flow. */
  txId: number;
}

/** What an observer gets when it is attached to an engine. */
export interface ObserverContext {
  /** Raise an alert; the engine writes it to every output and counts it. */
  emit(alert: DetectorAlert): void;
}

/**
 * A non-signature detector plugged into the engine. Every hook is optional. Hooks run
 * synchronously on the packet path: keep them allocation-free per packet where possible.
 */
export interface PacketObserver {
  /** Short stable name (`portscan`, `synflood`, `anomaly`...), written to alert metadata. */
  readonly name: string;
  attach(ctx: ObserverContext): void;
  /**
   * Every decoded packet, after the flow table counted it. `flow` is null for packets that
   * are not part of a flow (non-IP); `timeUs` is the packet time.
   */
  onPacket?(pkt: Packet, flow: FlowState | null, timeUs: number): void;
  /** A flow left the table (read its columns through `flow.table`). */
  onFlowEnd?(flow: EndedFlow): void;
  /** An HTTP request whose headers (and body so far) were parsed. */
  onHttpRequest?(req: HttpRequestView, meta: TxMeta): void;
  /** An HTTP response whose headers were parsed, with its request when known. */
  onHttpResponse?(resp: HttpResponseView, req: HttpRequestView | null, meta: TxMeta): void;
  /**
   * TCP server ports whose reassembled bytes {@link onStream} receives: the engine checks the
   * flow's server port against it, so flows to other ports cost nothing.
   */
  readonly streamPorts?: ReadonlySet<number>;
  /**
   * New in-order bytes of one direction of a TCP flow to one of {@link streamPorts} (IDS mode:
   * once the other side acknowledged them; the rest at flow end), before `onFlowEnd`.
   */
  onStream?(data: Uint8Array, toServer: boolean, meta: TxMeta): void;
  /** Packet time moved on (called at least once per second of packet time): expire windows. */
  tick?(timeUs: number): void;
  /** End of input: report what is still pending. */
  finish?(): void;
}
