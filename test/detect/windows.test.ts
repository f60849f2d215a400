/**
 * The bounded building blocks: exact sliding windows at their edges, capped tables, and the
 * configuration reader's refusals.
 */
import { describe, expect, it } from 'vitest';
import { BoundedMap, DistinctWindow, EventRing, RateWindow } from '../../src/detect/common.js';
import { resolveDetectConfig } from '../../src/detect/config.js';
import { createDetectors } from '../../src/detect/registry.js';
import { ErrorCodes } from '../../src/errors.js';

describe('EventRing', () => {
  it('fires when n events fall within the window, inclusive of its length', () => {
    const r = new EventRing(3);
    expect(r.hit(0, 1000)).toBe(false);
    expect(r.hit(500, 1000)).toBe(false);
    expect(r.hit(1000, 1000)).toBe(true); // 0..1000 spans exactly the window
    const s = new EventRing(3);
    s.hit(0, 1000);
    s.hit(500, 1000);
    expect(s.hit(1001, 1000)).toBe(false); // the first one slid out
    expect(s.hit(1200, 1000)).toBe(true);
  });
});

describe('DistinctWindow', () => {
  it('counts distinct values exactly up to its cap; repeats and expired values do not count', () => {
    const d = new DistinctWindow(4);
    expect(d.add(1, 0, 100)).toBe(1);
    expect(d.add(1, 10, 100)).toBe(1);
    expect(d.add(2, 20, 100)).toBe(2);
    expect(d.add(3, 30, 100)).toBe(3);
    expect(d.add(4, 40, 100)).toBe(4);
    expect(d.add(5, 50, 100)).toBe(4); // at cap
    expect(d.add(6, 125, 100)).toBe(3); // 1 (t=10) and 2 (t=20) expired: 3, 4, 6
  });
});

/** The definition, without shortcuts: distinct values whose last time lies within the window, at most cap. */
class ReferenceDistinct {
  private readonly vals: number[] = [];
  private readonly times: number[] = [];
  constructor(readonly cap: number) {}
  add(v: number, now: number, w: number): number {
    let live = 0;
    let found = -1;
    let free = -1;
    for (let i = 0; i < this.vals.length; i++) {
      if (now - this.times[i] > w) {
        if (free < 0) free = i;
        continue;
      }
      if (this.vals[i] === v) found = i;
      live++;
    }
    if (found >= 0) {
      this.times[found] = now;
      return live;
    }
    if (free < 0) {
      if (this.vals.length >= this.cap) return live;
      this.vals.push(v);
      this.times.push(now);
      return live + 1;
    }
    this.vals[free] = v;
    this.times[free] = now;
    return live + 1;
  }
}

describe('DistinctWindow against the plain definition', () => {
  it('gives the same count on 20,000 random adds (repeats, expiry, times a little out of order)', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const cap of [1, 3, 10, 15]) {
      const fast = new DistinctWindow(cap);
      const ref = new ReferenceDistinct(cap);
      let t = 0;
      for (let i = 0; i < 5000; i++) {
        // mostly forward in time, sometimes back (expiry of pending probes is up to 3 s late)
        t += rnd() < 0.1 ? -Math.floor(rnd() * 30) : Math.floor(rnd() * 20);
        // long runs of one value (floods) mixed with a few others
        const v = rnd() < 0.7 ? 80 : Math.floor(rnd() * (cap + 3));
        expect(fast.add(v, t, 100)).toBe(ref.add(v, t, 100));
      }
    }
  });

  it('gives the same count on a scan that keeps a window full (new values, values sharing low bits)', () => {
    let seed = 777;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const cap of [3, 10, 15]) {
      const fast = new DistinctWindow(cap);
      const ref = new ReferenceDistinct(cap);
      let t = 0;
      let port = 0;
      for (let i = 0; i < 20000; i++) {
        t += rnd() < 0.05 ? -Math.floor(rnd() * 40) : Math.floor(rnd() * 3);
        const r = rnd();
        // mostly the next port of a scan; sometimes a port seen before, or one 64 away (same
        // filter bit), or an address-sized value
        const v =
          r < 0.7
            ? 6 * 65536 + ++port
            : r < 0.85
              ? 6 * 65536 + port - Math.floor(rnd() * cap)
              : r < 0.95
                ? 6 * 65536 + port - 64 * (1 + Math.floor(rnd() * 3))
                : 0xc0a80000 + Math.floor(rnd() * 256);
        expect(fast.add(v, t, 100)).toBe(ref.add(v, t, 100));
      }
    }
  });
});

describe('RateWindow', () => {
  it('counts events in the last window in ten buckets; removals take events back', () => {
    const r = new RateWindow(1_000_000);
    for (let i = 0; i < 10; i++) r.add(i * 50_000);
    expect(r.count(450_000)).toBe(10);
    r.remove(460_000);
    expect(r.count(460_000)).toBe(9);
    expect(r.count(2_500_000)).toBe(0);
  });

  it('matches a plain bucket count on 20,000 random adds, removals and reads', () => {
    // the definition: an event counts in the newest bucket seen so far (late events too); the
    // ten newest buckets are live; a removal takes from the current bucket, else from the live
    // bucket with the lowest slot (bucket number mod 10)
    class Reference {
      private readonly buckets = new Map<number, number>();
      private cur = -1;
      private move(now: number): void {
        const b = Math.floor(now / 100_000);
        if (b > this.cur) this.cur = b;
        for (const k of [...this.buckets.keys()]) if (k <= this.cur - 10) this.buckets.delete(k);
      }
      add(now: number): number {
        this.move(now);
        this.buckets.set(this.cur, (this.buckets.get(this.cur) ?? 0) + 1);
        return this.count(now);
      }
      remove(now: number): void {
        this.move(now);
        if ((this.buckets.get(this.cur) ?? 0) > 0) {
          this.buckets.set(this.cur, (this.buckets.get(this.cur) as number) - 1);
          return;
        }
        const live = [...this.buckets.entries()]
          .filter(([, c]) => c > 0)
          .sort((x, y) => (x[0] % 10) - (y[0] % 10));
        if (live.length > 0) this.buckets.set(live[0][0], live[0][1] - 1);
      }
      count(now: number): number {
        this.move(now);
        let n = 0;
        for (const c of this.buckets.values()) n += c;
        return n;
      }
    }
    let seed = 4242;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const fast = new RateWindow(1_000_000);
    const ref = new Reference();
    let t = 1_700_000_000_000_000;
    for (let i = 0; i < 20000; i++) {
      // mostly small steps, sometimes back in time, sometimes a gap of more than the window
      const r = rnd();
      t += r < 0.05 ? -Math.floor(rnd() * 150_000) : r < 0.06 ? 1_500_000 : Math.floor(rnd() * 40_000);
      const op = rnd();
      if (op < 0.7) expect(fast.add(t)).toBe(ref.add(t));
      else if (op < 0.85) {
        fast.remove(t);
        ref.remove(t);
      } else expect(fast.count(t)).toBe(ref.count(t));
    }
  });
});

describe('BoundedMap', () => {
  it('never holds more than its cap; the oldest key leaves first', () => {
    const m = new BoundedMap<number, number>(16);
    for (let i = 0; i < 100; i++) m.set(i, i);
    expect(m.size).toBe(16);
    expect(m.evicted).toBe(84);
    expect(m.get(0)).toBeUndefined();
    expect(m.get(99)).toBe(99);
  });
  it('sweep removes exactly the stale entries (runs of them included) and keeps insertion order', () => {
    const m = new BoundedMap<number, number>(1000);
    for (let i = 0; i < 200; i++) m.set(i, i);
    const stale = (v: number) => v % 7 < 3 || (v >= 50 && v < 90);
    m.sweep((v, k) => {
      expect(k).toBe(v);
      return stale(v);
    });
    const kept = [...m.map.keys()];
    expect(kept).toEqual([...Array(200).keys()].filter((v) => !stale(v)));
    // the oldest kept key is still the first to leave at the cap
    const small = new BoundedMap<number, number>(3);
    for (let i = 0; i < 3; i++) small.set(i, i);
    small.sweep((v) => v === 0);
    small.set(10, 10);
    small.set(11, 11);
    expect([...small.map.keys()]).toEqual([2, 10, 11]);
  });
});

describe('configuration', () => {
  it('fills defaults and applies the switches', () => {
    const c = resolveDetectConfig(
      { portscan: { verticalPorts: 30 } },
      { detect_dos: false, detect_sql_injection: false },
    );
    expect(c.portscan.verticalPorts).toBe(30);
    expect(c.portscan.horizontalHosts).toBe(10);
    expect(c.dos.enabled).toBe(false);
    expect(c.webattack.sqlInjection).toBe(false);
    expect(c.webattack.xss).toBe(true);
  });
  it('refuses unknown keys, bad numbers and bad severities with INVALID_CONFIG naming the key', () => {
    const bad = [
      { portscan: { verticalPort: 3 } },
      { portscan: { verticalPorts: 0 } },
      { portscan: { verticalPorts: 2.5 } },
      { dos: { synSeverity: 'urgent' } },
      { dos: { udpReplyRatio: 2 } },
      { bruteforce: { ports: [22, 70000] } },
      { nonsense: {} },
    ];
    for (const input of bad) {
      expect(() => resolveDetectConfig(input as never)).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_CONFIG }),
      );
    }
  });
  it('every detector off: no observer', () => {
    expect(
      createDetectors(
        {},
        {
          detect_port_scan: false,
          detect_dos: false,
          detect_brute_force: false,
          detect_sql_injection: false,
          detect_web_attacks: false,
        },
      ),
    ).toEqual([]);
  });
});
