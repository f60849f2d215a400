/**
 * Runs a buffer list (content, pcre, byte_*, isdataat, bsize...) over one buffer with
 * Suricata's semantics: ops run in rule order, each relative op starts where the previous
 * match ended (`bufferOffset`), and when a later op fails after a content or pcre matched, the
 * content or pcre is tried again at its next occurrence, but only when the next op depends on
 * its position ("recursive" matching, bounded like Suricata's inspection recursion limit).
 *
 * Results of the internal steps: 1 match, 0 no match (an earlier op may retry), -1 no match and
 * stop (nothing earlier can change the outcome).
 *
 * One Inspector per thread; it allocates nothing per call except what JS regular expressions
 * need (a match array when a later keyword reads the pcre's position).
 */

import { InspectionBuffer } from './buffers.js';
import { type Extracted, readBinary, readString } from './bytes.js';
import {
  type Base64DecodeOp,
  type ByteExtractOp,
  type ByteFormat,
  type ByteJumpOp,
  ByteOperator,
  type ByteTestOp,
  type ContentOp,
  type IsdataatOp,
  type Op,
  OpKind,
  type PcreOp,
} from './ops.js';
import { searchPattern } from './search.js';
import { and53, uintMatch, xor53 } from './uint.js';

/** byte_extract variables per rule (Suricata allows a handful; 16 is plenty). */
export const MAX_BYTE_VARS = 16;
/** Suricata's default detect.inspection-recursion-limit. */
export const RECURSION_LIMIT = 3000;
/** Largest base64_decode output kept, as Suricata bounds its decode buffer. */
export const BASE64_MAX = 65535;

export class Inspector {
  /** End of the last match: where relative keywords start. */
  bufferOffset = 0;
  /** For pcre retries: where the next search of the same pcre starts (match start + 1). */
  private pcreStart = 0;
  private recursion = 0;
  /** byte_extract values. */
  readonly vars = new Float64Array(MAX_BYTE_VARS);
  private readonly ex: Extracted = { value: 0, consumed: 0, big: null };
  private b64 = new Uint8Array(1024);
  private readonly b64buf = new InspectionBuffer();

  /** True when every op of `ops` matches `buf`. An empty list matches. */
  inspect(ops: readonly Op[], buf: InspectionBuffer): boolean {
    this.bufferOffset = 0;
    this.pcreStart = 0;
    this.recursion = 0;
    if (ops.length === 0) return true;
    return this.run(ops, 0, buf) === 1;
  }

  private next(ops: readonly Op[], i: number, ib: InspectionBuffer): number {
    return i + 1 >= ops.length ? 1 : this.run(ops, i + 1, ib);
  }

  private run(ops: readonly Op[], i: number, ib: InspectionBuffer): number {
    if (++this.recursion >= RECURSION_LIMIT) return -1;
    const op = ops[i];
    switch (op.kind) {
      case OpKind.CONTENT:
        return this.content(op, ops, i, ib);
      case OpKind.PCRE:
        return this.pcreLoop(op, ops, i, ib);
      case OpKind.BYTE_TEST:
        return this.byteTest(op, ib.data) ? this.next(ops, i, ib) : 0;
      case OpKind.BYTE_JUMP:
        return this.byteJump(op, ib.data) ? this.next(ops, i, ib) : 0;
      case OpKind.BYTE_EXTRACT:
        return this.byteExtract(op, ib.data) ? this.next(ops, i, ib) : 0;
      case OpKind.ISDATAAT: {
        const r = this.isdataat(op, ib.data.length);
        return r === 1 ? this.next(ops, i, ib) : r;
      }
      case OpKind.LENGTH: {
        const len = op.keyword === 'urilen' ? Math.min(ib.data.length, 65535) : ib.data.length;
        return uintMatch(op.cmp, len) ? this.next(ops, i, ib) : -1;
      }
      case OpKind.BASE64_DECODE:
        return this.base64(op, ib.data);
    }
    return -1;
  }

  private content(op: ContentOp, ops: readonly Op[], i: number, ib: InspectionBuffer): number {
    const buf = ib.data;
    const len = buf.length;
    const patLen = op.pattern.bytes.length;
    const vars = this.vars;
    const prevBufferOffset = this.bufferOffset;
    let prevOffset = 0;
    for (;;) {
      let depth = len;
      let offset = 0;
      if (op.hasDistance || op.hasWithin) {
        offset = prevBufferOffset;
        let distance = 0;
        if (op.hasDistance) {
          distance = op.distanceVar >= 0 ? vars[op.distanceVar] : op.distance;
          if (distance < 0 && -distance > offset) offset = 0;
          else offset += distance;
        }
        if (op.hasWithin) {
          const within = op.withinVar >= 0 ? vars[op.withinVar] : op.within;
          const end = prevBufferOffset + within + distance;
          if (depth > end) depth = end;
        }
      } else {
        if (op.depthVar >= 0) depth = vars[op.depthVar];
        else if (op.depth !== 0) depth = op.depth;
        offset = op.offsetVar >= 0 ? vars[op.offsetVar] : op.offset;
        // a depth taken from a variable counts from the offset; constant depths were made absolute when compiled
        if (op.offsetVar >= 0 || op.depthVar >= 0) depth += offset;
      }
      if (prevOffset !== 0) offset = prevOffset;
      if (depth > len) depth = len;
      if (offset > depth || depth <= 0) {
        if (op.negated) return this.next(ops, i, ib);
        return 0;
      }
      let found = -1;
      if (!(op.endsWith && depth < len) && patLen <= depth - offset) {
        found = searchPattern(op.pattern, buf, offset, depth);
      }
      if (found < 0) {
        if (op.negated) return this.next(ops, i, ib);
        // an absolute content that is absent stays absent whatever earlier keywords do
        return op.hasDistance || op.hasWithin ? 0 : -1;
      }
      const matchOffset = found + patLen;
      if (op.negated) {
        if (op.endsWith && depth - offset !== matchOffset) return this.next(ops, i, ib);
        return op.hasDistance || op.hasWithin || op.depth !== 0 ? 0 : -1;
      }
      this.bufferOffset = matchOffset;
      if (!op.endsWith || matchOffset === len) {
        if (i + 1 >= ops.length) return 1;
        const r = this.run(ops, i + 1, ib);
        if (r !== 0) return r;
        if (!op.retryNext) return 0; // Suricata: no_match, an earlier content may still move on
      }
      prevOffset = found + 1;
    }
  }

  private pcreLoop(op: PcreOp, ops: readonly Op[], i: number, ib: InspectionBuffer): number {
    const prevBufferOffset = this.bufferOffset;
    this.pcreStart = 0;
    for (;;) {
      if (!this.pcre(op, ib)) return 0;
      if (!op.retryNext) return this.next(ops, i, ib);
      const prevStart = this.pcreStart;
      const r = this.next(ops, i, ib);
      if (r !== 0) return r;
      // a negated pcre matched by not matching: there is no next occurrence to try
      if (prevStart === 0) return 0;
      this.bufferOffset = prevBufferOffset;
      this.pcreStart = prevStart;
    }
  }

  /** One regex run from the current start; updates bufferOffset and pcreStart on a positive match. */
  private pcre(op: PcreOp, ib: InspectionBuffer): boolean {
    const text = ib.regexText();
    let base = 0;
    let subject = text;
    if (op.relative) {
      base = this.bufferOffset;
      if (base > text.length) return op.negated;
      if (base > 0) subject = text.slice(base);
    }
    let start = 0;
    if (this.pcreStart !== 0) start = this.pcreStart - base;
    if (start < 0 || start > subject.length) return op.negated;
    const re = op.regex;
    re.lastIndex = start;
    if (op.negated || (!op.needsPosition && !op.retryNext)) {
      const hit = re.test(subject);
      this.pcreStart = 0;
      return hit !== op.negated;
    }
    const m = re.exec(subject);
    if (m === null) return false;
    this.bufferOffset = base + m.index + m[0].length;
    this.pcreStart = base + m.index + 1;
    return true;
  }

  /** Reads the field described by `fmt` at `pos` into this.ex; false when it cannot be read. */
  private extract(fmt: ByteFormat, buf: Uint8Array, pos: number, nbytes = fmt.nbytes): boolean {
    const ex = this.ex;
    if (fmt.string) {
      if (!readString(buf, pos, nbytes, fmt.base, ex)) return false;
    } else {
      readBinary(buf, pos, nbytes, fmt.little, ex);
    }
    if (fmt.bitmask !== 0) {
      if (ex.big !== null) {
        let b = ex.big & BigInt(fmt.bitmask);
        if (b !== 0n && fmt.shift) b >>= BigInt(fmt.shift);
        ex.big = null;
        ex.value = Number(b);
      } else {
        let v = and53(ex.value, fmt.bitmask);
        if (v !== 0 && fmt.shift) v = Math.floor(v / 2 ** fmt.shift);
        ex.value = v;
      }
    }
    return true;
  }

  private byteTest(op: ByteTestOp, buf: Uint8Array): boolean {
    const len = buf.length;
    if (len === 0) return false;
    const offset = op.offsetVar >= 0 ? this.vars[op.offsetVar] : op.offset;
    let ptr: number;
    let remain: number;
    if (op.relative) {
      ptr = this.bufferOffset + offset;
      remain = len - ptr;
      if (remain <= 0) return false;
    } else {
      ptr = offset;
      remain = len - offset;
    }
    // nbytes 0 (string only): the number runs to the end of the buffer, at most 23 digits
    const nbytes =
      op.fmt.nbytesVar >= 0 ? this.vars[op.fmt.nbytesVar] : op.fmt.nbytes === 0 ? remain : op.fmt.nbytes;
    if (op.fmt.nbytesVar >= 0 && !validNBytes(op.fmt, nbytes)) return false;
    if (ptr < 0 || nbytes > remain || nbytes > 23) return false;
    if (!this.extract(op.fmt, buf, ptr, nbytes)) return false;
    const ex = this.ex;
    let match: boolean;
    if (ex.big !== null || (op.valueVar < 0 && op.value > Number.MAX_SAFE_INTEGER)) {
      match = compareBig(
        op.op,
        ex.big ?? BigInt(ex.value),
        op.valueVar >= 0 ? BigInt(this.vars[op.valueVar]) : op.valueBig,
      );
    } else {
      match = compareNum(op.op, ex.value, op.valueVar >= 0 ? this.vars[op.valueVar] : op.value);
    }
    return match !== op.negated;
  }

  private byteJump(op: ByteJumpOp, buf: Uint8Array): boolean {
    const len = buf.length;
    if (len === 0) return false;
    const nbytes = op.fmt.nbytesVar >= 0 ? this.vars[op.fmt.nbytesVar] : op.fmt.nbytes;
    if (op.fmt.nbytesVar >= 0 && !validNBytes(op.fmt, nbytes)) return false;
    const offset = op.offsetVar >= 0 ? this.vars[op.offsetVar] : op.offset;
    let ptr = offset;
    let remain = len - offset;
    if (op.relative) {
      ptr += this.bufferOffset;
      remain -= this.bufferOffset;
      if (nbytes !== 0 && remain <= 0) return false;
    }
    if (ptr < 0 || nbytes > remain) return false;
    if (nbytes === 0) {
      // nothing to read: a string of no digits fails, a binary field of no bytes is 0
      if (op.fmt.string) return false;
      this.ex.value = 0;
      this.ex.consumed = 0;
      this.ex.big = null;
    } else if (!this.extract(op.fmt, buf, ptr, nbytes)) return false;
    let val = this.ex.value * op.multiplier;
    if (op.align && val % 4 !== 0) val += 4 - (val % 4);
    val += op.postOffset;
    let jump: number;
    if (op.fromBeginning) jump = val;
    else if (op.fromEnd) jump = len + val;
    else jump = ptr + val + this.ex.consumed;
    if (jump < 0) jump = 0;
    else if (jump > len) return false;
    this.bufferOffset = jump;
    return true;
  }

  private byteExtract(op: ByteExtractOp, buf: Uint8Array): boolean {
    const len = buf.length;
    if (len === 0) return false;
    let ptr: number;
    let remain: number;
    if (op.relative) {
      ptr = this.bufferOffset + op.offset;
      remain = len - ptr;
      if (remain <= 0) return false;
    } else {
      ptr = op.offset;
      remain = len - op.offset;
    }
    if (ptr < 0 || op.fmt.nbytes > remain) return false;
    if (!this.extract(op.fmt, buf, ptr)) return false;
    let val = this.ex.value * op.multiplier;
    if (op.align !== 0 && val % op.align !== 0) val += op.align - (val % op.align);
    this.bufferOffset = ptr + this.ex.consumed;
    this.vars[op.varIndex] = val;
    return true;
  }

  /** 1 match, 0 no match, -1 no match and stop. */
  private isdataat(op: IsdataatOp, len: number): number {
    let dataat = op.dataat;
    const fromVar = op.dataatVar >= 0;
    if (fromVar) {
      const v = this.vars[op.dataatVar];
      if (v >= 100_000_000) return op.negated ? 1 : 0;
      dataat = v;
    }
    const fail = fromVar ? 0 : -1;
    if (op.relative) {
      if (this.bufferOffset + dataat > len) return op.negated ? 1 : fail;
      return op.negated ? 0 : 1;
    }
    if (dataat < len) return op.negated ? fail : 1;
    return op.negated ? 1 : fail;
  }

  /** base64_decode is terminal: it matches only when the decoded data matches its base64_data list. */
  private base64(op: Base64DecodeOp, buf: Uint8Array): number {
    let start = op.relative ? this.bufferOffset : 0;
    let avail = buf.length - start;
    if (op.offset) {
      if (op.offset >= avail) return 0;
      start += op.offset;
      avail -= op.offset;
    }
    if (avail <= 0) return 0;
    const n = op.bytes !== 0 && op.bytes < avail ? op.bytes : avail;
    if (this.b64.length < Math.min(BASE64_MAX, n)) this.b64 = new Uint8Array(Math.min(BASE64_MAX, n));
    const out = base64Decode(buf, start, start + n, this.b64);
    if (out === 0 || op.data.length === 0) return 0;
    this.b64buf.set(this.b64.subarray(0, out));
    const saveOffset = this.bufferOffset;
    this.bufferOffset = 0;
    this.pcreStart = 0;
    const r = this.run(op.data, 0, this.b64buf);
    this.bufferOffset = saveOffset;
    return r === 1 ? 1 : 0;
  }
}

/** A byte count taken from a variable must fit the field type (8 bytes binary, 23 digits string). */
function validNBytes(fmt: ByteFormat, n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= (fmt.string ? 23 : 8);
}

function compareNum(op: number, v: number, value: number): boolean {
  switch (op) {
    case ByteOperator.EQ:
      return v === value;
    case ByteOperator.LT:
      return v < value;
    case ByteOperator.GT:
      return v > value;
    case ByteOperator.AND:
      return and53(v, value) !== 0;
    case ByteOperator.XOR:
      return xor53(v, value) !== 0;
    case ByteOperator.GE:
      return v >= value;
    case ByteOperator.LE:
      return v <= value;
  }
  return false;
}

function compareBig(op: number, v: bigint, value: bigint): boolean {
  switch (op) {
    case ByteOperator.EQ:
      return v === value;
    case ByteOperator.LT:
      return v < value;
    case ByteOperator.GT:
      return v > value;
    case ByteOperator.AND:
      return (v & value) !== 0n;
    case ByteOperator.XOR:
      return (v ^ value) !== 0n;
    case ByteOperator.GE:
      return v >= value;
    case ByteOperator.LE:
      return v <= value;
  }
  return false;
}

const B64 = new Int8Array(256).fill(-1);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) B64[alphabet.charCodeAt(i)] = i;
}

/**
 * Decodes base64 from buf[start, end) into out; stops at the first byte outside the alphabet
 * or at padding, and decodes a trailing partial group as far as it goes (Suricata's relaxed
 * mode). Returns the number of bytes written (bounded by out.length).
 */
export function base64Decode(buf: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let acc = 0;
  let bits = 0;
  let o = 0;
  const max = out.length;
  for (let i = start; i < end && o < max; i++) {
    const v = B64[buf[i]];
    if (v < 0) break;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return o;
}
