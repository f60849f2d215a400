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
  /** Whether the code may set the reject flag `b`. */
  aborts = false;

  /**
   * @param checked bounds-check loads at constant offsets; the unchecked variant is used only
   * after the caller made sure the packet is longer than every constant offset.
   */
  constructor(private readonly checked: boolean) {}

  private reject(): string {
    this.aborts = true;
    return '(b = 1, 0)';
  }

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
          return this.checked ? `(${num(v.off + v.size - 1)} < c ? ${read} : ${this.reject()})` : read;
        }
        const t = this.temp();
        const read = this.read(v.size, (k) => (k === 0 ? `o + ${t}` : `o + ${t} + ${num(k)}`));
        return `(${t} = ${this.val(v.base)} + ${num(v.off)}, ${t} + ${num(v.size - 1)} < c ? ${read} : ${this.reject()})`;
      }
      case 'msh': {
        const read = `(d[o + ${num(v.off)}] & 15) << 2`;
        return this.checked ? `(${num(v.off)} < c ? ${read} : ${this.reject()})` : `(${read})`;
      }
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
            return `(${ta} = ${a}, ${tb} = ${b}, ${tb} === 0 ? ${this.reject()} : ${r})`;
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

/** The largest byte offset a constant-offset load of `x` reads, -1 if none. */
function maxConstOffset(x: Cond | Val): number {
  switch (x.k) {
    case 'const':
    case 'imm':
    case 'len':
      return -1;
    case 'ld':
      return x.base === null ? x.off + x.size - 1 : maxConstOffset(x.base);
    case 'msh':
      return x.off;
    case 'not':
    case 'neg':
      return maxConstOffset(x.a);
    case 'and':
    case 'or':
    case 'jmp':
    case 'alu':
      return Math.max(maxConstOffset(x.a), maxConstOffset(x.b));
  }
}

function body(cond: Cond, checked: boolean): string {
  const e = new Emitter(checked);
  const expr = e.cond(cond);
  if (!e.aborts && e.temps === 0) return `return ${expr};`;
  const temps = Array.from({ length: e.temps }, (_, i) => `, t${num(i)} = 0`).join('');
  return `let b = 0${temps};\nconst r = ${expr};\nreturn r && b === 0;`;
}

/**
 * JavaScript source of the predicate body for `cond` (exposed for debugging and tests). Two
 * paths: when the packet is longer than every constant offset the filter reads, loads at
 * those offsets need no bounds check; shorter packets take the fully checked path.
 */
export function generateSource(cond: Cond): string {
  if (cond.k === 'const') return `return ${cond.v ? 'true' : 'false'};`;
  const max = maxConstOffset(cond);
  const checked = body(cond, true);
  if (max < 0) return checked;
  return `if (c > ${num(max)}) {\n${body(cond, false)}\n}\n${checked}`;
}

/** Builds the predicate function from the generated source. */
export function buildMatcher(source: string): RawMatch {
  // the source is built from this module's fixed fragments and numbers only (see num())
  const make = new Function(
    `"use strict";\nreturn function sentraFilter(d, o, c, w) {\n${source}\n};`,
  ) as () => RawMatch;
  return make();
}
