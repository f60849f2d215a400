/**
 * Aho-Corasick multi-pattern matcher over bytes, built into typed arrays.
 *
 * The automaton is case-insensitive: patterns are added lower-cased and input bytes are folded
 * through a 256-entry table while scanning; callers that need case-sensitive patterns verify
 * the exact bytes on a hit (cheap, as hits are rare). States are numbered in breadth-first
 * order; the states nearest the root (where a scan spends most of its time) get full 256-entry
 * DFA rows, the deeper ones a sorted edge list plus a failure link. Every scan step is then a
 * table lookup near the root and a short edge search deeper down, with no allocation.
 */
import { LOWER } from '../match/search.js';

/** Upper bound on the dense rows (rows x 256 x 4 bytes): 4096 rows = 4 MiB per automaton. */
export const MAX_DENSE_STATES = 4096;

/** Set on a dense entry whose target state reports matches (the sign bit: a test for < 0). */
const REPORT_FLAG = 0x80000000 | 0;
const STATE_MASK = 0x7fffffff;
/** Automata up to this many states are fully dense in 16-bit entries (high bit: reports). */
const MAX_FULL_STATES = 0x7fff;
const FULL_REPORT = 0x8000;

export class AhoCorasick {
  /** Number of patterns added. */
  readonly patternCount: number;
  /** Pattern lengths, by pattern id. */
  readonly patternLength: Int32Array;
  private readonly denseCount: number;
  private dense: Int32Array;
  /** Automata of at most MAX_FULL_STATES states: every state as a 256-entry row (FULL_REPORT flag). */
  private full: Uint16Array | null = null;
  private readonly edgeStart: Int32Array;
  private readonly edgeLabel: Uint8Array;
  private readonly edgeTarget: Int32Array;
  private readonly fail: Int32Array;
  /** Outputs of each state: patterns ending here, then follow `dictLink` for shorter ones. */
  private readonly outStart: Int32Array;
  private readonly outList: Int32Array;
  private readonly dictLink: Int32Array;
  /** Per state: itself when it has outputs, else its dictionary link (-1 none): one load per byte. */
  private report: Int32Array;
  readonly stateCount: number;
  /** Scan generation at which a pattern / every output of a state was settled. */
  private readonly patSettled: Uint32Array;
  private readonly stateSettled: Uint32Array;
  private gen = 0;

  /** `patterns[i]` gets id i; bytes are folded to lower case here. Empty patterns are ignored. */
  constructor(patterns: readonly Uint8Array[]) {
    this.patternCount = patterns.length;
    this.patternLength = Int32Array.from(patterns, (p) => p.length);
    // build the trie: one map keyed state*256+byte for edges, child label lists per state
    const goto = new Map<number, number>();
    const labels: number[][] = [[]];
    const outputs: number[][] = [[]];
    patterns.forEach((p, id) => {
      if (p.length === 0) return;
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = LOWER[p[i]];
        const key = s * 256 + c;
        let t = goto.get(key);
        if (t === undefined) {
          t = labels.length;
          labels.push([]);
          outputs.push([]);
          goto.set(key, t);
          labels[s].push(c);
        }
        s = t;
      }
      outputs[s].push(id);
    });
    for (const l of labels) l.sort((a, b) => a - b);
    // renumber breadth-first
    const n = labels.length;
    const order: number[] = [0];
    for (let i = 0; i < order.length; i++) {
      const st = order[i];
      for (const c of labels[st]) order.push(goto.get(st * 256 + c)!);
    }
    const newId = new Int32Array(n);
    order.forEach((old, i) => {
      newId[old] = i;
    });
    const edges = goto.size;
    this.edgeStart = new Int32Array(n + 1);
    this.edgeLabel = new Uint8Array(edges);
    this.edgeTarget = new Int32Array(edges);
    let e = 0;
    for (let i = 0; i < n; i++) {
      this.edgeStart[i] = e;
      const old = order[i];
      for (const c of labels[old]) {
        this.edgeLabel[e] = c;
        this.edgeTarget[e] = newId[goto.get(old * 256 + c)!];
        e++;
      }
    }
    this.edgeStart[n] = e;
    // failure links, breadth-first
    const fail = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      for (let k = this.edgeStart[s]; k < this.edgeStart[s + 1]; k++) {
        const t = this.edgeTarget[k];
        const c = this.edgeLabel[k];
        if (s === 0) {
          fail[t] = 0;
          continue;
        }
        let f = fail[s];
        for (;;) {
          const g = this.edge(f, c);
          if (g >= 0) {
            fail[t] = g;
            break;
          }
          if (f === 0) {
            fail[t] = 0;
            break;
          }
          f = fail[f];
        }
      }
    }
    this.fail = fail;
    // outputs and dictionary links
    this.outStart = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) total += outputs[order[i]].length;
    this.outList = new Int32Array(total);
    let o = 0;
    for (let i = 0; i < n; i++) {
      this.outStart[i] = o;
      for (const id of outputs[order[i]]) this.outList[o++] = id;
    }
    this.outStart[n] = o;
    this.dictLink = new Int32Array(n).fill(-1);
    for (let s = 1; s < n; s++) {
      // states are in BFS order, so fail[s] (shallower) is already resolved
      const f = fail[s];
      if (f > 0) this.dictLink[s] = this.outStart[f + 1] > this.outStart[f] ? f : this.dictLink[f];
    }
    // dense rows for the shallowest states: a row is its failure state's row (already built,
    // as failure states are shallower) with the state's own edges written over it
    const isFull = n <= MAX_FULL_STATES;
    this.denseCount = isFull ? n : Math.min(n, MAX_DENSE_STATES);
    // fully dense automata are built in 16-bit entries directly (no 32-bit table to convert)
    const rows: Int32Array | Uint16Array = isFull
      ? new Uint16Array(this.denseCount * 256)
      : new Int32Array(this.denseCount * 256);
    const edgeStart = this.edgeStart;
    const edgeLabel = this.edgeLabel;
    const edgeTarget = this.edgeTarget;
    for (let s = 0; s < this.denseCount; s++) {
      const base = s * 256;
      if (s > 0) {
        const f = fail[s];
        rows.copyWithin(base, f * 256, f * 256 + 256);
      }
      for (let k = edgeStart[s]; k < edgeStart[s + 1]; k++) {
        const c = edgeLabel[k];
        rows[base + c] = edgeTarget[k];
        // rows are indexed by the raw byte: an upper-case letter goes where its lower case goes
        if (c >= 0x61 && c <= 0x7a) rows[base + c - 0x20] = edgeTarget[k];
      }
    }
    const report = new Int32Array(n);
    for (let s = 0; s < n; s++) report[s] = this.outStart[s + 1] > this.outStart[s] ? s : this.dictLink[s];
    this.report = report;
    // entries leading to a reporting state carry a flag: one load and one test per byte
    const flag = isFull ? FULL_REPORT : REPORT_FLAG;
    for (let k = 0; k < rows.length; k++) {
      const t = rows[k];
      if (report[t] > 0) rows[k] = t | flag;
    }
    if (isFull) {
      // every state dense, 2 bytes an entry: no sparse branch, half the cache lines
      this.full = rows as Uint16Array;
      this.dense = new Int32Array(0);
    } else this.dense = rows as Int32Array;
    this.stateCount = n;
    this.patSettled = new Uint32Array(patterns.length);
    this.stateSettled = new Uint32Array(n);
  }

  /** Child of `s` on folded byte `c`, or -1. */
  private edge(s: number, c: number): number {
    let lo = this.edgeStart[s];
    let hi = this.edgeStart[s + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = this.edgeLabel[mid];
      if (l === c) return this.edgeTarget[mid];
      if (l < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Scans buf[start, end) and calls `onMatch(patternId, endIndex)` for occurrences
   * (`endIndex` is the index just past the match). `onMatch` returns true when the pattern is
   * settled for this scan: it is not reported again, and states whose every output is settled
   * are passed over without a call (runs of zero bytes hit short patterns at every byte).
   * `fromState` resumes an earlier scan (the state it returned) as if the bytes were
   * contiguous: only occurrences ending at or after `start` are reported. Returns the state
   * reached at `end`.
   */
  scan(
    buf: Uint8Array,
    start: number,
    end: number,
    onMatch: (pattern: number, end: number) => boolean | void,
    fromState = 0,
  ): number {
    const dense = this.dense;
    const denseCount = this.denseCount;
    const outStart = this.outStart;
    const outList = this.outList;
    const dictLink = this.dictLink;
    const report = this.report;
    const patSettled = this.patSettled;
    const stateSettled = this.stateSettled;
    let gen = ++this.gen;
    if (gen === 0xffffffff) {
      patSettled.fill(0);
      stateSettled.fill(0);
      this.gen = gen = 1;
    }
    if (this.full !== null) return this.scanFull(this.full, buf, start, end, onMatch, fromState, gen);
    let s = fromState;
    for (let i = start; i < end; i++) {
      if (s < denseCount) {
        // dense entries carry REPORT_FLAG when the target state reports: one load per byte
        const t = dense[(s << 8) | buf[i]];
        if (t >= 0) {
          s = t;
          continue;
        }
        s = t & STATE_MASK;
      } else {
        s = this.sparseStep(s, LOWER[buf[i]]);
        if (report[s] < 0) continue;
      }
      if (stateSettled[s] === gen) continue;
      let all = true;
      let st = report[s];
      while (st > 0) {
        for (let k = outStart[st]; k < outStart[st + 1]; k++) {
          const p = outList[k];
          if (patSettled[p] === gen) continue;
          if (onMatch(p, i + 1) === true) patSettled[p] = gen;
          else all = false;
        }
        st = dictLink[st];
      }
      if (all) stateSettled[s] = gen;
    }
    return s;
  }

  /** {@link scan} over a fully dense automaton. */
  private scanFull(
    full: Uint16Array,
    buf: Uint8Array,
    start: number,
    end: number,
    onMatch: (pattern: number, end: number) => boolean | void,
    fromState: number,
    gen: number,
  ): number {
    const outStart = this.outStart;
    const outList = this.outList;
    const dictLink = this.dictLink;
    const report = this.report;
    const patSettled = this.patSettled;
    const stateSettled = this.stateSettled;
    let s = fromState;
    for (let i = start; i < end; i++) {
      const t = full[(s << 8) | buf[i]];
      if (t < FULL_REPORT) {
        s = t;
        continue;
      }
      s = t & 0x7fff;
      if (stateSettled[s] === gen) continue;
      let all = true;
      let st = report[s];
      while (st > 0) {
        for (let k = outStart[st]; k < outStart[st + 1]; k++) {
          const p = outList[k];
          if (patSettled[p] === gen) continue;
          if (onMatch(p, i + 1) === true) patSettled[p] = gen;
          else all = false;
        }
        st = dictLink[st];
      }
      if (all) stateSettled[s] = gen;
    }
    return s;
  }

  /** Next state from a state past the dense rows on folded byte `c`. */
  private sparseStep(s: number, c: number): number {
    for (;;) {
      const t = this.edge(s, c);
      if (t >= 0) return t;
      s = this.fail[s];
      if (s < this.denseCount) return this.dense[(s << 8) | c] & STATE_MASK;
    }
  }
}
