/** String builtins. Strings are immutable: every builtin returns a new one. */

import { MAX_REPEAT_LENGTH } from '../operators.js';
import { BuiltinError } from '../runtime.js';
import { toDisplay } from '../values.js';
import { argArray, argInt, argString, type BuiltinSpec } from './define.js';

function pad(fname: string, left: boolean) {
  return (s: unknown, width: unknown, fill?: unknown): string => {
    const str = toDisplay(s);
    const w = argInt(fname, 1, width);
    const f = fill === undefined ? ' ' : argString(fname, 2, fill);
    if (f.length === 0) throw new BuiltinError(`${fname}(): the fill string must not be empty`);
    if (w > MAX_REPEAT_LENGTH) throw new BuiltinError(`${fname}(): width ${w} is too large`);
    return left ? str.padStart(w, f) : str.padEnd(w, f);
  };
}

/** `format("{} of {}", a, b)`: each `{}` takes the next argument as str() shows it; `{{` and `}}` are braces. */
function format(fmt: unknown, ...args: unknown[]): string {
  const f = argString('format', 0, fmt);
  let next = 0;
  const out = f.replace(/\{\{|\}\}|\{\}/g, (m) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (next >= args.length) throw new BuiltinError(`format(): more '{}' than arguments (${args.length})`);
    return toDisplay(args[next++]);
  });
  if (next < args.length) throw new BuiltinError(`format(): ${args.length} arguments but only ${next} '{}'`);
  return out;
}

export function stringBuiltins(): BuiltinSpec[] {
  return [
    { name: 'upper', min: 1, max: 1, fn: (s: unknown) => argString('upper', 0, s).toUpperCase() },
    { name: 'lower', min: 1, max: 1, fn: (s: unknown) => argString('lower', 0, s).toLowerCase() },
    { name: 'trim', min: 1, max: 1, fn: (s: unknown) => argString('trim', 0, s).trim() },
    {
      name: 'split',
      min: 1,
      max: 2,
      fn: (s: unknown, sep?: unknown) => {
        const str = argString('split', 0, s);
        if (sep === undefined || sep === null) {
          const t = str.trim();
          return t === '' ? [] : t.split(/\s+/);
        }
        return str.split(argString('split', 1, sep));
      },
    },
    {
      name: 'join',
      min: 1,
      max: 2,
      fn: (arr: unknown, sep?: unknown) =>
        argArray('join', 0, arr)
          .map(toDisplay)
          .join(sep === undefined ? '' : argString('join', 1, sep)),
    },
    {
      name: 'starts_with',
      min: 2,
      max: 2,
      fn: (s: unknown, p: unknown) =>
        argString('starts_with', 0, s).startsWith(argString('starts_with', 1, p)),
    },
    {
      name: 'ends_with',
      min: 2,
      max: 2,
      fn: (s: unknown, p: unknown) => argString('ends_with', 0, s).endsWith(argString('ends_with', 1, p)),
    },
    {
      name: 'replace',
      min: 3,
      max: 3,
      fn: (s: unknown, from: unknown, to: unknown) => {
        const str = argString('replace', 0, s);
        const f = argString('replace', 1, from);
        if (f === '') throw new BuiltinError('replace(): the text to replace must not be empty');
        return str.split(f).join(argString('replace', 2, to));
      },
    },
    {
      name: 'substr',
      min: 2,
      max: 3,
      fn: (s: unknown, start: unknown, length?: unknown) => {
        const str = argString('substr', 0, s);
        let b = argInt('substr', 1, start);
        if (b < 0) b = Math.max(0, str.length + b);
        const n = length === undefined || length === null ? str.length : argInt('substr', 2, length);
        if (n < 0) throw new BuiltinError(`substr(): the length must be 0 or more, got ${n}`);
        return str.slice(b, b + n);
      },
    },
    {
      name: 'repeat',
      min: 2,
      max: 2,
      fn: (s: unknown, n: unknown) => {
        const str = argString('repeat', 0, s);
        const count = argInt('repeat', 1, n);
        if (count < 0 || str.length * count > MAX_REPEAT_LENGTH) {
          throw new BuiltinError(`repeat(): cannot repeat ${count} times`);
        }
        return str.repeat(count);
      },
    },
    { name: 'pad_left', min: 2, max: 3, fn: pad('pad_left', true) },
    { name: 'pad_right', min: 2, max: 3, fn: pad('pad_right', false) },
    { name: 'format', min: 1, max: Number.POSITIVE_INFINITY, fn: format },
  ];
}
