/**
 * What every behavioural detector shares: the engine's context, alert suppression (one alert
 * per rule and key per `suppressSec`, so that a flood is one alert a minute and not thousands)
 * and the signature catalogue entry each alert is built from.
 */
import type { DetectorAlert, ObserverContext, PacketObserver, SeverityWord } from '../ids/observer.js';
import { BoundedMap } from './common.js';

/** One behavioural signature: a fixed sid, message and category. */
export interface DetectorSignature {
  sid: number;
  msg: string;
  category: string;
  /** Short kind written to `alert.metadata.kind` (port_scan, syn_flood, sql_injection...). */
  kind: string;
}

/** Alert fields a detector fills in beyond the signature. */
export interface AlertFacts {
  timeUs: number;
  src: string | Uint8Array;
  dst: string | Uint8Array;
  srcPort?: number;
  dstPort?: number;
  ipProto: number;
  flowId?: number;
  appProto?: string;
  /** Extra metadata (numbers become one-element string lists). */
  facts?: Record<string, string | number>;
}

export abstract class Detector implements PacketObserver {
  abstract readonly name: string;
  protected ctx: ObserverContext | null = null;
  /** Alerts raised and alerts suppressed as repeats. */
  raised = 0;
  suppressed = 0;
  private readonly lastAlert: BoundedMap<string, number>;
  /** Suppression time, µs: detectors keep a `quietUntil` on their own state to skip work early. */
  protected readonly suppressUs: number;

  constructor(suppressSec: number, maxTracked: number) {
    this.suppressUs = suppressSec * 1e6;
    this.lastAlert = new BoundedMap(maxTracked);
  }

  attach(ctx: ObserverContext): void {
    this.ctx = ctx;
  }

  /**
   * Raises `sig` about `key` (a source, a target...) unless the same signature fired for the
   * same key within the suppression time (a null key: never suppressed). Returns whether it
   * was raised.
   */
  protected alert(
    sig: DetectorSignature,
    severity: SeverityWord,
    key: string | null,
    f: AlertFacts,
  ): boolean {
    if (key !== null) {
      const k = `${sig.sid}|${key}`;
      const prev = this.lastAlert.get(k);
      if (prev !== undefined && f.timeUs - prev < this.suppressUs) {
        this.suppressed++;
        return false;
      }
      this.lastAlert.set(k, f.timeUs);
    }
    const metadata: Record<string, string[]> = { kind: [sig.kind] };
    if (f.facts) for (const [name, v] of Object.entries(f.facts)) metadata[name] = [String(v)];
    const a: DetectorAlert = {
      signatureId: sig.sid,
      signature: sig.msg,
      category: sig.category,
      severity,
      timeUs: f.timeUs,
      src: f.src,
      dst: f.dst,
      ipProto: f.ipProto,
      metadata,
    };
    if (f.srcPort !== undefined) a.srcPort = f.srcPort;
    if (f.dstPort !== undefined) a.dstPort = f.dstPort;
    if (f.flowId !== undefined) a.flowId = f.flowId;
    if (f.appProto !== undefined) a.appProto = f.appProto;
    this.raised++;
    this.ctx?.emit(a);
    return true;
  }
}

/** Suricata classtype descriptions used as `alert.category`. */
export const Category = {
  SCAN: 'Detection of a Network Scan',
  DOS: 'Detection of a Denial of Service Attack',
  BRUTE: 'Attempted User Privilege Gain',
  WEB: 'Web Application Attack',
  CUSTOM: 'Custom Rule Match',
} as const;
