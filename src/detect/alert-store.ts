/**
 * The alerts of one IDS instance, kept in memory for `ids_get_alerts`: a ring of the newest
 * `capacity` alerts (older ones leave and are counted), with the spec's fields
 * (`id message severity src_ip dst_ip protocol timestamp`) and the EVE record they came from.
 */
import type { EveAlertRecord } from '../ids/eve.js';
import { SEVERITY_WORDS, type SeverityWord } from '../ids/observer.js';

/** One alert as `ids_get_alerts` returns it (snake_case, as every Sentra result). */
export interface IdsAlert {
  /** `alert-N`, unique within its IDS instance. */
  id: string;
  message: string;
  severity: SeverityWord;
  src_ip: string;
  dst_ip: string;
  src_port: number | null;
  dst_port: number | null;
  /** EVE protocol name: TCP, UDP, ICMP, IPv6-ICMP... */
  protocol: string;
  /** Time of the packet that raised it, EVE format (`2026-11-22T01:49:31.112233+0000`). */
  timestamp: string;
  /** The same time, seconds since the epoch. */
  time: number;
  signature_id: number;
  category: string;
  /** `alert.metadata.kind` for behavioural alerts (port_scan, syn_flood...), else `signature`. */
  kind: string;
  /** Behavioural detector or `custom` for custom rules, `signature` for Suricata rules. */
  detector: string;
  /** Custom rule id when a custom rule raised it. */
  rule_id: string | null;
  flow_id: number | null;
  /** The full EVE record. */
  eve: EveAlertRecord;
}

/** Microseconds since the epoch of an EVE timestamp. */
export function eveTimeSec(ts: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{1,6})([+-])(\d\d)(\d\d)$/.exec(ts);
  if (!m) return Date.parse(ts) / 1000;
  const base = Date.parse(`${m[1]}Z`) / 1000;
  const off = (Number(m[4]) * 60 + Number(m[5])) * 60 * (m[3] === '-' ? -1 : 1);
  return base - off + Number(m[2].padEnd(6, '0')) / 1e6;
}

export class AlertStore {
  private readonly ring: IdsAlert[] = [];
  private head = 0;
  private readonly byId = new Map<string, IdsAlert>();
  private next = 1;
  /** Alerts ever added, and those pushed out by newer ones. */
  total = 0;
  dropped = 0;
  readonly bySeverity: Record<SeverityWord, number> = { low: 0, medium: 0, high: 0, critical: 0 };

  constructor(readonly capacity = 10_000) {}

  add(rec: EveAlertRecord, severity: SeverityWord, detector: string | null): IdsAlert {
    const md = rec.alert.metadata ?? {};
    const a: IdsAlert = {
      id: `alert-${this.next++}`,
      message: rec.alert.signature,
      severity,
      src_ip: rec.src_ip,
      dst_ip: rec.dest_ip,
      src_port: rec.src_port ?? null,
      dst_port: rec.dest_port ?? null,
      protocol: rec.proto,
      timestamp: rec.timestamp,
      time: eveTimeSec(rec.timestamp),
      signature_id: rec.alert.signature_id,
      category: rec.alert.category,
      kind: md.kind?.[0] ?? 'signature',
      detector: detector ?? 'signature',
      rule_id: md.rule_id?.[0] ?? null,
      flow_id: rec.flow_id ?? null,
      eve: rec,
    };
    this.total++;
    this.bySeverity[severity]++;
    if (this.ring.length < this.capacity) this.ring.push(a);
    else {
      const old = this.ring[this.head];
      this.byId.delete(old.id);
      this.ring[this.head] = a;
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
    this.byId.set(a.id, a);
    return a;
  }

  get(id: string): IdsAlert | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.ring.length;
  }

  /**
   * The newest alerts at or above `minSeverity` (`all`: every alert), newest first, at most
   * `limit` (0: no limit).
   */
  query(minSeverity: SeverityWord | 'all', limit: number): IdsAlert[] {
    const min = minSeverity === 'all' ? 0 : SEVERITY_WORDS.indexOf(minSeverity);
    const out: IdsAlert[] = [];
    const n = this.ring.length;
    for (let k = 0; k < n; k++) {
      // newest first: the slot before head, going back
      const a = this.ring[(this.head - 1 - k + 2 * n) % n];
      if (SEVERITY_WORDS.indexOf(a.severity) < min) continue;
      out.push(a);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }
}
