/** RFC 9111 rules of the forward proxy's cache, and the request log ring, as pure functions. */
import { describe, expect, it } from 'vitest';
import {
  correctedInitialAgeMs,
  etagMatches,
  freshnessLifetimeMs,
  parseCacheControl,
} from '../../src/proxy/forward/cache/freshness.js';
import { DomainSet } from '../../src/proxy/forward/filters/domain.js';
import { compileUrlPattern } from '../../src/proxy/forward/filters/url.js';
import { RequestLog } from '../../src/proxy/log.js';

describe('freshness (RFC 9111 4.2)', () => {
  const cc = parseCacheControl;
  it('prefers s-maxage, then max-age, then Expires - Date, then 10% of the Last-Modified age', () => {
    const date = Date.parse('Sun, 22 Nov 2026 00:00:00 GMT');
    const base = { date, expires: undefined, lastModified: null };
    expect(freshnessLifetimeMs({ ...base, cc: cc('max-age=60, s-maxage=10') }, date)).toBe(10_000);
    expect(freshnessLifetimeMs({ ...base, cc: cc('public, max-age=60') }, date)).toBe(60_000);
    expect(freshnessLifetimeMs({ ...base, cc: cc(''), expires: 'Sun, 22 Nov 2026 00:05:00 GMT' }, date)).toBe(
      300_000,
    );
    expect(freshnessLifetimeMs({ ...base, cc: cc(''), expires: '0' }, date)).toBe(0);
    expect(freshnessLifetimeMs({ ...base, cc: cc(''), lastModified: date - 100_000 }, date)).toBe(10_000);
    expect(freshnessLifetimeMs({ ...base, cc: cc('') }, date)).toBe(0);
  });

  it('parses directives case-insensitively, quoted or not', () => {
    expect(cc('No-Store, PRIVATE, max-age="30"')).toMatchObject({ noStore: true, private: true, maxAge: 30 });
    expect(cc('max-age=abc').maxAge).toBe(-1);
  });

  it('computes the age a response had on arrival', () => {
    const t = 1_000_000;
    expect(correctedInitialAgeMs('5', t - 2_000, t - 100, t)).toBe(5_100);
    expect(correctedInitialAgeMs(undefined, t - 2_000, t - 100, t)).toBe(2_000);
  });

  it('compares entity tags weakly', () => {
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"x"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
  });
});

describe('filter matching', () => {
  it('matches a domain and its subdomains only', () => {
    const d = new DomainSet(['Example.com', '*.ads.test.']);
    expect(d.match('example.com')).toBe('example.com');
    expect(d.match('a.b.example.com')).toBe('example.com');
    expect(d.match('notexample.com')).toBeNull();
    expect(d.match('x.ads.test')).toBe('ads.test');
    expect(() => new DomainSet(['bad domain'])).toThrow(/invalid domain/);
  });

  it('turns globs into whole-URL patterns', () => {
    const re = compileUrlPattern('http://*.example.com/private/*');
    expect(re.test('http://a.example.com/private/x?y')).toBe(true);
    expect(re.test('http://a.example.com/public/x')).toBe(false);
    expect(compileUrlPattern('*.gif').test('http://x/a.gif')).toBe(true);
  });
});

describe('request log ring', () => {
  it('keeps the last N entries, oldest first', () => {
    const log = new RequestLog(3);
    for (let i = 1; i <= 5; i++) {
      log.push({ time: '', client: '', method: 'GET', url: `/${i}`, status: 200, bytes: 0, duration_ms: 0 });
    }
    expect(log.recent(10).map((e) => e.url)).toEqual(['/3', '/4', '/5']);
    expect(log.recent(2).map((e) => e.url)).toEqual(['/4', '/5']);
    expect(log.length).toBe(3);
  });
});
