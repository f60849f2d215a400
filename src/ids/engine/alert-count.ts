/** Alert counters of an engine run: total, per severity, per signature (for the summary table). */
import type { EveAlertRecord } from '../eve.js';
import type { AlertInfo, SignatureCount } from './types.js';

export class AlertCounter {
  total = 0;
  private readonly severities = new Map<number, number>();
  private readonly signatures = new Map<string, SignatureCount>();

  add(rec: EveAlertRecord, info: AlertInfo): void {
    this.total++;
    const a = rec.alert;
    this.severities.set(a.severity, (this.severities.get(a.severity) ?? 0) + 1);
    const key = `${info.detector ?? ''}|${a.gid}:${a.signature_id}`;
    const s = this.signatures.get(key);
    if (s) s.count++;
    else
      this.signatures.set(key, {
        gid: a.gid,
        sid: a.signature_id,
        rev: a.rev,
        msg: a.signature,
        severity: a.severity,
        detector: info.detector,
        count: 1,
      });
  }

  bySeverity(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.severities.keys()].sort((a, b) => a - b))
      out[String(k)] = this.severities.get(k)!;
    return out;
  }

  bySignature(): SignatureCount[] {
    return [...this.signatures.values()]
      .map((s) => ({ ...s }))
      .sort((a, b) => b.count - a.count || a.gid - b.gid || a.sid - b.sid);
  }
}
