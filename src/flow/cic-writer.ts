/**
 * CIC CSV rows written as bytes into one growing buffer instead of strings: a row is about 80
 * numbers, and building a string per row (pieces, concatenation, then UTF-8 encoding on
 * output) cost more than all the per-packet work of a flow. The 76 numeric columns are
 * written by the flow addon (native/flow/, C++) when it is built: in JavaScript they were
 * about half of the cost of `sentra flows` (a typed-array store per digit, V8's
 * double-to-string for fractions). Without the addon, whole numbers are written digit by
 * digit and other numbers are `String(x)` (from a small cache) copied as ASCII. Either way
 * every row is byte for byte `cicRow(...) + '\n'` (test/flow/cic-row.test.ts).
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { formatIPv6 } from '../net/address.js';
import { CIC_NO_LABEL, cicFill, cicTimestamp } from './cic.js';
import { CHUNK_BITS, CHUNK_MASK, F_FIRST, K_DST, K_META, K_PORTS, K_SRC, KEY_WORDS } from './layout.js';
import { type FlowAddon, flowAddon } from './native.js';
import { FlowTable } from './table.js';

const COMMA = 44;
const DASH = 45;
const NL = 10;
/** Bytes a row can take at most (IPv6 addresses, 76 numbers of up to 24 characters, a label). */
const ROW_MAX = 4096;

/** Numbers of one row (see cicFill). */
const NUMS = new Float64Array(84);

const NUM_SIZE = 4096;
/** Bytes kept per cached number: String(x) of a double is at most 24 characters. */
const NUM_BYTES = 32;
const numKeys = new Float64Array(NUM_SIZE);
/** Length of the cached text, 0 for an empty entry. */
const numLen = new Uint8Array(NUM_SIZE);
const numText = new Uint8Array(NUM_SIZE * NUM_BYTES);
const BITS = new Float64Array(1);
const BITS32 = new Uint32Array(BITS.buffer);

/**
 * Writes `String(x)` (x not a small whole number) at `p`, from a direct-mapped cache of the
 * text's bytes keyed by the exact value; returns the new position.
 */
function writeNumber(b: Uint8Array, p: number, x: number): number {
  BITS[0] = x;
  const i = (Math.imul(BITS32[0] ^ BITS32[1], 0x9e3779b1) >>> 20) & (NUM_SIZE - 1);
  const o = i * NUM_BYTES;
  let n = numLen[i];
  if (n === 0 || numKeys[i] !== x) {
    const t = String(x);
    n = t.length;
    for (let k = 0; k < n; k++) numText[o + k] = t.charCodeAt(k);
    numKeys[i] = x;
    numLen[i] = n;
  }
  for (let k = 0; k < n; k++) b[p + k] = numText[o + k];
  return p + n;
}

/**
 * What this module last bound in the addon (one binding for the process) and the generation
 * that bind returned: a row with an older generation is refused (-2), so a writer whose arrays
 * were replaced by another binder (another writer, another copy of this module) binds again.
 */
let boundOut: Uint8Array | null = null;
let boundF: Float64Array | null = null;
let boundK: Uint32Array | null = null;
let boundGen = -1;

/**
 * Collects CIC CSV rows as bytes. Call {@link CicWriter.row} per ended flow and
 * {@link CicWriter.take} to get what was written so far (then write it out).
 */
export class CicWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly label: Uint8Array;
  private v6Words = new Uint32Array(8);
  private stampSec = Number.NaN;
  /** [0]: the timestamp text's length, then its bytes (the addon reads it there). */
  private readonly stamp = new Uint8Array(64);
  private v6Text = ['', ''];
  private readonly addon: FlowAddon | null;

  /**
   * `label`: the last column's text (default CICFlowMeter's "No Label"). `useNative`: write
   * the numbers with the flow addon when it is built (the default); false always uses the
   * JavaScript code (same bytes, slower).
   */
  constructor(label = CIC_NO_LABEL, initialBytes = 1 << 20, useNative = true) {
    this.label = new TextEncoder().encode(label);
    this.buf = new Uint8Array(Math.max(initialBytes, ROW_MAX * 2));
    this.addon = useNative ? flowAddon() : null;
  }

  /** Whether the numbers are written by the native addon. */
  get native(): boolean {
    return this.addon !== null;
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /** Writes a line of text (the header, for instance) followed by a newline. */
  line(text: string): void {
    const b = new TextEncoder().encode(text);
    this.ensure(b.length + 1);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    this.buf[this.pos++] = NL;
  }

  /** The bytes written since the last call (a copy), and starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** Forgets what was written (for measurements that do not keep the output). */
  discard(): void {
    this.pos = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Appends the CSV row of the flow in `slot` and a newline. */
  row(table: FlowTable, slot: number): void {
    this.ensure(ROW_MAX + this.label.length);
    const K = table.kchunks[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * KEY_WORDS;
    const F = table.floats(slot);
    const base = FlowTable.base(slot);
    const meta = K[o + K_META];
    const v6 = (meta & 0xff) === 6;
    // the timestamp's text is kept as bytes while the second is the same (flows come in
    // bursts); reading a string built by concatenation char by char is slow
    const us = F[base + F_FIRST];
    const sec = Math.floor(us / 1e6);
    if (sec !== this.stampSec) {
      this.stampSec = sec;
      this.stamp[0] = ascii(this.stamp, 1, cicTimestamp(us)) - 1;
    }
    const a = this.addon;
    if (a !== null) {
      if (boundOut !== this.buf) {
        boundGen = a.bindOutput(this.buf, this.stamp, this.label);
        boundOut = this.buf;
      }
      if (boundF !== F || boundK !== K) {
        boundGen = a.bindFlows(F, K);
        boundF = F;
        boundK = K;
      }
      if (!v6) {
        this.pos = this.nativeRow(a, F, K, base, o, this.pos, 1);
        return;
      }
    }
    const ports = K[o + K_PORTS];
    const sp = ports >>> 16;
    const dp = ports & 0xffff;
    const proto = (meta >>> 8) & 0xff;
    // CICFlowMeter's Flow ID order, as in cicRow
    let forward = true;
    for (let i = 0, e = v6 ? 4 : 1; i < e; i++) {
      const x = (K[o + K_SRC + i] ^ 0x80808080) >>> 0;
      const c = (K[o + K_DST + i] ^ 0x80808080) >>> 0;
      if (x !== c) {
        forward = x < c;
        break;
      }
    }
    const b = this.buf;
    let p = this.pos;
    const first = forward ? 0 : 1;
    p = this.address(b, p, K, o, v6, first);
    b[p++] = DASH;
    p = this.address(b, p, K, o, v6, first ^ 1);
    b[p++] = DASH;
    p = uint(b, p, forward ? sp : dp);
    b[p++] = DASH;
    p = uint(b, p, forward ? dp : sp);
    b[p++] = DASH;
    p = uint(b, p, proto);
    b[p++] = COMMA;
    p = this.address(b, p, K, o, v6, 0);
    b[p++] = COMMA;
    p = uint(b, p, sp);
    b[p++] = COMMA;
    p = this.address(b, p, K, o, v6, 1);
    b[p++] = COMMA;
    p = uint(b, p, dp);
    b[p++] = COMMA;
    p = uint(b, p, proto);
    b[p++] = COMMA;
    const stampLen = this.stamp[0];
    for (let i = 0; i < stampLen; i++) b[p + i] = this.stamp[1 + i];
    p += stampLen;
    if (a !== null) {
      // an IPv6 flow: the addon writes the numbers, the label and the newline
      this.pos = this.nativeRow(a, F, K, base, o, p, 0);
      return;
    }
    p = numbers(table, slot, b, p);
    b[p++] = COMMA;
    b.set(this.label, p);
    p += this.label.length;
    b[p++] = NL;
    this.pos = p;
  }

  /** The addon's row at `pos` (see FlowAddon.row); binds again if another binder came between. */
  private nativeRow(
    a: FlowAddon,
    F: Float64Array,
    K: Uint32Array,
    base: number,
    o: number,
    pos: number,
    whole: number,
  ): number {
    let end = a.row(base, o, pos, whole, boundGen);
    if (end === -2) {
      a.bindOutput(this.buf, this.stamp, this.label);
      boundGen = a.bindFlows(F, K);
      boundOut = this.buf;
      boundF = F;
      boundK = K;
      end = a.row(base, o, pos, whole, boundGen);
    }
    if (end < 0) throw new SentraError(ErrorCodes.INTERNAL, `the flow addon refused a row (${end})`);
    return end;
  }

  /** IPv6 text of the 4 words at `at`, remembered per side (flows of a pair come together). */
  /** The flow's source (`side` 0) or destination (1) address as text at `p`. */
  private address(b: Uint8Array, p: number, K: Uint32Array, o: number, v6: boolean, side: number): number {
    const at = o + (side === 0 ? K_SRC : K_DST);
    // IPv6 text is cached per side, so the second use of an address costs a compare
    return v6 ? ascii(b, p, this.ipv6(K, at, side)) : ipv4(b, p, K[at]);
  }

  private ipv6(K: Uint32Array, at: number, side: number): string {
    const w = this.v6Words;
    const s = side * 4;
    if (
      this.v6Text[side] !== '' &&
      K[at] === w[s] &&
      K[at + 1] === w[s + 1] &&
      K[at + 2] === w[s + 2] &&
      K[at + 3] === w[s + 3]
    )
      return this.v6Text[side];
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 4; i++) {
      const v = K[at + i];
      w[s + i] = v;
      bytes[i * 4] = v >>> 24;
      bytes[i * 4 + 1] = (v >>> 16) & 0xff;
      bytes[i * 4 + 2] = (v >>> 8) & 0xff;
      bytes[i * 4 + 3] = v & 0xff;
    }
    const t = formatIPv6(bytes, 0);
    this.v6Text[side] = t;
    return t;
  }
}

/** Writes `,n7,...,n82` (the numeric columns, see cicFill) at `p`; returns the new position. */
function numbers(table: FlowTable, slot: number, b: Uint8Array, p: number): number {
  const n = NUMS;
  cicFill(table, slot, n);
  for (let i = 7; i < 83; i++) {
    const x = n[i];
    b[p++] = COMMA;
    if (x === 0) b[p++] = 48;
    else if (x > 0 && x < 2147483648 && (x | 0) === x) p = uint(b, p, x);
    else p = writeNumber(b, p, x);
  }
  return p;
}

/** Writes the ASCII text `s` at `p`; returns the new position. */
function ascii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** "0000" ... "9999" as ASCII, 4 bytes each: numbers are written 4 digits per lookup. */
const D4 = new Uint8Array(40_000);
for (let i = 0; i < 10_000; i++) {
  D4[4 * i] = 48 + Math.floor(i / 1000);
  D4[4 * i + 1] = 48 + (Math.floor(i / 100) % 10);
  D4[4 * i + 2] = 48 + (Math.floor(i / 10) % 10);
  D4[4 * i + 3] = 48 + (i % 10);
}

/** Writes 0 <= v < 10,000 without leading zeros. */
function upTo4(b: Uint8Array, p: number, v: number): number {
  const o = v << 2;
  if (v >= 1000) {
    b[p] = D4[o];
    b[p + 1] = D4[o + 1];
    b[p + 2] = D4[o + 2];
    b[p + 3] = D4[o + 3];
    return p + 4;
  }
  if (v >= 100) {
    b[p] = D4[o + 1];
    b[p + 1] = D4[o + 2];
    b[p + 2] = D4[o + 3];
    return p + 3;
  }
  if (v >= 10) {
    b[p] = D4[o + 2];
    b[p + 1] = D4[o + 3];
    return p + 2;
  }
  b[p] = D4[o + 3];
  return p + 1;
}

/** Writes 0 <= v < 10,000 as exactly 4 digits. */
function four(b: Uint8Array, p: number, v: number): void {
  const o = v << 2;
  b[p] = D4[o];
  b[p + 1] = D4[o + 1];
  b[p + 2] = D4[o + 2];
  b[p + 3] = D4[o + 3];
}

/**
 * Writes a whole number 0 <= x < 2^31 in decimal at `p`; returns the new position. Four digits
 * per table lookup and at most two divisions: a division per digit cost more than the rest
 * of the row.
 */
function uint(b: Uint8Array, p: number, x: number): number {
  const v = x | 0;
  if (v < 10_000) return upTo4(b, p, v);
  const hi = (v / 10_000) | 0;
  const lo = v - hi * 10_000;
  if (hi < 10_000) {
    p = upTo4(b, p, hi);
    four(b, p, lo);
    return p + 4;
  }
  const top = (hi / 10_000) | 0;
  p = upTo4(b, p, top);
  four(b, p, hi - top * 10_000);
  four(b, p + 4, lo);
  return p + 8;
}

/** Writes the dotted text of an IPv4 address word at `p`. */
function ipv4(b: Uint8Array, p: number, w: number): number {
  p = uint(b, p, w >>> 24);
  b[p++] = 46;
  p = uint(b, p, (w >>> 16) & 0xff);
  b[p++] = 46;
  p = uint(b, p, (w >>> 8) & 0xff);
  b[p++] = 46;
  return uint(b, p, w & 0xff);
}
