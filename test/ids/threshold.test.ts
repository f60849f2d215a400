/**
 * Counting semantics of threshold and detection_filter, as Suricata's documentation states
 * them (rules/thresholding): limit alerts at most N times per window, threshold alerts every
 * Nth match, both alerts once per window at the Nth match, detection_filter alerts on every
 * match after the Nth.
 */
import { describe, expect, it } from 'vitest';
import { MatchResult } from '../../src/ids/match/detect.js';
import { type ThresholdSpec, ThresholdStore } from '../../src/ids/match/threshold.js';
import { loadRulesFromString } from '../../src/ids/rules/loader.js';
import { parseThresholdConfig } from '../../src/ids/rules/threshold-config.js';
import { detectorFor, tcpInput } from './match-helpers.js';

const A = new Uint8Array([10, 0, 0, 1]);
const B = new Uint8Array([10, 0, 0, 2]);
const C = new Uint8Array([10, 0, 0, 3]);

/** Alert flags (1 alert, 2 silent, 0 none) for matches at the given times from one source. */
function run(spec: ThresholdSpec, times: number[], src: Uint8Array[] = times.map(() => A)): number[] {
  const store = new ThresholdStore();
  return times.map((t, i) => store.apply(spec, '1:1', src[i], B, t, null));
}

describe('threshold keyword', () => {
  it('limit: the first N matches per window alert, the rest are silent', () => {
    const spec: ThresholdSpec = { type: 'limit', track: 'by_src', count: 2, seconds: 60 };
    expect(run(spec, [0, 1, 2, 3, 61.5, 62])).toEqual([1, 1, 2, 2, 1, 1]);
  });

  it('threshold: alert on every Nth match within the window', () => {
    const spec: ThresholdSpec = { type: 'threshold', track: 'by_src', count: 3, seconds: 60 };
    expect(run(spec, [0, 1, 2, 3, 4, 5, 6])).toEqual([0, 0, 1, 0, 0, 1, 0]);
    // the window restarts after `seconds`: counts do not carry over
    expect(run(spec, [0, 1, 100, 101, 102])).toEqual([0, 0, 0, 0, 1]);
  });

  it('both: one alert per window, at the Nth match', () => {
    const spec: ThresholdSpec = { type: 'both', track: 'by_src', count: 2, seconds: 10 };
    expect(run(spec, [0, 1, 2, 3, 20, 21])).toEqual([0, 1, 2, 2, 0, 1]);
  });

  it('detection_filter: every match after the Nth within the window', () => {
    const spec: ThresholdSpec = { type: 'detection_filter', track: 'by_src', count: 2, seconds: 10 };
    expect(run(spec, [0, 1, 2, 3, 4, 30])).toEqual([0, 0, 1, 1, 1, 0]);
  });

  it('tracks by source, by destination and by rule separately', () => {
    const spec: ThresholdSpec = { type: 'limit', track: 'by_src', count: 1, seconds: 60 };
    expect(run(spec, [0, 1, 2, 3], [A, C, A, C])).toEqual([1, 1, 2, 2]);
    const store = new ThresholdStore();
    const dst: ThresholdSpec = { type: 'limit', track: 'by_dst', count: 1, seconds: 60 };
    expect([
      store.apply(dst, 'r', A, B, 0, null),
      store.apply(dst, 'r', C, B, 1, null),
      store.apply(dst, 'r', A, C, 2, null),
    ]).toEqual([1, 2, 1]);
    const rule: ThresholdSpec = { type: 'limit', track: 'by_rule', count: 1, seconds: 60 };
    expect([store.apply(rule, 'r', A, B, 0, null), store.apply(rule, 'r', C, A, 1, null)]).toEqual([1, 2]);
  });

  it('a window includes its last second (time <= start + seconds)', () => {
    const spec: ThresholdSpec = { type: 'limit', track: 'by_src', count: 1, seconds: 10 };
    expect(run(spec, [0, 10, 10.000001])).toEqual([1, 2, 1]);
  });
});

describe('thresholds in the detector', () => {
  it('applies threshold keywords per source and keeps flowbits actions of silenced matches', () => {
    const det = detectorFor(
      'alert tcp any any -> any any (msg:"t"; content:"x"; flowbits:set,seen; threshold: type limit, track by_src, count 1, seconds 60; sid:1;)\n' +
        'alert tcp any any -> any any (msg:"u"; content:"y"; flowbits:isset,seen; sid:2;)',
    );
    const out = new MatchResult();
    const first = tcpInput('x');
    first.time = 100;
    det.detect(first, out);
    expect([out.count, out.alert[0]]).toEqual([1, true]);
    const second = tcpInput('x y');
    second.time = 101;
    second.flowVars = first.flowVars;
    det.detect(second, out);
    expect(out.rules.slice(0, out.count).map((r) => r.sid)).toEqual([1, 2]);
    expect(out.alert.slice(0, out.count)).toEqual([false, true]);
  });

  it('threshold.config suppress and event filters', () => {
    const cfg = parseThresholdConfig(
      'suppress gen_id 1, sig_id 5, track by_src, ip 10.0.0.0/8\nthreshold gen_id 1, sig_id 6, type limit, track by_dst, count 2, seconds 60\nrate_filter gen_id 1, sig_id 7, track by_src, count 1, seconds 60, new_action drop, timeout 10\nbogus line',
    );
    expect(cfg.suppress).toHaveLength(1);
    expect(cfg.suppress[0].ips?.has(new Uint8Array([10, 9, 9, 9]))).toBe(true);
    expect(cfg.suppress[0].ips?.has(new Uint8Array([11, 9, 9, 9]))).toBe(false);
    expect(cfg.thresholds[0].spec).toEqual({ type: 'limit', track: 'by_dst', count: 2, seconds: 60 });
    expect(cfg.rateFilters[0].spec).toMatchObject({ type: 'rate_filter', newAction: 'drop', timeout: 10 });
    expect(cfg.problems).toEqual([{ line: 4, message: expect.any(String) }]);
  });
});

describe('threshold with detection_filter', () => {
  // Suricata refuses the pair in one rule (detect-threshold.c / detect-detection-filter.c:
  // '"detection_filter" and "threshold" are not allowed in the same rule'); the rule must be
  // reported and left out instead of loading and never firing
  it('is a syntax issue in either order, naming the keyword', () => {
    const r = loadRulesFromString(
      [
        'alert tcp any any -> any any (msg:"a"; threshold:type limit, track by_src, count 1, seconds 60; detection_filter:track by_src, count 2, seconds 60; sid:1;)',
        'alert tcp any any -> any any (msg:"b"; detection_filter:track by_src, count 2, seconds 60; threshold:type limit, track by_src, count 1, seconds 60; sid:2;)',
        'alert tcp any any -> any any (msg:"c"; detection_filter:track by_src, count 2, seconds 60; sid:3;)',
      ].join('\n'),
    );
    expect(r.issues.map((i) => [i.sid, i.kind, i.keyword])).toEqual([
      [1, 'syntax', 'detection_filter'],
      [2, 'syntax', 'threshold'],
    ]);
    expect(r.ruleSet.rules.length).toBe(1);
  });
});
