/**
 * The anomaly detector as an IDS engine observer (`sentra ids --anomaly`): every packet goes
 * through Kitsune; a packet scoring above the threshold raises an alert for its source,
 * at most one per source per `alertInterval` seconds of packet time (a flood would otherwise
 * raise one per packet), carrying the score, the threshold, the features reconstructed worst
 * and how many packets of that source went over the threshold since its previous alert.
 */
import type { FlowState } from '../flow/table.js';
import type { DetectorAlert, ObserverContext, PacketObserver, SeverityWord } from '../ids/observer.js';
import { formatIPv4Word } from '../net/address.js';
import type { Packet } from '../packet/packet.js';
import { KitsuneDetector, type KitsuneOptions } from './kitsune/detector.js';
import { loadKitsuneModel } from './kitsune/model-file.js';

/** Signature id of anomaly alerts (gid 1; docs/anomaly.md). */
export const ANOMALY_SID = 9300001;

export interface AnomalyObserverOptions extends KitsuneOptions {
  /**
   * A trained model (file path or detector): detect from the first packet. Without one the
   * observer trains on the first `grace` packets (default 55,000), then detects.
   */
  model?: string | KitsuneDetector;
  /** Seconds of packet time between two alerts for one source address (default 10). */
  alertInterval?: number;
  /** Features listed in each alert (default 5). */
  topFeatures?: number;
  /** Default 'medium'. */
  severity?: SeverityWord;
  /** Called once when online training ends (e.g. to save the model). */
  onTrained?: (detector: KitsuneDetector) => void;
}

/** Extra EVE field of an anomaly alert. */
export interface AnomalyEveField {
  score: number;
  threshold: number;
  features: { name: string; value: number; error: number }[];
  /** Packets of this source above the threshold since its previous alert, this one included. */
  packets_over_threshold: number;
  model: 'kitsune';
}

/** The observer's detector, for statistics and saving. */
export interface AnomalyObserver extends PacketObserver {
  readonly detector: KitsuneDetector;
  /** Alerts raised so far. */
  readonly alerts: number;
}

/** A Kitsune anomaly observer for the IDS engine (or {@link runObservers}). */
export function createAnomalyObserver(options: AnomalyObserverOptions = {}): AnomalyObserver {
  const det =
    typeof options.model === 'string'
      ? loadKitsuneModel(options.model, options)
      : (options.model ?? new KitsuneDetector(options));
  const intervalUs = (options.alertInterval ?? 10) * 1e6;
  const top = options.topFeatures ?? 5;
  const severity = options.severity ?? 'medium';
  const last = new Map<number | string, number>();
  const pending = new Map<number | string, number>();
  let ctx: ObserverContext | null = null;
  let trained = det.phase === 'detecting';
  let alerts = 0;

  const raise = (pkt: Packet, flow: FlowState | null, timeUs: number, score: number): void => {
    // EVE names IP addresses: ARP speaks for its sender's IPv4 address; other frames without
    // an IP address (LLDP, STP...) are scored and learned but raise no alert
    const arp = pkt.ipVersion === 0 && pkt.arpIpv4;
    if (pkt.ipVersion === 0 && !arp) return;
    const key: number | string = pkt.ipVersion === 4 ? pkt.src4 : arp ? pkt.arpSenderIp : pkt.srcAddr();
    const n = (pending.get(key) ?? 0) + 1;
    const prev = last.get(key);
    if (prev !== undefined && timeUs - prev < intervalUs) {
      pending.set(key, n);
      return;
    }
    if (last.size > 65536) {
      last.clear();
      pending.clear();
    }
    last.set(key, timeUs);
    pending.set(key, 0);
    const hasPorts = pkt.ipProto === 6 || pkt.ipProto === 17;
    const anomaly: AnomalyEveField = {
      score,
      threshold: det.threshold,
      features: det.explain(top),
      packets_over_threshold: n,
      model: 'kitsune',
    };
    const alert: DetectorAlert = {
      signatureId: ANOMALY_SID,
      signature: 'SENTRA ANOMALY packet unlike the learned traffic (Kitsune)',
      category: 'Potentially Bad Traffic',
      severity,
      timeUs,
      src: arp ? formatIPv4Word(pkt.arpSenderIp) : pkt.srcAddr(),
      dst: arp ? formatIPv4Word(pkt.arpTargetIp) : pkt.dstAddr(),
      ...(hasPorts ? { srcPort: pkt.srcPort, dstPort: pkt.dstPort } : {}),
      ipProto: pkt.ipProto,
      ...(flow !== null ? { flowId: flow.id } : {}),
      metadata: { anomaly_score: [score.toPrecision(6)], ...(arp ? { src_mac: [pkt.srcMac()] } : {}) },
      extra: { anomaly },
    };
    alerts++;
    ctx?.emit(alert);
  };

  return {
    name: 'anomaly',
    detector: det,
    get alerts() {
      return alerts;
    },
    attach(c: ObserverContext) {
      ctx = c;
    },
    onPacket(pkt: Packet, flow: FlowState | null, timeUs: number) {
      const s = det.process(pkt);
      if (!trained && det.phase === 'detecting') {
        trained = true;
        options.onTrained?.(det);
      }
      if (s > det.threshold) raise(pkt, flow, timeUs, s);
    },
  };
}
