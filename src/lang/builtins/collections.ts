/**
 * Array and map builtins. `push`, `pop`, `insert` and `remove` change their argument in place
 * (and `push`/`insert` return it, so `xs = push(xs, x)` also works); the others return new values.
 */
import { BuiltinError, type CallerContext } from '../runtime.js';
import { equals, getKey, truthy, typeName } from '../values.js';
import { argArray, argFunction, argInt, argMap, argString, type BuiltinSpec, bad } from './define.js';

/**
 * Calls `call(i)` for i in [0, n) and hands each result to `take`, synchronously while no call
 * waits, then asynchronously for the rest.
 */
function eachResult(
  n: number,
  call: (i: number) => unknown,
  take: (i: number, v: unknown) => void,
): void | Promise<void> {
  for (let i = 0; i < n; i++) {
    const v = call(i);
    if (v instanceof Promise) {
      return (async () => {
        take(i, await v);
        for (let j = i + 1; j < n; j++) {
          let w = call(j);
          if (w instanceof Promise) w = await w;
          take(j, w);
        }
      })();
    }
    take(i, v);
  }
}

function then<T>(p: void | Promise<void>, result: () => T): T | Promise<T> {
  return p instanceof Promise ? p.then(result) : result();
}

function normIndex(fname: string, len: number, i: number, allowEnd: boolean): number {
  const j = i < 0 ? len + i : i;
  if (j < 0 || j > len || (!allowEnd && j === len)) {
    throw new BuiltinError(`${fname}(): index ${i} is out of range for length ${len}`);
  }
  return j;
}

function clampSlice(len: number, i: number): number {
  return i < 0 ? Math.max(0, len + i) : Math.min(len, i);
}

function compareNatural(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new BuiltinError(
    `sort(): cannot compare ${typeName(a)} with ${typeName(b)} (sort numbers or strings, or give a key function)`,
  );
}

function indexOf(coll: unknown, x: unknown): number {
  if (typeof coll === 'string') return coll.indexOf(argString('index_of', 1, x));
  const arr = argArray('index_of', 0, coll);
  for (let i = 0; i < arr.length; i++) if (equals(arr[i], x)) return i;
  return -1;
}

function contains(coll: unknown, x: unknown): boolean {
  if (typeof coll === 'string') return coll.includes(argString('contains', 1, x));
  if (Array.isArray(coll)) return coll.some((y) => equals(x, y));
  if (typeof coll === 'object' && coll !== null) {
    if (typeof x !== 'string' && typeof x !== 'number') bad('contains', 1, 'a string or number key', x);
    return Object.hasOwn(coll, String(x));
  }
  return bad('contains', 0, 'a string, an array or a map', coll);
}

export function collectionBuiltins(): BuiltinSpec[] {
  return [
    { name: 'keys', min: 1, max: 1, fn: (m: unknown) => Object.keys(argMap('keys', 0, m)) },
    {
      name: 'values',
      min: 1,
      max: 1,
      fn: (m: unknown) => {
        const map = argMap('values', 0, m);
        return Object.keys(map).map((k) => getKey(map, k));
      },
    },
    {
      name: 'has_key',
      min: 2,
      max: 2,
      fn: (m: unknown, k: unknown) => {
        const map = argMap('has_key', 0, m);
        if (typeof k !== 'string' && typeof k !== 'number') bad('has_key', 1, 'a string', k);
        return Object.hasOwn(map, String(k));
      },
    },
    {
      name: 'remove',
      min: 2,
      max: 2,
      fn: (coll: unknown, k: unknown) => {
        if (Array.isArray(coll)) {
          const i = normIndex('remove', coll.length, argInt('remove', 1, k), false);
          return coll.splice(i, 1)[0] ?? null;
        }
        const map = argMap('remove', 0, coll);
        if (typeof k !== 'string' && typeof k !== 'number') bad('remove', 1, 'a string key', k);
        const key = String(k);
        const old = getKey(map, key);
        delete map[key];
        return old;
      },
    },
    {
      name: 'push',
      min: 2,
      max: Number.POSITIVE_INFINITY,
      fn: (arr: unknown, ...vals: unknown[]) => {
        const a = argArray('push', 0, arr);
        for (const v of vals) a.push(v);
        return a;
      },
    },
    {
      name: 'pop',
      min: 1,
      max: 1,
      fn: (arr: unknown) => {
        const a = argArray('pop', 0, arr);
        if (a.length === 0) throw new BuiltinError('pop(): the array is empty');
        return a.pop() ?? null;
      },
    },
    {
      name: 'insert',
      min: 3,
      max: 3,
      fn: (arr: unknown, i: unknown, v: unknown) => {
        const a = argArray('insert', 0, arr);
        a.splice(normIndex('insert', a.length, argInt('insert', 1, i), true), 0, v);
        return a;
      },
    },
    {
      name: 'slice',
      min: 2,
      max: 3,
      fn: (coll: unknown, start: unknown, end?: unknown) => {
        if (typeof coll !== 'string' && !Array.isArray(coll)) bad('slice', 0, 'an array or a string', coll);
        const len = coll.length;
        const s = clampSlice(len, argInt('slice', 1, start));
        const e = end === undefined || end === null ? len : clampSlice(len, argInt('slice', 2, end));
        return coll.slice(s, Math.max(s, e));
      },
    },
    { name: 'index_of', min: 2, max: 2, fn: indexOf },
    { name: 'contains', min: 2, max: 2, fn: contains },
    {
      name: 'reverse',
      min: 1,
      max: 1,
      fn: (coll: unknown) => {
        if (typeof coll === 'string') return Array.from(coll).reverse().join('');
        return [...argArray('reverse', 0, coll)].reverse();
      },
    },
    {
      name: 'sum',
      min: 1,
      max: 1,
      fn: (arr: unknown) => {
        let total = 0;
        for (const [i, x] of argArray('sum', 0, arr).entries()) {
          if (typeof x !== 'number')
            throw new BuiltinError(`sum(): element ${i} is ${typeName(x)}, not a number`);
          total += x;
        }
        return total;
      },
    },
    {
      name: 'sort',
      min: 1,
      max: 2,
      withCaller: true,
      fn: (ctx: CallerContext, arr: unknown, keyFn?: unknown) => {
        const a = argArray('sort', 0, arr);
        if (keyFn === undefined || keyFn === null) return [...a].sort(compareNatural);
        const f = argFunction('sort', 1, keyFn);
        const keys: unknown[] = new Array(a.length);
        const done = eachResult(
          a.length,
          (i) => ctx.rt.callValue(ctx, f, [a[i]], 'sort key'),
          (i, k) => {
            keys[i] = k;
          },
        );
        return then(done, () =>
          a
            .map((_, i) => i)
            .sort((x, y) => compareNatural(keys[x], keys[y]) || x - y)
            .map((i) => a[i]),
        );
      },
    },
    {
      name: 'map',
      min: 2,
      max: 2,
      withCaller: true,
      fn: (ctx: CallerContext, arr: unknown, fn: unknown) => {
        const a = argArray('map', 0, arr);
        const f = argFunction('map', 1, fn);
        const out: unknown[] = new Array(a.length);
        const done = eachResult(
          a.length,
          (i) => ctx.rt.callValue(ctx, f, [a[i]], 'map function'),
          (i, v) => {
            out[i] = v;
          },
        );
        return then(done, () => out);
      },
    },
    {
      name: 'filter',
      min: 2,
      max: 2,
      withCaller: true,
      fn: (ctx: CallerContext, arr: unknown, fn: unknown) => {
        const a = argArray('filter', 0, arr);
        const f = argFunction('filter', 1, fn);
        const keep: boolean[] = new Array(a.length);
        const done = eachResult(
          a.length,
          (i) => ctx.rt.callValue(ctx, f, [a[i]], 'filter function'),
          (i, v) => {
            keep[i] = truthy(v);
          },
        );
        return then(done, () => a.filter((_, i) => keep[i]));
      },
    },
    {
      name: 'reduce',
      min: 3,
      max: 3,
      withCaller: true,
      fn: (ctx: CallerContext, arr: unknown, fn: unknown, initial: unknown) => {
        const a = argArray('reduce', 0, arr);
        const f = argFunction('reduce', 1, fn);
        let acc = initial;
        const done = eachResult(
          a.length,
          (i) => ctx.rt.callValue(ctx, f, [acc, a[i]], 'reduce function'),
          (_i, v) => {
            acc = v;
          },
        );
        return then(done, () => acc);
      },
    },
  ];
}
