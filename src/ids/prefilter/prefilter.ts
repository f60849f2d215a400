/**
 * The multi-pattern prefilter: one Aho-Corasick automaton per buffer (or transformed buffer)
 * over the fast patterns of the rules that inspect it. Scanning a buffer marks the rules whose
 * fast pattern occurs in it as candidates; rules whose pattern is absent are never looked at.
 *
 * Patterns are deduplicated: rules sharing a fast pattern share one automaton entry. A
 * case-sensitive pattern shares the automaton (which is case-insensitive) with its nocase
 * twins and is confirmed byte-for-byte on a hit.
 *
 * With the Hyperscan addon (see native.ts) a prefilter can scan natively instead: each
 * distinct (bytes, case) pattern is one Hyperscan literal, caseless or not, so no byte check
 * is needed after a hit; the set of rules found is the same.
 */
import { AhoCorasick } from './aho-corasick.js';
import { FixedPositionTable, fewPositions } from './fixed-position.js';
import type { LiteralAddon, LiteralDatabase } from './native.js';

/** Rule indices collected for one detection call, deduplicated with a generation stamp. */
export class Candidates {
  readonly list: Int32Array;
  count = 0;
  private readonly mark: Uint32Array;
  private gen = 1;

  constructor(ruleCount: number) {
    this.list = new Int32Array(Math.max(1, ruleCount));
    this.mark = new Uint32Array(Math.max(1, ruleCount));
  }

  /** Empties the set (O(1)). */
  reset(): void {
    this.count = 0;
    this.gen++;
    if (this.gen === 0xffffffff) {
      this.mark.fill(0);
      this.gen = 1;
    }
  }

  add(rule: number): void {
    if (this.mark[rule] !== this.gen) {
      this.mark[rule] = this.gen;
      this.list[this.count++] = rule;
    }
  }

  addAll(rules: Int32Array): void {
    for (let i = 0; i < rules.length; i++) this.add(rules[i]);
  }

  has(rule: number): boolean {
    return this.mark[rule] === this.gen;
  }

  /** Sorts the collected indices ascending (rule evaluation order), in place. */
  sort(): void {
    const a = this.list;
    const n = this.count;
    if (n < 2) return;
    if (n > 48) {
      a.subarray(0, n).sort();
      return;
    }
    // insertion sort: candidate lists are short, and this allocates nothing
    for (let i = 1; i < n; i++) {
      const v = a[i];
      let j = i - 1;
      while (j >= 0 && a[j] > v) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = v;
    }
  }
}

/** Longest buffer copied before a native scan (V8's largest typed array kept in its heap). */
const SMALL_MAX = 64;
/** Views of lengths 0..SMALL_MAX over one off-heap ArrayBuffer, so that a copy allocates nothing. */
const SMALL_VIEWS: Uint8Array[] = (() => {
  const ab = new ArrayBuffer(SMALL_MAX);
  return Array.from({ length: SMALL_MAX + 1 }, (_, n) => new Uint8Array(ab, 0, n));
})();

/** `buf` copied into the off-heap view of its length (valid until the next call). */
function smallCopy(buf: Uint8Array, len: number): Uint8Array {
  const v = SMALL_VIEWS[len];
  v.set(buf);
  return v;
}

/** Input of {@link BufferPrefilter}: one fast pattern of one rule. */
export interface FastPattern {
  rule: number;
  bytes: Uint8Array;
  nocase: boolean;
  /**
   * The content's absolute window, when it has one: it can only match starting at or after
   * `offset` and ending at or before `depth` (absolute; 0 or absent: no window).
   */
  offset?: number;
  depth?: number;
}

/** The pattern can only start at a few positions (see fixed-position.ts). */
function fixedPosition(p: FastPattern): boolean {
  return p.depth !== undefined && fewPositions(p.bytes.length, p.offset ?? 0, p.depth);
}

interface Variant {
  /** Exact bytes for a case-sensitive variant, null for the nocase one. */
  exact: Uint8Array | null;
  rules: Int32Array;
}

/** The prefilter of one buffer. */
export class BufferPrefilter {
  private readonly ac: AhoCorasick;
  /** Patterns with one possible position (see fixed-position.ts); null when there are none. */
  private readonly fixed: FixedPositionTable | null;
  /** Per automaton pattern: its variants. */
  private readonly variants: Variant[][];
  /** Per automaton pattern: generation when all its variants were satisfied in this scan. */
  private readonly done: Uint32Array;
  private gen = 1;
  private target: Candidates | null = null;
  private buf: Uint8Array = new Uint8Array(0);
  private readonly onHit: (p: number, end: number) => boolean;
  readonly patternCount: number;
  readonly ruleCount: number;
  /** Native scan: the addon, its database, the rules of each native pattern id, the id buffer. */
  private readonly native: LiteralAddon | null = null;
  private readonly db: LiteralDatabase | null = null;
  private readonly nativeRules: Int32Array[] = [];
  private readonly nativeOut: Int32Array = new Int32Array(0);
  /** Longest pattern: a resumed native scan steps back this much minus one. */
  private readonly maxLen: number = 1;

  /** `native`: scan with this Hyperscan addon rather than the JavaScript automaton. */
  constructor(all: readonly FastPattern[], native: LiteralAddon | null = null) {
    const fixed = all.filter(fixedPosition);
    this.fixed =
      fixed.length > 0
        ? new FixedPositionTable(fixed.map((p) => ({ ...p, offset: p.offset ?? 0, depth: p.depth ?? 0 })))
        : null;
    const patterns = fixed.length > 0 ? all.filter((p) => !fixedPosition(p)) : all;
    const byLower = new Map<
      string,
      { bytes: Uint8Array; nocase: number[]; exact: Map<string, { b: Uint8Array; rules: number[] }> }
    >();
    for (const p of patterns) {
      const lowerKey = Buffer.from(p.bytes.map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c))).toString(
        'latin1',
      );
      let e = byLower.get(lowerKey);
      if (!e) {
        e = { bytes: p.bytes, nocase: [], exact: new Map() };
        byLower.set(lowerKey, e);
      }
      if (p.nocase) e.nocase.push(p.rule);
      else {
        const k = Buffer.from(p.bytes).toString('latin1');
        let x = e.exact.get(k);
        if (!x) {
          x = { b: p.bytes, rules: [] };
          e.exact.set(k, x);
        }
        x.rules.push(p.rule);
      }
    }
    const acPatterns: Uint8Array[] = [];
    this.variants = [];
    for (const e of byLower.values()) {
      acPatterns.push(e.bytes);
      const v: Variant[] = [];
      if (e.nocase.length) v.push({ exact: null, rules: Int32Array.from(e.nocase) });
      for (const x of e.exact.values()) v.push({ exact: x.b, rules: Int32Array.from(x.rules) });
      this.variants.push(v);
    }
    if (native !== null && acPatterns.length > 0) {
      const bytes: Uint8Array[] = [];
      const caseless: number[] = [];
      for (const e of byLower.values()) {
        if (e.nocase.length) {
          bytes.push(e.bytes);
          caseless.push(1);
          this.nativeRules.push(Int32Array.from(e.nocase));
        }
        for (const x of e.exact.values()) {
          bytes.push(x.b);
          caseless.push(0);
          this.nativeRules.push(Int32Array.from(x.rules));
        }
      }
      try {
        this.db = native.compile(
          Buffer.concat(bytes),
          Int32Array.from(bytes, (b) => b.length),
          Uint8Array.from(caseless),
        );
        this.native = native;
        this.nativeOut = new Int32Array(bytes.length);
        for (const b of bytes) if (b.length > this.maxLen) this.maxLen = b.length;
      } catch {
        // Hyperscan refused the set (it should not: plain literals): the automaton does the work
        this.nativeRules.length = 0;
      }
    }
    // the automaton stays the reference (and the fallback): empty when scanning natively
    this.ac = new AhoCorasick(this.native === null ? acPatterns : []);
    this.done = new Uint32Array(acPatterns.length);
    this.patternCount = acPatterns.length + (this.fixed?.patternCount ?? 0);
    this.ruleCount = all.length;
    this.onHit = (p, end) => this.hit(p, end);
  }

  /** Scans `buf` and adds the rules whose fast pattern occurs to `out`. */
  scan(buf: Uint8Array, out: Candidates): void {
    this.scanFrom(buf, 0, 0, out);
  }

  /**
   * Scans `buf[start..]` as the continuation of an earlier scan of `buf[0, start)` that ended
   * in automaton state `state` (0 with start 0: a whole scan). Adds the rules of fast patterns
   * ending at or after `start`; returns the automaton state at the end, for the next call
   * when `buf` grows by appending (an HTTP body).
   */
  scanFrom(buf: Uint8Array, start: number, state: number, out: Candidates): number {
    // nothing new to scan (a packet without payload: ~90k per million bench packets); a
    // call into the addon costs more than the check
    if (start >= buf.length) return this.native !== null ? 0 : state;
    if (this.fixed !== null) {
      this.fixed.scan(buf, start, out);
      if (this.patternCount === this.fixed.patternCount) return state;
    }
    if (this.native !== null) {
      // no automaton state to resume from: look back far enough for a pattern straddling
      // `start` (one ending before it only re-adds a rule the caller already has)
      const from = start > 0 ? Math.max(0, start - this.maxLen + 1) : 0;
      const ids = this.nativeOut;
      // V8 keeps a typed array of up to 64 bytes made by `new Uint8Array(n)` (a transform's
      // output, a parsed field) inside the JS heap; handing it to an addon moves it out first,
      // which cost 13 µs a call on DNS names. Such short buffers are scanned from a copy in
      // off-heap memory instead.
      const len = buf.length;
      const input = len <= SMALL_MAX ? smallCopy(buf, len) : buf;
      const n = this.native.scan(this.db!, input, from, ids);
      for (let i = 0; i < n; i++) out.addAll(this.nativeRules[ids[i]]);
      return 0;
    }
    this.gen++;
    if (this.gen === 0xffffffff) {
      this.done.fill(0);
      this.gen = 1;
    }
    this.target = out;
    this.buf = buf;
    const s = this.ac.scan(buf, start, buf.length, this.onHit, state);
    this.target = null;
    return s;
  }

  /** Returns true when every variant of pattern `p` is satisfied (no need to see it again). */
  private hit(p: number, end: number): boolean {
    if (this.done[p] === this.gen) return true;
    const vs = this.variants[p];
    const out = this.target!;
    let pending = false;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (v.exact === null) {
        out.addAll(v.rules);
        continue;
      }
      if (out.has(v.rules[0]) && v.rules.length === 1) continue;
      const m = v.exact.length;
      const start = end - m;
      let ok = true;
      for (let j = 0; j < m; j++) {
        if (this.buf[start + j] !== v.exact[j]) {
          ok = false;
          break;
        }
      }
      if (ok) out.addAll(v.rules);
      else pending = true;
    }
    if (!pending) this.done[p] = this.gen;
    return !pending;
  }

  /** Automaton states (0 when the prefilter scans natively). */
  get states(): number {
    return this.ac.stateCount;
  }

  /** True when this prefilter scans with the Hyperscan addon. */
  get isNative(): boolean {
    return this.native !== null;
  }
}
