/** Output, conversion, time and JSON builtins. */
import { BuiltinError, type Runtime } from '../runtime.js';
import { ScriptExit } from '../script-error.js';
import { toDisplay, truthy, typeName } from '../values.js';
import { argInt, argNumber, argString, type BuiltinSpec } from './define.js';

/** A range() longer than this is refused instead of exhausting memory. */
export const MAX_RANGE_LENGTH = 10_000_000;

function length(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length;
  throw new BuiltinError(`len(): takes a string, an array or a map, got ${typeName(v)}`);
}

function range(...args: unknown[]): number[] {
  const nums = args.map((a, i) => argNumber('range', i, a));
  const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0 || !Number.isFinite(step))
    throw new BuiltinError('range(): the step must be a non-zero number');
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (!Number.isFinite(count) || count > MAX_RANGE_LENGTH) {
    throw new BuiltinError(`range(): would make ${count} numbers (at most ${MAX_RANGE_LENGTH})`);
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(start + i * step);
  return out;
}

function toNumber(fname: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    const n = /^[+-]?0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : Number(t);
    if (t === '' || Number.isNaN(n))
      throw new BuiltinError(`${fname}(): cannot convert ${JSON.stringify(v)} to a number`);
    return n;
  }
  throw new BuiltinError(`${fname}(): cannot convert ${typeName(v)} to a number`);
}

function jsonEncode(v: unknown, indent?: unknown): string {
  const space = indent === undefined || indent === null ? undefined : argInt('json_encode', 1, indent);
  try {
    const out = JSON.stringify(
      v,
      (_k, x: unknown) => {
        if (typeof x === 'function') throw new BuiltinError('json_encode(): cannot encode a function');
        if (x instanceof Uint8Array) return Array.from(x);
        if (x === undefined) return null;
        return x;
      },
      space,
    );
    return out ?? 'null';
  } catch (e) {
    if (e instanceof BuiltinError) throw e;
    if (e instanceof TypeError && /circular/i.test(e.message)) {
      throw new BuiltinError('json_encode(): the value contains itself (a cycle)');
    }
    throw new BuiltinError(`json_encode(): ${(e as Error).message}`);
  }
}

function jsonDecode(s: unknown): unknown {
  const text = argString('json_decode', 0, s);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BuiltinError(`json_decode(): invalid JSON: ${(e as Error).message}`);
  }
}

export function coreBuiltins(rt: Runtime, write: (text: string) => void): BuiltinSpec[] {
  const out = (...values: unknown[]) => {
    write(values.map(toDisplay).join(' ') + '\n');
    return null;
  };
  return [
    { name: 'log', min: 0, max: Number.POSITIVE_INFINITY, fn: out },
    { name: 'print', min: 0, max: Number.POSITIVE_INFINITY, fn: out },
    { name: 'str', min: 1, max: 1, fn: toDisplay },
    { name: 'typeof', min: 1, max: 1, fn: typeName },
    { name: 'len', min: 1, max: 1, fn: length },
    { name: 'range', min: 1, max: 3, fn: range },
    {
      name: 'sleep',
      min: 1,
      max: 1,
      fn: (seconds: unknown) => {
        const s = argNumber('sleep', 0, seconds);
        if (!(s >= 0) || !Number.isFinite(s))
          throw new BuiltinError(`sleep(): seconds must be 0 or more, got ${s}`);
        return rt.sleep(s * 1000);
      },
    },
    { name: 'time', min: 0, max: 0, fn: () => Date.now() / 1000 },
    { name: 'time_ms', min: 0, max: 0, fn: () => Date.now() },
    {
      name: 'iso_time',
      min: 0,
      max: 1,
      fn: (t?: unknown) =>
        new Date(t === undefined ? Date.now() : argNumber('iso_time', 0, t) * 1000).toISOString(),
    },
    {
      name: 'exit',
      min: 0,
      max: 1,
      fn: (code?: unknown) => {
        const c = code === undefined ? 0 : argInt('exit', 0, code);
        if (c < 0 || c > 255) throw new BuiltinError(`exit(): the code must be 0 to 255, got ${c}`);
        throw new ScriptExit(c);
      },
    },
    {
      name: 'assert',
      min: 1,
      max: 2,
      fn: (cond: unknown, message?: unknown) => {
        if (!truthy(cond)) {
          throw new BuiltinError(`assertion failed${message === undefined ? '' : `: ${toDisplay(message)}`}`);
        }
        return null;
      },
    },
    { name: 'json_encode', min: 1, max: 2, fn: jsonEncode },
    { name: 'json_decode', min: 1, max: 1, fn: jsonDecode },
    { name: 'int', min: 1, max: 1, fn: (v: unknown) => Math.trunc(toNumber('int', v)) },
    { name: 'float', min: 1, max: 1, fn: (v: unknown) => toNumber('float', v) },
    { name: 'bool', min: 1, max: 1, fn: truthy },
  ];
}
