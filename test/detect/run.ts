/** Runs the IDS engine with observers over a capture file; returns the alert records. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runIdsOnCapture } from '../../src/ids/engine/run.js';
import type { EveAlertRecord } from '../../src/ids/eve.js';
import type { PacketObserver } from '../../src/ids/observer.js';
import { loadRuleSources } from '../../src/ids/rules/loader.js';
import type { Traffic } from './craft.js';

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

let fileNo = 0;
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'sentra-detect-'));

/** Writes crafted traffic to a temporary pcap and runs the engine with `observers` on it. */
export async function craftedAlerts(tr: Traffic, observers: PacketObserver[]): Promise<EveAlertRecord[]> {
  const file = path.join(tmpDir, `t${fileNo++}.pcap`);
  await tr.write(file);
  try {
    return await engineAlerts(file, observers);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Alerts of one signature id. */
export function bySid(alerts: EveAlertRecord[], sid: number): EveAlertRecord[] {
  return alerts.filter((a) => a.alert.signature_id === sid);
}
process.on('exit', () => rmSync(tmpDir, { recursive: true, force: true }));
