/** How builtins are declared: a name, an argument count range, and argument checks with clear messages. */
import { BuiltinError, type CallerContext, WITH_CALLER } from '../runtime.js';
import { BUILTIN_NAME, type ScriptMap, typeName } from '../values.js';

// biome-ignore lint/suspicious/noExplicitAny: builtins take whatever the script passes and check it themselves
export type BuiltinFn = (...args: any[]) => unknown;

export interface BuiltinSpec {
  readonly name: string;
  readonly min: number;
  /** Infinity for variadic builtins. */
  readonly max: number;
  readonly fn: BuiltinFn;
  /** The builtin calls script functions back: it receives a CallerContext first. */
  readonly withCaller?: boolean;
}

function arity(spec: BuiltinSpec): string {
  if (spec.max === Number.POSITIVE_INFINITY)
    return `at least ${spec.min} argument${spec.min === 1 ? '' : 's'}`;
  if (spec.min === spec.max) return `${spec.min} argument${spec.min === 1 ? '' : 's'}`;
  return `${spec.min} to ${spec.max} arguments`;
}

/** Wraps a builtin with its argument count check and marks it as a builtin. */
export function makeBuiltin(spec: BuiltinSpec): BuiltinFn {
  const { name, min, max, fn } = spec;
  const wrapped: BuiltinFn = spec.withCaller
    ? (ctx: CallerContext, ...args: unknown[]) => {
        if (args.length < min || args.length > max) {
          throw new BuiltinError(`${name}() takes ${arity(spec)}, got ${args.length}`);
        }
        return fn(ctx, ...args);
      }
    : (...args: unknown[]) => {
        if (args.length < min || args.length > max) {
          throw new BuiltinError(`${name}() takes ${arity(spec)}, got ${args.length}`);
        }
        return fn(...args);
      };
  Object.defineProperty(wrapped, 'name', { value: name });
  const tagged = wrapped as BuiltinFn & { [BUILTIN_NAME]: string; [WITH_CALLER]?: boolean };
  tagged[BUILTIN_NAME] = name;
  if (spec.withCaller) tagged[WITH_CALLER] = true;
  return wrapped;
}

function ordinal(i: number): string {
  return ['first', 'second', 'third', 'fourth'][i] ?? `#${i + 1}`;
}

export function bad(fname: string, i: number, want: string, v: unknown): never {
  throw new BuiltinError(`${fname}(): the ${ordinal(i)} argument must be ${want}, got ${typeName(v)}`);
}

export function argNumber(fname: string, i: number, v: unknown): number {
  if (typeof v !== 'number') bad(fname, i, 'a number', v);
  return v;
}

export function argInt(fname: string, i: number, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    if (typeof v === 'number')
      throw new BuiltinError(`${fname}(): the ${ordinal(i)} argument must be a whole number, got ${v}`);
    bad(fname, i, 'a whole number', v);
  }
  return v;
}

export function argString(fname: string, i: number, v: unknown): string {
  if (typeof v !== 'string') bad(fname, i, 'a string', v);
  return v;
}

export function argArray(fname: string, i: number, v: unknown): unknown[] {
  if (!Array.isArray(v)) bad(fname, i, 'an array', v);
  return v;
}

export function argMap(fname: string, i: number, v: unknown): ScriptMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(fname, i, 'a map', v);
  return v as ScriptMap;
}

export function argFunction(fname: string, i: number, v: unknown): (...args: unknown[]) => unknown {
  if (typeof v !== 'function') bad(fname, i, 'a function', v);
  return v as (...args: unknown[]) => unknown;
}
