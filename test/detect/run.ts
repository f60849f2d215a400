/** Runs the IDS engine with observers over a capture file; returns the alert records. */
import { runIdsOnCapture } from '../../src/ids/engine/run.js';
import type { EveAlertRecord } from '../../src/ids/eve.js';
import type { PacketObserver } from '../../src/ids/observer.js';
import { loadRuleSources } from '../../src/ids/rules/loader.js';

export async function engineAlerts(file: string, observers: PacketObserver[]): Promise<EveAlertRecord[]> {
  const alerts: EveAlertRecord[] = [];
  const r = await runIdsOnCapture(file, {
    ruleSet: loadRuleSources([]).ruleSet,
    observers,
    onAlert: (rec) => alerts.push(rec),
  });
  if (r.failure !== undefined) throw r.failure;
  return alerts;
}

/** Severity word of an alert record (metadata.severity). */
export function sev(a: EveAlertRecord): string {
  return a.alert.metadata?.severity?.[0] ?? '';
}

export function kind(a: EveAlertRecord): string {
  return a.alert.metadata?.kind?.[0] ?? '';
}
