/**
 * Turns the tests of a compiled filter into one JavaScript function, built once with
 * `new Function`. The source is assembled only from fixed code fragments and numbers this
 * module produced and checked (`num()`): no text of the user's expression reaches it.
 *
 * The function is `(d, o, c, w) => boolean` over the packet bytes `d[o, o + c)` and the wire
 * length `w`. A load past `c` sets a flag instead of throwing; the flag makes the result false,
 * which is what BPF does (it rejects the packet as soon as a load falls outside it). Nothing is
 * allocated per call: values are numbers in locals.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { type Cond, constValue, type Val } from './ir.js';

/** The generated predicate: packet bytes `d[o, o + c)`, wire length `w`. */
export type RawMatch = (d: Uint8Array, o: number, c: number, w: number) => boolean;

/** A non-negative integer that may be pasted into source code, or an internal error. */
function num(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SentraError(ErrorCodes.INTERNAL, `filter code generator got a non-integer constant ${n}`);
  }
  return String(n);
}

class Emitter {
  temps = 0;

  private temp(): string {
    return `t${num(this.temps++)}`;
  }

  /** Reads `size` bytes big-endian at the index expression `at` (relative to `o`). */
  private read(size: 1 | 2 | 4, at: (k: number) => string): string {
    if (size === 1) return `d[${at(0)}]`;
    if (size === 2) return `(d[${at(0)}] << 8 | d[${at(1)}])`;
    return `((d[${at(0)}] << 24 | d[${at(1)}] << 16 | d[${at(2)}] << 8 | d[${at(3)}]) >>> 0)`;
  }

  val(v: Val): string {
    const c = constValue(v);
    if (c !== null) return num(c);
    switch (v.k) {
      case 'imm':
        return num(v.v);
      case 'len':
        return 'w';
      case 'ld': {
        if (v.base === null) {
          const read = this.read(v.size, (k) => `o + ${num(v.off + k)}`);
          return `(${num(v.off + v.size - 1)} < c ? ${read} : (b = 1, 0))`;
        }
        const t = this.temp();
        const read = this.read(v.size, (k) => (k === 0 ? `o + ${t}` : `o + ${t} + ${num(k)}`));
        return `(${t} = ${this.val(v.base)} + ${num(v.off)}, ${t} + ${num(v.size - 1)} < c ? ${read} : (b = 1, 0))`;
      }
      case 'msh':
        return `(${num(v.off)} < c ? (d[o + ${num(v.off)}] & 15) << 2 : (b = 1, 0))`;
      case 'neg':
        return `((0 - ${this.val(v.a)}) >>> 0)`;
      case 'alu': {
        const a = this.val(v.a);
        const b = this.val(v.b);
        switch (v.op) {
          case 'add':
            return `((${a} + ${b}) >>> 0)`;
          case 'sub':
            return `((${a} - ${b}) >>> 0)`;
          case 'mul':
            return `(Math.imul(${a}, ${b}) >>> 0)`;
          case 'and':
            return `((${a} & ${b}) >>> 0)`;
          case 'or':
            return `((${a} | ${b}) >>> 0)`;
          case 'xor':
            return `((${a} ^ ${b}) >>> 0)`;
          case 'div':
          case 'mod': {
            // BPF rejects the packet on a division by zero
            const tb = this.temp();
            const ta = this.temp();
            const r = v.op === 'div' ? `((${ta} / ${tb}) >>> 0)` : `(${ta} % ${tb})`;
            return `(${ta} = ${a}, ${tb} = ${b}, ${tb} === 0 ? (b = 1, 0) : ${r})`;
          }
          case 'lsh':
          case 'rsh': {
            // libpcap 1.10's interpreter shifts everything out for counts of 32 and more
            const tb = this.temp();
            const ta = this.temp();
            const r = v.op === 'lsh' ? `((${ta} << ${tb}) >>> 0)` : `(${ta} >>> ${tb})`;
            return `(${ta} = ${a}, ${tb} = ${b}, ${tb} < 32 ? ${r} : 0)`;
          }
        }
      }
    }
  }

  cond(x: Cond): string {
    switch (x.k) {
      case 'const':
        return x.v ? 'true' : 'false';
      case 'and':
        return `(${this.cond(x.a)} && ${this.cond(x.b)})`;
      case 'or':
        return `(${this.cond(x.a)} || ${this.cond(x.b)})`;
      case 'not':
        return `!${this.cond(x.a)}`;
      case 'jmp': {
        const a = this.val(x.a);
        const b = this.val(x.b);
        switch (x.op) {
          case 'eq':
            return `(${a} === ${b})`;
          case 'gt':
            return `(${a} > ${b})`;
          case 'ge':
            return `(${a} >= ${b})`;
          case 'set':
            return `((${a} & ${b}) !== 0)`;
        }
      }
    }
  }
}

/** JavaScript source of the predicate body for `cond` (exposed for debugging and tests). */
export function generateSource(cond: Cond): string {
  if (cond.k === 'const') return `return ${cond.v ? 'true' : 'false'};`;
  const e = new Emitter();
  const body = e.cond(cond);
  const temps = Array.from({ length: e.temps }, (_, i) => `, t${num(i)} = 0`).join('');
  return `let b = 0${temps};\nconst r = ${body};\nreturn r && b === 0;`;
}

/** Builds the predicate function from the generated source. */
export function buildMatcher(source: string): RawMatch {
  // the source is built from this module's fixed fragments and numbers only (see num())
  const make = new Function(
    `"use strict";\nreturn function sentraFilter(d, o, c, w) {\n${source}\n};`,
  ) as () => RawMatch;
  return make();
}
