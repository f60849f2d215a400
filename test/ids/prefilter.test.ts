import { describe, expect, it } from 'vitest';
import { LOWER, makeSearchPattern, searchPattern } from '../../src/ids/match/search.js';
import { AhoCorasick, MAX_DENSE_STATES } from '../../src/ids/prefilter/aho-corasick.js';
import { fewPositions } from '../../src/ids/prefilter/fixed-position.js';
import { type LiteralAddon, literalAddon } from '../../src/ids/prefilter/native.js';
import { BufferPrefilter, Candidates, type FastPattern } from '../../src/ids/prefilter/prefilter.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(r: () => number, n: number, alphabet: number[]): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = alphabet[Math.floor(r() * alphabet.length)];
  return out;
}

/**
 * Rules whose pattern occurs in `buf`, by a naive search (case-sensitive or not): inside its
 * window when it has one (offset, absolute depth), anywhere otherwise.
 */
function naiveRules(pats: FastPattern[], buf: Uint8Array): number[] {
  const out = new Set<number>();
  for (const p of pats) {
    const m = p.bytes.length;
    const lo = p.depth ? (p.offset ?? 0) : 0;
    const hi = p.depth ? Math.min(p.depth, buf.length) : buf.length;
    for (let s = lo; s + m <= hi; s++) {
      let j = 0;
      while (j < m && (p.nocase ? LOWER[buf[s + j]] === LOWER[p.bytes[j]] : buf[s + j] === p.bytes[j])) j++;
      if (j === m) {
        out.add(p.rule);
        break;
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The candidates collected, ascending. */
/**
 * Scans `buf` as a buffer that grows in random steps of 1..maxStep bytes, each step scanning only
 * its new bytes (`scanFrom` with the state of the step before), into `out` (reset first).
 */
function resumedScan(
  pf: BufferPrefilter,
  buf: Uint8Array,
  r: () => number,
  maxStep: number,
  out: Candidates,
): void {
  out.reset();
  let state = 0;
  for (let done = 0; done < buf.length; ) {
    const next = Math.min(buf.length, done + 1 + Math.floor(r() * maxStep));
    state = pf.scanFrom(buf.subarray(0, next), done, state, out);
    done = next;
  }
}

function sorted(c: Candidates): number[] {
  c.sort();
  return Array.from(c.list.subarray(0, c.count));
}

/** Every (pattern, end) occurrence, case-insensitively, the slow way. */
function naive(patterns: Uint8Array[], buf: Uint8Array): string[] {
  const out: string[] = [];
  for (let end = 1; end <= buf.length; end++) {
    patterns.forEach((p, id) => {
      if (p.length === 0 || p.length > end) return;
      for (let j = 0; j < p.length; j++) if (LOWER[buf[end - p.length + j]] !== LOWER[p[j]]) return;
      out.push(`${id}@${end}`);
    });
  }
  return out.sort();
}

describe('Aho-Corasick', () => {
  it('finds exactly the occurrences a naive search finds, on random inputs', () => {
    const r = rng(42);
    // a small alphabet with both cases makes overlaps and shared prefixes frequent
    const alphabet = [0x61, 0x62, 0x63, 0x41, 0x42, 0x00, 0xff];
    for (let round = 0; round < 60; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(r() * 40) }, () =>
        randomBytes(r, 1 + Math.floor(r() * 6), alphabet),
      );
      const ac = new AhoCorasick(patterns);
      const buf = randomBytes(r, 200, alphabet);
      const got: string[] = [];
      ac.scan(buf, 0, buf.length, (p, end) => {
        got.push(`${p}@${end}`);
      });
      expect(got.sort()).toEqual(naive(patterns, buf));
    }
  });

  it('reports a settled pattern only at its first occurrence', () => {
    const r = rng(11);
    const alphabet = [0x61, 0x62, 0x00, 0x41];
    for (let round = 0; round < 60; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(r() * 30) }, () =>
        randomBytes(r, 1 + Math.floor(r() * 5), alphabet),
      );
      const ac = new AhoCorasick(patterns);
      const buf = randomBytes(r, 300, alphabet);
      // oracle: the first end index of each pattern among all occurrences
      const first = new Map<number, number>();
      for (const hit of naive(patterns, buf)) {
        const [p, end] = hit.split('@').map(Number);
        if (!first.has(p) || end < first.get(p)!) first.set(p, end);
      }
      // settle odd patterns on sight: they come once; even ones keep coming
      const got = new Map<number, number[]>();
      ac.scan(buf, 0, buf.length, (p, end) => {
        got.set(p, [...(got.get(p) ?? []), end]);
        return p % 2 === 1;
      });
      for (const [p, end] of first) {
        const ends = got.get(p) ?? [];
        expect(ends[0]).toBe(end);
        if (p % 2 === 1) expect(ends).toHaveLength(1);
        else expect(ends.length).toBe(naive(patterns, buf).filter((h) => h.startsWith(`${p}@`)).length);
      }
      expect([...got.keys()].sort()).toEqual([...first.keys()].sort());
    }
  });

  it('stays correct beyond the dense rows (deep sparse states)', () => {
    const r = rng(7);
    const alphabet = Array.from({ length: 26 }, (_, i) => 0x61 + i);
    // more states than fit the fully dense 16-bit layout (32767): dense rows plus sparse ones
    const patterns = Array.from({ length: 6000 }, () => randomBytes(r, 6 + Math.floor(r() * 8), alphabet));
    const ac = new AhoCorasick(patterns);
    expect(ac.stateCount).toBeGreaterThan(0x7fff);
    expect(ac.stateCount).toBeGreaterThan(MAX_DENSE_STATES);
    const buf = new Uint8Array(4000);
    for (let i = 0; i < buf.length; i += 1) buf[i] = alphabet[Math.floor(r() * 26)];
    // plant some patterns
    for (let k = 0; k < 50; k++) buf.set(patterns[Math.floor(r() * patterns.length)], Math.floor(r() * 3900));
    const got: string[] = [];
    ac.scan(buf, 0, buf.length, (p, end) => {
      got.push(`${p}@${end}`);
    });
    expect(got.sort()).toEqual(naive(patterns, buf));
  });
});

describe('single-pattern search', () => {
  it('agrees with indexOf on random inputs, both cases', () => {
    const r = rng(3);
    const alphabet = [0x61, 0x62, 0x41, 0x42, 0x20];
    for (let i = 0; i < 300; i++) {
      const pat = randomBytes(r, 1 + Math.floor(r() * 7), alphabet);
      const buf = randomBytes(r, 100, alphabet);
      const start = Math.floor(r() * 20);
      const end = 100 - Math.floor(r() * 20);
      const cs = makeSearchPattern(pat, false);
      const hay = Buffer.from(buf.subarray(0, end)).toString('latin1');
      let want = hay.indexOf(Buffer.from(pat).toString('latin1'), start);
      expect(searchPattern(cs, buf, start, end)).toBe(want);
      const ci = makeSearchPattern(pat, true);
      want = hay.toLowerCase().indexOf(Buffer.from(pat).toString('latin1').toLowerCase(), start);
      expect(searchPattern(ci, buf, start, end)).toBe(want);
    }
  });
});

describe('buffer prefilter', () => {
  it('marks only rules whose fast pattern occurs, honouring case-sensitive patterns', () => {
    const pf = new BufferPrefilter([
      { rule: 0, bytes: Buffer.from('Admin'), nocase: false },
      { rule: 1, bytes: Buffer.from('admin'), nocase: true },
      { rule: 2, bytes: Buffer.from('passwd'), nocase: false },
      { rule: 3, bytes: Buffer.from('ADMIN'), nocase: false },
    ]);
    expect(pf.patternCount).toBe(2);
    const c = new Candidates(4);
    const run = (s: string) => {
      c.reset();
      pf.scan(Buffer.from(s), c);
      c.sort();
      return Array.from(c.list.subarray(0, c.count));
    };
    expect(run('GET /admin')).toEqual([1]);
    expect(run('GET /Admin and ADMIN')).toEqual([0, 1, 3]);
    expect(run('x passwd ADMIN')).toEqual([1, 2, 3]);
    expect(run('nothing here')).toEqual([]);
  });

  it('scanning a growing buffer piece by piece (resumed) finds what one whole scan finds', () => {
    const r = rng(11);
    const alphabet = [0x61, 0x62, 0x63, 0x41, 0x42];
    const pats = Array.from({ length: 60 }, (_, i) => ({
      rule: i,
      bytes: randomBytes(r, 2 + Math.floor(r() * 5), alphabet),
      nocase: r() < 0.5,
    }));
    const pf = new BufferPrefilter(pats);
    const whole = new Candidates(pats.length);
    const parts = new Candidates(pats.length);
    for (let round = 0; round < 200; round++) {
      const buf = randomBytes(r, 1 + Math.floor(r() * 120), alphabet);
      whole.reset();
      pf.scan(buf, whole);
      resumedScan(pf, buf, r, 20, parts);
      expect(sorted(parts)).toEqual(sorted(whole));
    }
  });
});

// The Hyperscan addon is optional (built only with libhyperscan-dev): without it the
// JavaScript automaton above is the only matcher and these tests have nothing to check.
describe.skipIf(literalAddon() === null)('buffer prefilter on the Hyperscan addon', () => {
  const addon = literalAddon()!;

  it('marks exactly the rules whose fast pattern occurs, case-sensitive ones included', () => {
    const r = rng(7);
    // both cases of letters, zero and 0xff bytes: shared prefixes, case twins, binary runs
    const alphabet = [0x61, 0x62, 0x41, 0x42, 0x00, 0xff, 0x2f];
    for (let round = 0; round < 40; round++) {
      const pats: FastPattern[] = Array.from({ length: 1 + Math.floor(r() * 80) }, (_, i) => ({
        rule: i,
        bytes: randomBytes(r, 1 + Math.floor(r() * 6), alphabet),
        nocase: r() < 0.5,
      }));
      const pf = new BufferPrefilter(pats, addon);
      expect(pf.isNative).toBe(true);
      const c = new Candidates(pats.length);
      for (let k = 0; k < 10; k++) {
        const buf = randomBytes(r, Math.floor(r() * 300), alphabet);
        c.reset();
        pf.scan(buf, c);
        expect(sorted(c)).toEqual(naiveRules(pats, buf));
      }
    }
  });

  it('scanning a growing buffer piece by piece (resumed) finds what one whole scan finds', () => {
    const r = rng(12);
    const alphabet = [0x61, 0x62, 0x63, 0x41, 0x42];
    const pats = Array.from({ length: 60 }, (_, i) => ({
      rule: i,
      bytes: randomBytes(r, 2 + Math.floor(r() * 5), alphabet),
      nocase: r() < 0.5,
    }));
    const pf = new BufferPrefilter(pats, addon);
    const parts = new Candidates(pats.length);
    for (let round = 0; round < 200; round++) {
      const buf = randomBytes(r, 1 + Math.floor(r() * 120), alphabet);
      resumedScan(pf, buf, r, 20, parts);
      expect(sorted(parts)).toEqual(naiveRules(pats, buf));
    }
  });

  it('reports a bad pattern list as an error, not a crash', () => {
    expect(() => addon.compile(new Uint8Array(0), Int32Array.of(0), Uint8Array.of(1))).toThrow(/pattern/);
  });
});

describe('rule set prefilters by side', () => {
  it('a pkt_data prefilter shared by packet and transaction rules is split: each side finds only its own rules', async () => {
    const { loadRulesFromString } = await import('../../src/ids/rules/loader.js');
    const { BufferId } = await import('../../src/ids/match/buffers.js');
    const { ruleSet } = loadRulesFromString(
      [
        'alert tcp any any -> any any (msg:"packet"; content:"packetword"; sid:1;)',
        'alert http any any -> any any (msg:"tx"; flow:to_server; content:"txword"; fast_pattern; http.method; content:"POST"; sid:2;)',
        'alert http any any -> any any (msg:"uri"; http.uri; content:"/uriword"; sid:3;)',
      ].join('\n'),
    );
    const pkt = ruleSet.prefilters[BufferId.PKT_DATA]!;
    const tx = ruleSet.txPrefilters[BufferId.PKT_DATA]!;
    expect(pkt).not.toBe(tx);
    const found = (pf: BufferPrefilter, text: string) => {
      const c = new Candidates(ruleSet.size);
      pf.scan(new TextEncoder().encode(text), c);
      return [...c.list.subarray(0, c.count)].map((i) => ruleSet.rules[i].sid).sort();
    };
    expect(found(pkt, 'packetword txword')).toEqual([1]);
    expect(found(tx, 'packetword txword')).toEqual([2]);
    // a buffer only transaction rules use: one prefilter, seen from both arrays
    const uri = ruleSet.txPrefilters[BufferId.HTTP_URI]!;
    expect(uri).toBe(ruleSet.prefilters[BufferId.HTTP_URI]);
    expect(found(uri, '/uriword')).toEqual([3]);
  });
});

describe('rules without a fast pattern', () => {
  it('an `ip` rule with ip_proto:N is a candidate for protocol N only; other checks keep it general', async () => {
    const { loadRulesFromString } = await import('../../src/ids/rules/loader.js');
    const { ruleSet } = loadRulesFromString(
      [
        'alert ip any any -> any any (msg:"6in4"; ip_proto:41; sid:1;)',
        'alert ip any any -> any any (msg:"not tcp"; ip_proto:!6; sid:2;)',
        'alert ip any any -> any any (msg:"any ip"; sid:3;)',
        // a large address list is a weaker key than a rare protocol
        'alert ip 10.0.0.0/8 any -> any any (msg:"6in4 from 10/8"; ip_proto:41; sid:4;)',
        'alert ip 10.0.0.0/8 any -> any any (msg:"tcp from 10/8"; ip_proto:6; sid:5;)',
      ].join('\n'),
    );
    const src = Uint8Array.of(10, 0, 0, 1);
    const dst = Uint8Array.of(10, 0, 0, 2);
    const collect = (proto: number) => {
      const c = new Candidates(ruleSet.size);
      ruleSet.packetNoPrefilter.collect(proto, src, dst, 1234, 80, c);
      return [...c.list.subarray(0, c.count)].map((i) => ruleSet.rules[i].sid).sort();
    };
    expect(collect(41)).toEqual([1, 2, 3, 4, 5]);
    expect(collect(6)).toEqual([2, 3, 5]);
    expect(collect(17)).toEqual([2, 3, 5]);
    expect(collect(1)).toEqual([2, 3, 5]);
    // protocols other than TCP, UDP and ICMP share one bucket: the rule's own check decides there
    expect(collect(47)).toEqual([1, 2, 3, 4, 5]);
  });
});

// Fast patterns with an absolute window (offset/depth) are found only inside it: with a few
// start positions they are looked up by position (fixed-position.ts), others go through the
// scan and full evaluation rejects them outside the window as before. Both matchers.
describe.each(
  [
    ['JavaScript automaton', null],
    ['Hyperscan addon', literalAddon()],
  ].filter(([name, addon]) => name !== 'Hyperscan addon' || addon !== null) as Array<
    [string, LiteralAddon | null]
  >,
)('fast patterns with a window (%s)', (_name, addon) => {
  const windowed = (r: () => number, i: number, alphabet: number[]): FastPattern => {
    const bytes = randomBytes(r, 1 + Math.floor(r() * 6), alphabet);
    const kind = r();
    // exact position, a few positions, a wide window, none
    const offset = Math.floor(r() * 6);
    const slack =
      kind < 0.3 ? 0 : kind < 0.6 ? Math.floor(r() * 8) : kind < 0.8 ? 8 + Math.floor(r() * 30) : -1;
    return slack < 0
      ? { rule: i, bytes, nocase: r() < 0.5 }
      : { rule: i, bytes, nocase: r() < 0.5, offset, depth: offset + bytes.length + slack };
  };

  it('marks the rules whose pattern occurs inside its window, and no other', () => {
    const r = rng(41);
    const alphabet = [0x61, 0x41, 0x00, 0x01, 0x2f];
    for (let round = 0; round < 60; round++) {
      const pats = Array.from({ length: 1 + Math.floor(r() * 60) }, (_, i) => windowed(r, i, alphabet));
      const pf = new BufferPrefilter(pats, addon);
      const c = new Candidates(pats.length);
      for (let k = 0; k < 12; k++) {
        // lengths around 64 too: short buffers are copied off the JS heap before a native scan
        const buf = randomBytes(r, Math.floor(r() * 90), alphabet);
        c.reset();
        pf.scan(buf, c);
        const want = naiveRules(pats, buf);
        // a pattern with a wide window may be reported outside it (evaluation checks the
        // window); one with few positions, or none, exactly as the naive search says
        const got = sorted(c);
        for (const rule of want) expect(got).toContain(rule);
        const exact = pats.filter((p) => !p.depth || fewPositions(p.bytes.length, p.offset ?? 0, p.depth));
        for (const p of exact) expect(got.includes(p.rule)).toBe(want.includes(p.rule));
      }
    }
  });

  it('a resumed scan of a growing buffer finds the windowed patterns one whole scan finds', () => {
    const r = rng(43);
    const alphabet = [0x61, 0x62, 0x00];
    const pats = Array.from({ length: 50 }, (_, i) => windowed(r, i, alphabet)).filter(
      (p) => !p.depth || fewPositions(p.bytes.length, p.offset ?? 0, p.depth),
    );
    const pf = new BufferPrefilter(pats, addon);
    const whole = new Candidates(50);
    const parts = new Candidates(50);
    for (let round = 0; round < 150; round++) {
      const buf = randomBytes(r, 1 + Math.floor(r() * 60), alphabet);
      whole.reset();
      pf.scan(buf, whole);
      resumedScan(pf, buf, r, 9, parts);
      expect(sorted(parts)).toEqual(sorted(whole));
      expect(sorted(whole)).toEqual(naiveRules(pats, buf));
    }
  });
});
