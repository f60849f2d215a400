/** Math builtins. Numbers are IEEE doubles; `round` rounds halves away from zero. */
import { BuiltinError } from '../runtime.js';
import { typeName } from '../values.js';
import { argInt, argNumber, type BuiltinSpec } from './define.js';

function unary(name: string, f: (x: number) => number): BuiltinSpec {
  return { name, min: 1, max: 1, fn: (x: unknown) => f(argNumber(name, 0, x)) };
}

/** min/max of several numbers, or of one array of numbers. */
function extreme(name: string, pick: (a: number, b: number) => number) {
  return (...args: unknown[]): number => {
    const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    if (list.length === 0) throw new BuiltinError(`${name}(): needs at least one number`);
    let best = Number.NaN;
    list.forEach((x, i) => {
      if (typeof x !== 'number')
        throw new BuiltinError(`${name}(): value ${i + 1} is ${typeName(x)}, not a number`);
      best = i === 0 ? x : pick(best, x);
    });
    return best;
  };
}

function round(x: unknown, digits?: unknown): number {
  const v = argNumber('round', 0, x);
  const d = digits === undefined ? 0 : argInt('round', 1, digits);
  if (d < 0 || d > 15) throw new BuiltinError(`round(): digits must be 0 to 15, got ${d}`);
  const m = 10 ** d;
  return (Math.sign(v) * Math.round(Math.abs(v) * m)) / m;
}

export function mathBuiltins(): BuiltinSpec[] {
  return [
    { name: 'round', min: 1, max: 2, fn: round },
    unary('floor', Math.floor),
    unary('ceil', Math.ceil),
    unary('abs', Math.abs),
    unary('sqrt', Math.sqrt),
    {
      name: 'pow',
      min: 2,
      max: 2,
      fn: (b: unknown, e: unknown) => argNumber('pow', 0, b) ** argNumber('pow', 1, e),
    },
    { name: 'min', min: 1, max: Number.POSITIVE_INFINITY, fn: extreme('min', Math.min) },
    { name: 'max', min: 1, max: Number.POSITIVE_INFINITY, fn: extreme('max', Math.max) },
    { name: 'random', min: 0, max: 0, fn: () => Math.random() },
    { name: 'is_nan', min: 1, max: 1, fn: (x: unknown) => typeof x === 'number' && Number.isNaN(x) },
  ];
}
