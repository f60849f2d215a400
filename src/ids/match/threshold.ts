/**
 * threshold and detection_filter (and threshold.config's rate_filter), with Suricata's counting:
 * an entry is created on the first match with count 1 and window start = that packet's time;
 * a later match within `seconds` of the window start counts, one after it starts a new window.
 *
 *   limit:            alert while count <= N in the window
 *   threshold:        alert when count reaches N, then count restarts at 0
 *   both:             alert once, when count == N in the window
 *   detection_filter: alert for every match once count > N in the window
 *
 * Results: 1 alert, 2 silent match (no alert, post-match actions still apply), 0 no alert.
 * Times are packet timestamps in seconds (fractional), never the wall clock.
 */

export type ThresholdType = 'limit' | 'threshold' | 'both' | 'detection_filter' | 'rate_filter';
export type TrackBy = 'by_src' | 'by_dst' | 'by_rule' | 'by_both' | 'by_flow';

export interface ThresholdSpec {
  type: ThresholdType;
  track: TrackBy;
  count: number;
  seconds: number;
  /** rate_filter only: action applied while the rate is exceeded, and for how long. */
  newAction?: 'alert' | 'drop' | 'pass' | 'reject';
  timeout?: number;
  /** detection_filter unique_on: count distinct ports instead of matches. */
  uniqueOn?: 'src_port' | 'dst_port';
}

export class ThresholdEntry {
  count = 1;
  tv1: number;
  /** rate_filter: time the new action was enabled (0 = not enabled). */
  tvTimeout = 0;
  /** detection_filter unique_on: the distinct ports seen in the window. */
  seen: Set<number> | null = null;
  constructor(now: number) {
    this.tv1 = now;
  }
}

/** Result codes. */
export const ThresholdResult = { NONE: 0, ALERT: 1, SILENT: 2 } as const;

/**
 * Applies one match to `entry` (null when none exists yet for this key) and returns the
 * result; `created` receives a new entry the caller must store.
 */
export function thresholdApply(
  spec: ThresholdSpec,
  entry: ThresholdEntry | null,
  now: number,
  created: { entry: ThresholdEntry | null; rateExceeded: boolean },
  port = 0,
): number {
  created.entry = null;
  created.rateExceeded = false;
  const within = entry !== null && now <= entry.tv1 + spec.seconds;
  if (spec.uniqueOn !== undefined) {
    // distinct ports in the window; alerts once more than `count` distinct ones were seen
    if (entry === null) {
      const e = new ThresholdEntry(now);
      e.seen = new Set([port]);
      created.entry = e;
      return e.seen.size > spec.count ? 1 : 0;
    }
    if (!within || entry.seen === null) {
      entry.tv1 = now;
      entry.seen = new Set();
    }
    entry.seen.add(port);
    entry.count = entry.seen.size;
    return entry.count > spec.count ? 1 : 0;
  }
  switch (spec.type) {
    case 'limit':
      if (entry === null) {
        created.entry = new ThresholdEntry(now);
        return 1;
      }
      if (within) {
        entry.count++;
        return entry.count <= spec.count ? 1 : 2;
      }
      entry.tv1 = now;
      entry.count = 1;
      return 1;
    case 'threshold':
      if (entry === null) {
        if (spec.count === 1) return 1;
        created.entry = new ThresholdEntry(now);
        return 0;
      }
      if (within) {
        entry.count++;
        if (entry.count >= spec.count) {
          entry.count = 0;
          return 1;
        }
        return 0;
      }
      entry.tv1 = now;
      entry.count = 1;
      return 0;
    case 'both':
      if (entry === null) {
        created.entry = new ThresholdEntry(now);
        return spec.count === 1 ? 1 : 0;
      }
      if (within) {
        entry.count++;
        if (entry.count === spec.count) return 1;
        if (entry.count > spec.count) return 2;
        return 0;
      }
      entry.tv1 = now;
      entry.count = 1;
      return entry.count === spec.count ? 1 : 0;
    case 'detection_filter':
      if (entry === null) {
        created.entry = new ThresholdEntry(now);
        return 0;
      }
      if (within) {
        entry.count++;
        return entry.count > spec.count ? 1 : 0;
      }
      entry.tv1 = now;
      entry.count = 1;
      return 0;
    case 'rate_filter':
      if (entry === null) {
        created.entry = new ThresholdEntry(now);
        return 1;
      }
      created.rateExceeded = rateReached(entry, spec, now);
      return 1;
  }
  return 0;
}

function rateReached(e: ThresholdEntry, spec: ThresholdSpec, now: number): boolean {
  if (e.tvTimeout !== 0) {
    if (Math.floor(now) - e.tvTimeout > (spec.timeout ?? 0)) {
      e.tvTimeout = 0;
      return false;
    }
    return true;
  }
  if (now <= e.tv1 + spec.seconds) {
    e.count++;
    if (e.count > spec.count) {
      e.tvTimeout = Math.floor(now);
      return true;
    }
    return false;
  }
  e.tv1 = now;
  e.count = 1;
  return false;
}

/** Formats a 4/16-byte address as a map key without going through text. */
function addrKey(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
  return s;
}

/**
 * Threshold state of one detection engine: per host, per host pair and per rule. Per-flow
 * entries live in the flow's {@link FlowVars}. Entries are kept until {@link expire} drops
 * those idle for longer than their window.
 */
export class ThresholdStore {
  private readonly entries = new Map<string, ThresholdEntry>();
  private readonly scratch = { entry: null as ThresholdEntry | null, rateExceeded: false };
  /** Set by the last {@link apply} of a rate_filter: whether its new action is in force. */
  rateExceeded = false;

  /**
   * Applies a match of rule `ruleKey` (gid:sid) for the given addresses; `flowEntries` is the
   * flow's map for by_flow tracking (null when the packet has no flow: then no tracking).
   */
  apply(
    spec: ThresholdSpec,
    ruleKey: string,
    src: Uint8Array,
    dst: Uint8Array,
    now: number,
    flowEntries: Map<string, ThresholdEntry> | null,
    port = 0,
  ): number {
    let key: string;
    let map = this.entries;
    switch (spec.track) {
      case 'by_src':
        key = ruleKey + '|s|' + addrKey(src);
        break;
      case 'by_dst':
        key = ruleKey + '|d|' + addrKey(dst);
        break;
      case 'by_both': {
        // Suricata tracks by_both in its ip-pair table, which does not order the pair
        const a = addrKey(src);
        const b = addrKey(dst);
        key = ruleKey + '|b|' + (a < b ? a + '|' + b : b + '|' + a);
        break;
      }
      case 'by_rule':
        key = ruleKey;
        break;
      case 'by_flow':
        if (flowEntries === null) return 0;
        key = ruleKey;
        map = flowEntries;
        break;
    }
    const e = map.get(key) ?? null;
    const r = thresholdApply(spec, e, now, this.scratch, port);
    if (this.scratch.entry !== null) map.set(key, this.scratch.entry);
    this.rateExceeded = this.scratch.rateExceeded;
    return r;
  }

  /** Drops entries whose window ended more than `idleSeconds` before `now`. */
  expire(now: number, idleSeconds: number): void {
    for (const [k, e] of this.entries) if (now - e.tv1 > idleSeconds) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
