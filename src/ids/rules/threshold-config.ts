/**
 * threshold.config: global thresholding entries by gid/sid (sid 0 = every rule of the gid,
 * gid 0 = every gid).
 *
 *   suppress gen_id G, sig_id S[, track by_src|by_dst|by_either, ip ADDR]
 *   threshold / event_filter gen_id G, sig_id S, type limit|threshold|both, track T, count N, seconds S
 *   rate_filter gen_id G, sig_id S, track T, count N, seconds S, new_action A, timeout S
 *
 * A threshold/event_filter entry replaces the rule's own threshold keyword, as in Suricata.
 */
import type { RuleThresholdOverrides } from '../match/detect.js';
import type { IpSet } from '../match/ip-set.js';
import type { ThresholdSpec, TrackBy } from '../match/threshold.js';
import { GroupError, parseAddressGroup } from './address-group.js';
import { defaultVars, type RuleVars } from './vars.js';

export interface SuppressEntry {
  gid: number;
  sid: number;
  /** null: suppress everything of the rule. */
  track: 'by_src' | 'by_dst' | 'by_either' | null;
  ips: IpSet | null;
}

export interface ThresholdConfigEntry {
  gid: number;
  sid: number;
  spec: ThresholdSpec;
}

export interface ThresholdConfig {
  suppress: SuppressEntry[];
  thresholds: ThresholdConfigEntry[];
  rateFilters: ThresholdConfigEntry[];
  problems: Array<{ line: number; message: string }>;
}

function fields(rest: string): Record<string, string> {
  const o: Record<string, string> = {};
  for (const part of rest.split(',')) {
    const m = /^\s*(\w+)\s+(.+?)\s*$/.exec(part);
    if (m) o[m[1]] = m[2];
  }
  return o;
}

/** Parses threshold.config text. Bad lines are reported in `problems` and skipped. */
export function parseThresholdConfig(text: string, vars: RuleVars = defaultVars()): ThresholdConfig {
  const cfg: ThresholdConfig = { suppress: [], thresholds: [], rateFilters: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(suppress|threshold|event_filter|rate_filter)\s+(.*)$/.exec(line);
    if (!m) {
      cfg.problems.push({ line: idx + 1, message: `unknown entry "${line.slice(0, 40)}"` });
      return;
    }
    // the ip list may contain commas inside brackets: cut it off first
    let rest = m[2];
    let ipSpec: string | null = null;
    const ipAt = /,\s*ip\s+/.exec(rest);
    if (ipAt) {
      ipSpec = rest.slice(ipAt.index + ipAt[0].length).trim();
      rest = rest.slice(0, ipAt.index);
    }
    const f = fields(rest);
    const gid = Number(f.gen_id);
    const sid = Number(f.sig_id);
    if (!Number.isInteger(gid) || !Number.isInteger(sid)) {
      cfg.problems.push({ line: idx + 1, message: 'gen_id and sig_id must be numbers' });
      return;
    }
    if (m[1] === 'suppress') {
      let ips: IpSet | null = null;
      if (ipSpec !== null) {
        try {
          ips = parseAddressGroup(ipSpec, vars);
        } catch (e) {
          cfg.problems.push({ line: idx + 1, message: e instanceof GroupError ? e.message : String(e) });
          return;
        }
      }
      const track = (f.track ?? null) as SuppressEntry['track'];
      if (track !== null && track !== 'by_src' && track !== 'by_dst' && track !== 'by_either') {
        cfg.problems.push({ line: idx + 1, message: `bad suppress track ${track}` });
        return;
      }
      cfg.suppress.push({ gid, sid, track, ips });
      return;
    }
    const count = Number(f.count);
    const seconds = Number(f.seconds);
    const track = f.track as TrackBy;
    if (
      !['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow'].includes(track) ||
      !Number.isFinite(count) ||
      !Number.isFinite(seconds)
    ) {
      cfg.problems.push({ line: idx + 1, message: 'track, count and seconds are required' });
      return;
    }
    if (m[1] === 'rate_filter') {
      const na = f.new_action;
      if (na !== 'alert' && na !== 'drop' && na !== 'pass' && na !== 'reject') {
        cfg.problems.push({ line: idx + 1, message: `bad new_action ${na}` });
        return;
      }
      cfg.rateFilters.push({
        gid,
        sid,
        spec: { type: 'rate_filter', track, count, seconds, newAction: na, timeout: Number(f.timeout ?? 0) },
      });
      return;
    }
    const type = f.type;
    if (type !== 'limit' && type !== 'threshold' && type !== 'both') {
      cfg.problems.push({ line: idx + 1, message: `bad type ${type}` });
      return;
    }
    cfg.thresholds.push({ gid, sid, spec: { type, track, count, seconds } });
  });
  return cfg;
}

function applies(e: { gid: number; sid: number }, gid: number, sid: number): boolean {
  return (e.gid === 0 || e.gid === gid) && (e.sid === 0 || e.sid === sid);
}

/** The threshold.config entries that concern one rule. */
export function thresholdConfigFor(cfg: ThresholdConfig, gid: number, sid: number) {
  return {
    suppress: cfg.suppress.filter((e) => applies(e, gid, sid)),
    threshold:
      cfg.thresholds.find((e) => e.gid === gid && e.sid === sid)?.spec ??
      cfg.thresholds.find((e) => applies(e, gid, sid))?.spec ??
      null,
    rateFilter: cfg.rateFilters.find((e) => applies(e, gid, sid))?.spec ?? null,
  };
}

/** Per-rule overrides for Detector.setThresholdOverrides, indexed like `ruleSet.rules`. */
export function thresholdOverrides(
  rules: readonly { gid: number; sid: number }[],
  cfg: ThresholdConfig,
): Array<RuleThresholdOverrides | null> {
  return rules.map((r) => {
    const t = thresholdConfigFor(cfg, r.gid, r.sid);
    if (t.suppress.length === 0 && t.threshold === null && t.rateFilter === null) return null;
    return {
      suppress: t.suppress.map((s) => ({ track: s.track, ips: s.ips })),
      threshold: t.threshold,
      rateFilter: t.rateFilter,
    };
  });
}
