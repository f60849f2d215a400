import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  evaluateCheck,
  evaluateChecks,
  eventMatches,
  findValue,
  pyEquals,
} from '../../src/ids/verify/checks.js';
import { discoverTests, loadTestRules, readTestCase, rulesSupport } from '../../src/ids/verify/test-case.js';
import { versionSatisfies } from '../../src/ids/verify/version.js';
import { corpusPath } from '../helpers/corpus.js';

const events = [
  {
    event_type: 'alert',
    pcap_cnt: 4,
    alert: { signature_id: 1, metadata: { tag: ['a', 'b'] } },
    http: { url: '/index.html', hostname: 'example.com' },
  },
  { event_type: 'alert', alert: { signature_id: 2 }, app_proto: 'http' },
  { event_type: 'http', http: { url: '/x' } },
  { event_type: 'stats', stats: { detect: { alert: 2 } } },
];

describe('filter matching', () => {
  it('dotted paths and indexes', () => {
    expect(findValue(events[0], 'alert.metadata.tag[1]')).toBe('b');
    expect(findValue(events[0], 'alert.metadata.tag[5]')).toBeUndefined();
    expect(findValue(events[0], 'alert.nope.x')).toBeUndefined();
    expect(eventMatches(events[0], { event_type: 'alert', 'alert.signature_id': 1 })).toBe(true);
    expect(eventMatches(events[0], { 'alert.signature_id': '1' })).toBe(false);
  });

  it('__len, __contains, __find, __startswith, __endswith, has-key, not-has-key', () => {
    expect(eventMatches(events[0], { 'alert.metadata.tag.__len': 2 })).toBe(true);
    expect(eventMatches(events[0], { 'http.url.__len': 11 })).toBe(true);
    expect(eventMatches(events[0], { 'alert.signature_id.__len': -1 })).toBe(true);
    expect(eventMatches(events[0], { 'alert.metadata.tag.__contains': 'b' })).toBe(true);
    expect(eventMatches(events[0], { 'alert.metadata.tag.__contains': 'c' })).toBe(false);
    expect(eventMatches(events[0], { 'http.url.__contains': 'index' })).toBe(true);
    expect(eventMatches(events[0], { 'http.hostname.__find': 'ample' })).toBe(true);
    expect(eventMatches(events[0], { 'http.url.__startswith': '/index' })).toBe(true);
    expect(eventMatches(events[0], { 'http.url.__endswith': '.htm' })).toBe(false);
    expect(eventMatches(events[0], { 'has-key': 'http.hostname' })).toBe(true);
    expect(eventMatches(events[1], { 'has-key': 'http.hostname' })).toBe(false);
    expect(eventMatches(events[1], { 'not-has-key': 'pcap_cnt' })).toBe(true);
    expect(eventMatches(events[0], { 'not-has-key': 'pcap_cnt' })).toBe(false);
  });

  it("Python's equality", () => {
    expect(pyEquals(1, 1.0)).toBe(true);
    expect(pyEquals(true, 1)).toBe(true);
    expect(pyEquals('1', 1)).toBe(false);
    expect(pyEquals([1, { a: 'x' }], [1, { a: 'x' }])).toBe(true);
    expect(pyEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('counts filters, stats checks and version gates', () => {
    expect(evaluateCheck({ filter: { count: 2, match: { event_type: 'alert' } } }, events)).toMatchObject({
      status: 'pass',
      actual: 2,
    });
    expect(evaluateCheck({ filter: { count: 1, match: { event_type: 'alert' } } }, events)).toMatchObject({
      status: 'fail',
      expected: 1,
      actual: 2,
    });
    expect(evaluateCheck({ stats: { 'detect.alert': 2 } }, events)).toMatchObject({ status: 'pass' });
    expect(evaluateCheck({ stats: { 'detect.alert': 3 } }, events)).toMatchObject({ status: 'fail' });
    expect(
      evaluateCheck({ filter: { requires: { 'lt-version': 8 }, count: 9, match: {} } }, events, {
        version: '8.0.1',
      }),
    ).toMatchObject({ kind: 'skipped' });
    expect(evaluateCheck({ shell: { args: 'true' } }, events)).toMatchObject({ kind: 'unsupported' });
    const all = evaluateChecks(
      [
        { filter: { count: 1, match: { event_type: 'http' } } },
        { filter: { count: 0, match: { 'alert.signature_id': 3 } } },
      ],
      events,
    );
    expect(all.status).toBe('pass');
  });

  it('version requirements', () => {
    expect(versionSatisfies({ 'min-version': 7 }, '8.0.0')).toBeNull();
    expect(versionSatisfies({ 'min-version': '8.0.1' }, '8.0.0')).toMatch(/at least/);
    expect(versionSatisfies({ 'lt-version': '8.0.5' }, '8.0.0')).toBeNull();
    expect(versionSatisfies({ 'lt-version': 8 }, '8.0.0')).toMatch(/below/);
    expect(versionSatisfies({ version: '8.0' }, '8.0.3')).toBeNull();
  });
});

describe('real suricata-verify tests', () => {
  const root = corpusPath('suricata-verify', 'tests');

  it('discovers nested test directories', () => {
    const all = discoverTests(root);
    expect(all.length).toBe(606);
    expect(all).toContain(path.join(root, 'threshold', 'threshold-config-rate-filter-alert-hostsrc'));
    expect(discoverTests(path.join(root, 'detect-flowbits'))).toEqual([path.join(root, 'detect-flowbits')]);
  });

  it('reads test.yaml, pcap, rules and args', () => {
    const tc = readTestCase(path.join(root, 'threshold', 'threshold-config-rate-filter-alert-hostsrc'));
    expect(tc.pcap).toBe(path.join(root, 'http-all-headers', 'input.pcap'));
    expect(path.basename(tc.rulesFile!)).toBe('input.rules');
    expect(tc.ips).toBe(true);
    expect(tc.sets['threshold-file']).toBe(
      path.join(root, 'threshold', 'threshold-config-rate-filter-alert-hostsrc', 'threshold.config'),
    );
    expect(tc.notSupported).toBeNull();
    expect(tc.checks).toHaveLength(3);
    const res = loadTestRules(tc);
    expect(rulesSupport(res)).toEqual({ allLoad: true, reason: null });
  });

  it('detect-flowbits: all rules load, and its checks evaluate on records', () => {
    const tc = readTestCase(path.join(root, 'detect-flowbits'));
    expect(rulesSupport(loadTestRules(tc)).allLoad).toBe(true);
    // sids 1, 2, 5, 7, 9, 12 fire once; a flow and a stats record
    const recs = [
      { event_type: 'flow' },
      { event_type: 'stats', stats: {} },
      ...[1, 2, 5, 7, 9, 12].map((sid) => ({ event_type: 'alert', alert: { signature_id: sid } })),
    ];
    expect(evaluateChecks(tc.checks, recs).status).toBe('pass');
    expect(evaluateChecks(tc.checks, recs.slice(0, -1)).status).toBe('fail');
  });

  it('marks tests whose rules do not all load', () => {
    const tc = readTestCase(path.join(root, 'eve-tag-01'));
    const s = rulesSupport(loadTestRules(tc));
    expect(s.allLoad).toBe(false);
    expect(s.reason).toMatch(/tag/);
  });

  it('marks tests with unmet requirements', () => {
    const lt = discoverTests(root)
      .map((d) => readTestCase(d))
      .filter((t) => t.notSupported !== null);
    expect(lt.length).toBeGreaterThan(0);
    expect(lt.every((t) => typeof t.notSupported === 'string')).toBe(true);
  });
});
