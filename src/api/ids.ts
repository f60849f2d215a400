/**
 * The spec's seven IDS functions (`ids_start` ... `ids_block_threat`) with its argument order
 * and snake_case results, over {@link IdsInstance}s (the signature engine with the behavioural
 * detectors and custom rules attached). Blocking goes through the {@link AlertResponder}, so
 * that an IDS ban is an ordinary firewall ban (expiry, escalation, protected addresses).
 */

import type { IdsAlert } from '../detect/alert-store.js';
import type { DetectConfigInput } from '../detect/config.js';
import type { CustomRuleInput } from '../detect/custom-rules.js';
import { type AddedRule, IdsInstance, type IdsStatus } from '../detect/ids-instance.js';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import { SEVERITY_WORDS, type SeverityWord } from '../ids/observer.js';
import type { AlertResponder, ResponseDecision } from './response/responder.js';

/** `ids_start` options: the spec's switches and Sentra's own settings. */
export interface IdsStartOptions {
  detect_port_scan?: boolean;
  detect_dos?: boolean;
  detect_sql_injection?: boolean;
  detect_brute_force?: boolean;
  /** XSS, path traversal, command injection (default true). */
  detect_web_attacks?: boolean;
  /** Suricata rule file(s) loaded at start. */
  rules?: string | string[];
  /** Detector thresholds, windows, severities (docs/detect.md). */
  detectors?: DetectConfigInput;
  /** Alerts kept in memory (default 10,000). */
  max_alerts?: number;
  /** Ban the source of every alert at or above the responder's policy severity (default false). */
  auto_block?: boolean;
  /** Live capture only: BPF filter and network namespace. */
  filter?: string;
  netns?: string;
}

export interface IdsStartResult {
  id: string;
  /** The interface or capture file given. */
  interface: string;
  source_type: 'interface' | 'pcap';
  status: IdsStatus;
  detectors: string[];
  signature_rules: number;
  started_at: string;
}

export interface IdsStatsResult {
  id: string;
  status: IdsStatus;
  interface: string;
  source_type: 'interface' | 'pcap';
  packets_analyzed: number;
  bytes_analyzed: number;
  alerts_generated: number;
  threats_blocked: number;
  alerts_by_severity: Record<SeverityWord, number>;
  /** Alerts held for `ids_get_alerts` and alerts pushed out by newer ones. */
  alerts_stored: number;
  alerts_dropped: number;
  flows: number;
  active_flows: number;
  http_transactions: number;
  custom_rules: number;
  signature_rules: number;
  detectors: string[];
  started_at: string;
  ended_at: string | null;
  uptime_sec: number;
  error: { code: string; message: string } | null;
  block_errors: number;
}

export interface IdsRuleResult {
  success: true;
  rule_id: string;
  ids_id: string;
  kind: AddedRule['kind'];
  name: string;
  pattern: string;
  severity: string | null;
  action: string;
  signature_ids: number[];
}

export interface IdsBlockResult extends ResponseDecision {
  success: boolean;
  ids_id: string;
}

export interface IdsFunctions {
  /** `ids_start(interface, options)`: an interface name or a capture file path. */
  ids_start(interfaceOrPcap: string, options?: IdsStartOptions): IdsStartResult;
  ids_stop(idsID: string): Promise<IdsStatsResult & { success: true }>;
  /** A custom rule map `{name, pattern, severity, action}`, or Suricata rule text. */
  ids_add_rule(idsID: string, rule: CustomRuleInput | string): IdsRuleResult;
  ids_remove_rule(idsID: string, ruleID: string): { success: true; rule_id: string; ids_id: string };
  /** Newest first; `severity` is `all` or the lowest severity returned; `limit` 0 = all. */
  ids_get_alerts(idsID: string, severity?: string, limit?: number): IdsAlert[];
  ids_get_stats(idsID: string): IdsStatsResult;
  ids_block_threat(idsID: string, alertID: string): Promise<IdsBlockResult>;
}

interface Entry {
  inst: IdsInstance;
  autoBlock: boolean;
  threatsBlocked: number;
  blockErrors: number;
}

export interface IdsServiceOptions {
  /**
   * Bans for `ids_block_threat`, rules with action block, and `auto_block`: a responder, or a
   * function that makes one when the first ban is asked for (so that an IDS that never bans
   * never opens the firewall).
   */
  responder?: AlertResponder | null | (() => Promise<AlertResponder>);
}

/** Every IDS of one process (or one script run), by id. */
export class IdsService {
  private readonly entries = new Map<string, Entry>();
  private next = 1;
  private readonly makeResponder: (() => Promise<AlertResponder>) | null;
  private responder: Promise<AlertResponder> | null = null;

  constructor(opts: IdsServiceOptions = {}) {
    const r = opts.responder ?? null;
    this.makeResponder = r === null ? null : typeof r === 'function' ? r : () => Promise.resolve(r);
  }

  /** The responder, made on first use; a failed attempt is retried on the next ban. */
  private getResponder(): Promise<AlertResponder> {
    if (this.makeResponder === null) {
      return Promise.reject(
        new SentraError(
          ErrorCodes.DEPENDENCY_MISSING,
          'blocking needs a firewall: start Sentra with a firewall backend (nftables or iptables)',
        ),
      );
    }
    if (this.responder === null) {
      const p = this.makeResponder();
      p.catch(() => {
        if (this.responder === p) this.responder = null;
      });
      this.responder = p;
    }
    return this.responder;
  }

  private entry(id: string): Entry {
    const e = typeof id === 'string' ? this.entries.get(id) : undefined;
    if (!e)
      throw new SentraError(ErrorCodes.NOT_FOUND, `no IDS ${JSON.stringify(id)}`, {
        details: { ids_id: id },
      });
    return e;
  }

  start(source: string, options: IdsStartOptions = {}): IdsStartResult {
    if (typeof options !== 'object' || options === null) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'ids_start options must be a map');
    }
    const id = `ids-${this.next}`;
    const files =
      options.rules === undefined ? [] : Array.isArray(options.rules) ? options.rules : [options.rules];
    let entry: Entry | null = null;
    const inst = new IdsInstance(id, source, {
      detect_port_scan: options.detect_port_scan,
      detect_dos: options.detect_dos,
      detect_sql_injection: options.detect_sql_injection,
      detect_brute_force: options.detect_brute_force,
      detect_web_attacks: options.detect_web_attacks,
      detectors: options.detectors,
      ruleFiles: files,
      maxAlerts: options.max_alerts,
      filter: options.filter,
      netns: options.netns,
      onAlert: (a, rule) => {
        if (entry === null || this.makeResponder === null) return;
        if (rule !== null && (rule.action === 'block' || rule.action === 'drop'))
          this.autoBan(entry, a, true);
        else if (entry.autoBlock) this.autoBan(entry, a, false);
      },
    });
    inst.start();
    this.next++;
    entry = { inst, autoBlock: options.auto_block === true, threatsBlocked: 0, blockErrors: 0 };
    this.entries.set(id, entry);
    return {
      id,
      interface: source,
      source_type: inst.kind,
      status: inst.status,
      detectors: inst.detectorNames,
      signature_rules: inst.engine.ruleSet.size,
      started_at: new Date(inst.startedAt).toISOString(),
    };
  }

  private autoBan(e: Entry, a: IdsAlert, always: boolean): void {
    const alert = { id: a.id, src_ip: a.src_ip, dst_ip: a.dst_ip, severity: a.severity, message: a.message };
    this.getResponder()
      .then((r) => (always ? r.blockThreat(alert) : r.handle(alert)))
      .then(
        (d) => {
          if (d.action === 'banned') e.threatsBlocked++;
          else if (d.action === 'refused') e.blockErrors++;
        },
        () => {
          e.blockErrors++;
        },
      );
  }

  async stop(id: string): Promise<IdsStatsResult & { success: true }> {
    const e = this.entry(id);
    await e.inst.stop();
    return { success: true, ...this.stats(id) };
  }

  /** Waits until the IDS has read all its input (capture files) or stopped. */
  async wait(id: string): Promise<IdsStatsResult> {
    await this.entry(id).inst.done;
    return this.stats(id);
  }

  addRule(id: string, rule: CustomRuleInput | string): IdsRuleResult {
    const e = this.entry(id);
    const r = e.inst.addRule(rule);
    return {
      success: true,
      rule_id: r.id,
      ids_id: id,
      kind: r.kind,
      name: r.name,
      pattern: r.text,
      severity: r.severity,
      action: r.action,
      signature_ids: r.sids,
    };
  }

  removeRule(id: string, ruleId: string): { success: true; rule_id: string; ids_id: string } {
    const r = this.entry(id).inst.removeRule(ruleId);
    return { success: true, rule_id: r.id, ids_id: id };
  }

  getAlerts(id: string, severity: string = 'all', limit: number = 100): IdsAlert[] {
    const e = this.entry(id);
    const sev = String(severity ?? 'all').toLowerCase();
    if (sev !== 'all' && !(SEVERITY_WORDS as readonly string[]).includes(sev)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `severity must be all, low, medium, high or critical, not ${JSON.stringify(severity)}`,
      );
    }
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `limit must be a whole number (0 for all), not ${JSON.stringify(limit)}`,
      );
    }
    return e.inst.store.query(sev as SeverityWord | 'all', limit);
  }

  stats(id: string): IdsStatsResult {
    const e = this.entry(id);
    const i = e.inst;
    const s = i.stats();
    const st = i.store;
    const end = i.endedAt ?? Date.now();
    return {
      id,
      status: i.status,
      interface: i.source,
      source_type: i.kind,
      packets_analyzed: s.packets,
      bytes_analyzed: s.bytes,
      alerts_generated: st.total,
      threats_blocked: e.threatsBlocked,
      alerts_by_severity: { ...st.bySeverity },
      alerts_stored: st.size,
      alerts_dropped: st.dropped,
      flows: s.flows,
      active_flows: s.activeFlows,
      http_transactions: s.transactions.http,
      custom_rules: i.custom.list().length,
      signature_rules: s.rulesLoaded,
      detectors: i.detectorNames,
      started_at: new Date(i.startedAt).toISOString(),
      ended_at: i.endedAt === null ? null : new Date(i.endedAt).toISOString(),
      uptime_sec: (end - i.startedAt) / 1000,
      error: i.error ? { code: i.error.code, message: i.error.message } : null,
      block_errors: e.blockErrors,
    };
  }

  async blockThreat(id: string, alertId: string): Promise<IdsBlockResult> {
    const e = this.entry(id);
    const a = e.inst.store.get(alertId);
    if (!a) {
      throw new SentraError(
        ErrorCodes.NOT_FOUND,
        `no alert ${JSON.stringify(alertId)} in ${id} (it may have been pushed out of the store)`,
        {
          details: { ids_id: id, alert_id: alertId },
        },
      );
    }
    let d: ResponseDecision;
    try {
      const responder = await this.getResponder();
      d = await responder.blockThreat({
        id: a.id,
        src_ip: a.src_ip,
        dst_ip: a.dst_ip,
        severity: a.severity,
        message: a.message,
      });
    } catch (err) {
      throw toSentraError(err);
    }
    if (d.action === 'banned') e.threatsBlocked++;
    return { success: d.action === 'banned' || d.action === 'already_banned', ids_id: id, ...d };
  }

  /** Stops every IDS (end of a script run, daemon shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.inst.stop()));
  }

  /** The spec's function table bound to this service. */
  functions(): IdsFunctions {
    return {
      ids_start: (src, opts) => this.start(src, opts),
      ids_stop: (id) => this.stop(id),
      ids_add_rule: (id, rule) => this.addRule(id, rule),
      ids_remove_rule: (id, ruleId) => this.removeRule(id, ruleId),
      ids_get_alerts: (id, severity, limit) => this.getAlerts(id, severity, limit),
      ids_get_stats: (id) => this.stats(id),
      ids_block_threat: (id, alertId) => this.blockThreat(id, alertId),
    };
  }
}

/** The seven functions over a new {@link IdsService}. */
export function idsFunctions(opts: IdsServiceOptions = {}): IdsFunctions {
  return new IdsService(opts).functions();
}
