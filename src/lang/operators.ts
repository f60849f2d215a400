/**
 * Binary and unary operators. Each returns {@link MISMATCH} when its operand types do not fit,
 * so the caller (which knows the source position) raises the error: no exceptions on the fast path.
 */
import type { BinaryOp } from './ast.js';
import { equals, getKey, isMap, toDisplay, typeName } from './values.js';

export const MISMATCH: unique symbol = Symbol('sentra.mismatch');
export type OpResult = unknown;
export type BinaryFn = (l: unknown, r: unknown) => OpResult;

/** What {@link indexGet} returns instead of a value when the access is invalid. */
export class OpError {
  constructor(readonly message: string) {}
}

/** The longest string `"x" * n` may build: a runaway repeat fails instead of eating memory. */
export const MAX_REPEAT_LENGTH = 64 * 1024 * 1024;

function repeat(s: string, n: unknown): OpResult {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return MISMATCH;
  if (s.length * n > MAX_REPEAT_LENGTH) return MISMATCH;
  return s.repeat(n);
}

function add(l: unknown, r: unknown): OpResult {
  if (typeof l === 'number' && typeof r === 'number') return l + r;
  if (typeof l === 'string') return typeof r === 'string' ? l + r : l + toDisplay(r);
  if (typeof r === 'string') return toDisplay(l) + r;
  if (Array.isArray(l) && Array.isArray(r)) return l.concat(r);
  return MISMATCH;
}

function sub(l: unknown, r: unknown): OpResult {
  return typeof l === 'number' && typeof r === 'number' ? l - r : MISMATCH;
}

function mul(l: unknown, r: unknown): OpResult {
  if (typeof l === 'number' && typeof r === 'number') return l * r;
  if (typeof l === 'string') return repeat(l, r);
  if (typeof r === 'string') return repeat(r, l);
  return MISMATCH;
}

function div(l: unknown, r: unknown): OpResult {
  return typeof l === 'number' && typeof r === 'number' ? l / r : MISMATCH;
}

function mod(l: unknown, r: unknown): OpResult {
  return typeof l === 'number' && typeof r === 'number' ? l % r : MISMATCH;
}

function comparable(l: unknown, r: unknown): boolean {
  return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string');
}

function contains(l: unknown, r: unknown): OpResult {
  if (Array.isArray(r)) {
    for (const x of r) if (equals(l, x)) return true;
    return false;
  }
  if (typeof r === 'string') return typeof l === 'string' ? r.includes(l) : MISMATCH;
  if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
    if (typeof l === 'string') return Object.hasOwn(r, l);
    if (typeof l === 'number') return Object.hasOwn(r, String(l));
    return MISMATCH;
  }
  return MISMATCH;
}

export const BINARY: Readonly<Record<BinaryOp, BinaryFn>> = {
  '+': add,
  '-': sub,
  '*': mul,
  '/': div,
  '%': mod,
  '==': (l, r) => equals(l, r),
  '!=': (l, r) => !equals(l, r),
  '<': (l, r) => (comparable(l, r) ? (l as number) < (r as number) : MISMATCH),
  '<=': (l, r) => (comparable(l, r) ? (l as number) <= (r as number) : MISMATCH),
  '>': (l, r) => (comparable(l, r) ? (l as number) > (r as number) : MISMATCH),
  '>=': (l, r) => (comparable(l, r) ? (l as number) >= (r as number) : MISMATCH),
  in: contains,
};

/** The message for an operator applied to operands it does not accept. */
export function binaryMismatch(op: BinaryOp, l: unknown, r: unknown): string {
  const tl = typeName(l);
  const tr = typeName(r);
  switch (op) {
    case '+':
      return `cannot add ${tl} and ${tr} ('+' takes two numbers, two arrays, or a string and any value)`;
    case '*':
      if (typeof l === 'string' || typeof r === 'string') {
        const n = typeof l === 'string' ? r : l;
        if (typeof n === 'number') {
          return `cannot repeat a string ${n} times: the count must be a whole number from 0 (and the result at most ${MAX_REPEAT_LENGTH} characters)`;
        }
      }
      return `cannot multiply ${tl} by ${tr}`;
    case '-':
      return `cannot subtract ${tr} from ${tl}`;
    case '/':
      return `cannot divide ${tl} by ${tr}`;
    case '%':
      return `cannot take the remainder of ${tl} by ${tr}`;
    case 'in':
      return `cannot test whether ${tl} is in ${tr} ('in' looks in an array, a map's keys, or a string)`;
    default:
      return `cannot compare ${tl} with ${tr} using '${op}' (only two numbers or two strings)`;
  }
}

/** Reads `obj[index]`: arrays and strings by whole number (negative counts from the end), maps by key. */
export function indexGet(obj: unknown, index: unknown): unknown {
  if (Array.isArray(obj) || typeof obj === 'string') {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      return new OpError(`${typeName(obj)} index must be a whole number, got ${describeIndex(index)}`);
    }
    const i = index < 0 ? obj.length + index : index;
    if (i < 0 || i >= obj.length) {
      return new OpError(`index ${index} is out of range for ${typeName(obj)} of length ${obj.length}`);
    }
    return obj[i];
  }
  if (typeof obj === 'object' && obj !== null) {
    if (typeof index === 'string') return getKey(obj, index);
    if (typeof index === 'number') return getKey(obj, String(index));
    return new OpError(`map key must be a string or a number, got ${typeName(index)}`);
  }
  return new OpError(`cannot index ${typeName(obj)} (only arrays, strings and maps have elements)`);
}

function describeIndex(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeName(v);
}

/** Writes `obj[index] = value`; returns an error message or null. */
export function indexSet(obj: unknown, index: unknown, value: unknown): string | null {
  if (Array.isArray(obj)) {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      return `array index must be a whole number, got ${describeIndex(index)}`;
    }
    const i = index < 0 ? obj.length + index : index;
    if (i < 0 || i >= obj.length) {
      return `index ${index} is out of range for array of length ${obj.length} (use push() to append)`;
    }
    obj[i] = value;
    return null;
  }
  if (isMap(obj)) {
    if (typeof index !== 'string' && typeof index !== 'number') {
      return `map key must be a string or a number, got ${typeName(index)}`;
    }
    const key = String(index);
    if (key === '__proto__') {
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
      obj[key] = value;
    }
    return null;
  }
  if (typeof obj === 'string') return 'cannot change a character of a string (strings are immutable)';
  return `cannot set an element of ${typeName(obj)}`;
}
