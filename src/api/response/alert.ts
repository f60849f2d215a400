/**
 * The alert as the response module takes it: the few fields of an IDS alert that a ban needs.
 * The IDS produces alerts with (at least) these fields; this module defines its own minimal type
 * so that ids/ never has to import anything of the firewall's.
 */

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high', 'critical'];

/** An alert whose source may be banned. */
export interface ResponseAlert {
  id: string;
  /** The address the attack came from: what gets banned. */
  src_ip: string;
  dst_ip?: string;
  severity: AlertSeverity;
  message: string;
}

/** Orders severities: low 0 < medium 1 < high 2 < critical 3. */
export function severityRank(s: AlertSeverity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: unknown): s is AlertSeverity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}
