/**
 * Automatic response: an IDS alert bans its source when the policy says so (severity at or above
 * a level), for a ban time that grows for repeat offenders (see bantime.ts). This is where the
 * IDS and the firewall meet, above both, so that ids/ never imports firewall/.
 */
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import type { BlockOptions } from '../../firewall/firewall.js';
import type { FirewallRuleRecord } from '../../firewall/records.js';
import { type AlertSeverity, isSeverity, type ResponseAlert, severityRank } from './alert.js';
import { type BanTimeIncrement, escalatedBanTime } from './bantime.js';

/** What the responder needs from a firewall (a `Firewall` has all of it). */
export interface BanSink {
  block(targets: string, opts: BlockOptions): Promise<FirewallRuleRecord[]>;
  activeBan(address: string): FirewallRuleRecord | null;
  banCount(address: string, sinceMs?: number): number;
}

export interface ResponsePolicy {
  /** Alerts at or above this severity ban their source. Default `high`. */
  minSeverity: AlertSeverity;
  /** Ban time of a first offence, seconds; 0 or less bans permanently. Default 600. */
  banTimeSec: number;
  /** Escalation for repeat offenders (fail2ban's bantime.increment). Default: off. */
  increment?: BanTimeIncrement;
}

export const DEFAULT_RESPONSE_POLICY: ResponsePolicy = { minSeverity: 'high', banTimeSec: 600 };

export type ResponseAction = 'banned' | 'already_banned' | 'ignored' | 'refused';

/** What was done about one alert (snake_case, like every Sentra result). */
export interface ResponseDecision {
  alert_id: string;
  src_ip: string;
  severity: string;
  action: ResponseAction;
  /** Why, in words. */
  detail: string;
  /** Seconds; null when permanent or nothing was banned. */
  ban_time: number | null;
  /** 1 for a first ban, 2 for the second... (0 when nothing was banned). */
  offence: number;
  rule: FirewallRuleRecord | null;
  error: { code: string; message: string } | null;
}

export interface ResponderStats {
  alerts_seen: number;
  threats_blocked: number;
  already_banned: number;
  ignored: number;
  refused: number;
}

/** Alert text made fit for a ban reason: one line, bounded. */
function reasonFor(alert: ResponseAlert): string {
  const msg = String(alert.message ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return `ids alert ${String(alert.id).slice(0, 64)} (${alert.severity}): ${msg}`.slice(0, 500);
}

function sourceFor(alert: ResponseAlert): string {
  return `ids:${
    String(alert.id)
      .replace(/[^A-Za-z0-9:._@/+-]/g, '_')
      .slice(0, 120) || 'unknown'
  }`;
}

export class AlertResponder {
  readonly policy: ResponsePolicy;
  readonly stats: ResponderStats = {
    alerts_seen: 0,
    threats_blocked: 0,
    already_banned: 0,
    ignored: 0,
    refused: 0,
  };
  private readonly fw: BanSink;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    fw: BanSink,
    policy: Partial<ResponsePolicy> = {},
    opts: { now?: () => number; random?: () => number } = {},
  ) {
    this.fw = fw;
    this.policy = { ...DEFAULT_RESPONSE_POLICY, ...policy };
    if (!isSeverity(this.policy.minSeverity)) {
      throw new SentraError(
        ErrorCodes.INVALID_CONFIG,
        `invalid response policy: minSeverity must be low, medium, high or critical`,
      );
    }
    if (!Number.isFinite(this.policy.banTimeSec)) {
      throw new SentraError(
        ErrorCodes.INVALID_CONFIG,
        'invalid response policy: banTimeSec must be a number',
      );
    }
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** The ban time (seconds, null = permanent) and offence number the next ban of `ip` would get. */
  nextBan(ip: string): { banTimeSec: number | null; offence: number } {
    const inc = this.policy.increment;
    const since = inc?.findTimeSec ? this.now() - inc.findTimeSec * 1000 : 0;
    const previous = this.fw.banCount(ip, since);
    if (this.policy.banTimeSec <= 0) return { banTimeSec: null, offence: previous + 1 };
    return {
      banTimeSec: escalatedBanTime(this.policy.banTimeSec, previous, inc, this.random),
      offence: previous + 1,
    };
  }

  /**
   * Applies the policy to one alert: bans its source when the severity is high enough. Never
   * throws for a bad or protected address: the decision says `refused` and why.
   */
  async handle(alert: ResponseAlert): Promise<ResponseDecision> {
    this.stats.alerts_seen++;
    if (!isSeverity(alert.severity)) return this.refuse(alert, `unknown severity ${String(alert.severity)}`);
    if (severityRank(alert.severity) < severityRank(this.policy.minSeverity)) {
      this.stats.ignored++;
      return this.decision(
        alert,
        'ignored',
        `severity ${alert.severity} is below ${this.policy.minSeverity}`,
      );
    }
    try {
      return await this.ban(alert);
    } catch (e) {
      const err = toSentraError(e);
      return this.refuse(alert, err.message, err);
    }
  }

  /**
   * Bans the source of one alert whatever its severity (`ids_block_threat`), with the policy's
   * (escalated) ban time. Throws a SentraError when the address is invalid or protected.
   */
  blockThreat(alert: ResponseAlert): Promise<ResponseDecision> {
    this.stats.alerts_seen++;
    return this.ban(alert);
  }

  /** Bans in progress by address: a burst of alerts about one attacker makes one ban. */
  private readonly inFlight = new Map<string, Promise<ResponseDecision>>();

  private async ban(alert: ResponseAlert): Promise<ResponseDecision> {
    const key = String(alert.src_ip);
    const pending = this.inFlight.get(key);
    if (pending) {
      await pending.catch(() => undefined);
      return this.banNow(alert);
    }
    const p = this.banNow(alert);
    this.inFlight.set(key, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async banNow(alert: ResponseAlert): Promise<ResponseDecision> {
    const existing = this.fw.activeBan(alert.src_ip);
    if (existing) {
      this.stats.already_banned++;
      return {
        ...this.decision(alert, 'already_banned', `already banned by ${existing.id}`),
        rule: existing,
      };
    }
    const { banTimeSec, offence } = this.nextBan(alert.src_ip);
    const [rule] = await this.fw.block(alert.src_ip, {
      duration: banTimeSec === null ? null : banTimeSec,
      reason: reasonFor(alert),
      source: sourceFor(alert),
    });
    this.stats.threats_blocked++;
    return {
      ...this.decision(
        alert,
        'banned',
        offence > 1 ? `repeat offender: ban number ${offence}` : 'first offence',
      ),
      ban_time: banTimeSec,
      offence,
      rule,
    };
  }

  private refuse(alert: ResponseAlert, detail: string, err?: SentraError): ResponseDecision {
    this.stats.refused++;
    return {
      ...this.decision(alert, 'refused', detail),
      error: err
        ? { code: err.code, message: err.message }
        : { code: ErrorCodes.INVALID_ARGUMENT, message: detail },
    };
  }

  private decision(alert: ResponseAlert, action: ResponseAction, detail: string): ResponseDecision {
    return {
      alert_id: String(alert.id),
      src_ip: String(alert.src_ip),
      severity: String(alert.severity),
      action,
      detail,
      ban_time: null,
      offence: 0,
      rule: null,
      error: null,
    };
  }
}
