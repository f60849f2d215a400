import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES } from '../../src/lang/builtins/index.js';
import { failure, lines, run, value } from './run-helpers.js';

describe('output', () => {
  it('log and print write their arguments separated by spaces, one line per call', async () => {
    expect((await run('log("a", 1, [2], {"k": "v"}, null)\nprint()\nprint("x")')).out).toBe(
      'a 1 [2] {"k": "v"} null\n\nx\n',
    );
  });
});

describe('conversion and types', () => {
  it.each([
    ['typeof(1)', 'number'],
    ['typeof("s")', 'string'],
    ['typeof(true)', 'bool'],
    ['typeof(null)', 'null'],
    ['typeof([])', 'array'],
    ['typeof({})', 'map'],
    ['typeof(len)', 'function'],
    ['typeof(fn() => 1)', 'function'],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    ['int("42")', 42],
    ['int(" 7 ")', 7],
    ['int("0x1f")', 31],
    ['int(true)', 1],
    ['float("2.5")', 2.5],
    ['float("1e3")', 1000],
    ['float(4)', 4],
    ['bool(0)', false],
    ['bool("x")', true],
  ])('%s = %j', async (src, want) => {
    expect(await value(src)).toBe(want);
  });

  it('int() of text that is not a number is an error', async () => {
    expect((await failure('let n = int("12abc")')).message).toBe(
      't.sn:1:9: int(): cannot convert "12abc" to a number',
    );
    expect((await failure('let n = float([])')).message).toBe(
      't.sn:1:9: float(): cannot convert array to a number',
    );
  });

  it('len of strings, arrays and maps', async () => {
    expect(await value('[len("abc"), len([1, 2]), len({"a": 1}), len("")]')).toEqual([3, 2, 1, 0]);
    expect((await failure('let n = len(5)')).message).toBe(
      't.sn:1:9: len(): takes a string, an array or a map, got number',
    );
  });

  it('checks argument counts', async () => {
    expect((await failure('let s = str()')).message).toBe('t.sn:1:9: str() takes 1 argument, got 0');
    expect((await failure('let s = range(1, 2, 3, 4)')).message).toBe(
      't.sn:1:9: range() takes 1 to 3 arguments, got 4',
    );
    expect((await failure('push([])')).message).toBe('t.sn:1:1: push() takes at least 2 arguments, got 1');
  });
});

describe('collections', () => {
  it('range with one, two and three arguments', async () => {
    expect(await value('[range(4), range(2, 5), range(10, 0, -3), range(0)]')).toEqual([
      [0, 1, 2, 3],
      [2, 3, 4],
      [10, 7, 4, 1],
      [],
    ]);
    expect((await failure('let r = range(1, 5, 0)')).message).toBe(
      't.sn:1:9: range(): the step must be a non-zero number',
    );
    expect((await failure('let r = range(1e9)')).message).toBe(
      't.sn:1:9: range(): would make 1000000000 numbers (at most 10000000)',
    );
  });

  it('push returns the array it changed (so xs = push(xs, x) works); pop returns the last element', async () => {
    expect(
      await lines('let xs = []\nxs = push(xs, 1)\npush(xs, 2, 3)\nlet last = pop(xs)\nlog(xs, last)'),
    ).toEqual(['[1, 2] 3']);
    expect((await failure('pop([])')).message).toBe('t.sn:1:1: pop(): the array is empty');
    expect((await failure('push("s", 1)')).message).toBe(
      't.sn:1:1: push(): the first argument must be an array, got string',
    );
  });

  it('insert and remove by index; remove by map key', async () => {
    expect(
      await lines(
        'let a = [1, 3]\ninsert(a, 1, 2)\ninsert(a, -1, 2.5)\nlog(a)\nlog(remove(a, 0), a)\nlet m = {"k": 1, "j": 2}\nlog(remove(m, "k"), remove(m, "zz"), m)',
      ),
    ).toEqual(['[1, 2, 2.5, 3]', '1 [2, 2.5, 3]', '1 null {"j": 2}']);
  });

  it('keys, values, has_key', async () => {
    expect(
      await value(
        '[keys({"b": 1, "a": 2}), values({"b": 1, "a": 2}), has_key({"a": null}, "a"), has_key({}, "a")]',
      ),
    ).toEqual([['b', 'a'], [1, 2], true, false]);
    expect((await failure('keys([1])')).message).toBe(
      't.sn:1:1: keys(): the first argument must be a map, got array',
    );
  });

  it('slice, index_of, contains, reverse, sum', async () => {
    expect(await value('[slice([1, 2, 3, 4], 1, 3), slice("hello", -3), slice([1], 5)]')).toEqual([
      [2, 3],
      'llo',
      [],
    ]);
    expect(await value('[index_of([1, 2], 2), index_of([1], 9), index_of("abc", "c")]')).toEqual([1, -1, 2]);
    expect(
      await value('[contains([1, 2], 2), contains("abc", "bc"), contains({"k": 1}, "k"), contains([], 1)]'),
    ).toEqual([true, true, true, false]);
    expect(await value('[reverse([1, 2, 3]), reverse("abc"), sum([1, 2, 3.5])]')).toEqual([
      [3, 2, 1],
      'cba',
      6.5,
    ]);
  });

  it('sort naturally, or by a key function; stable', async () => {
    expect(await value('sort([3, 1, 2])')).toEqual([1, 2, 3]);
    expect(await value('sort(["b", "a", "c"])')).toEqual(['a', 'b', 'c']);
    expect(
      await value('sort([{"n": "x", "v": 2}, {"n": "y", "v": 1}, {"n": "z", "v": 2}], fn(e) => e.v)'),
    ).toEqual([
      { n: 'y', v: 1 },
      { n: 'x', v: 2 },
      { n: 'z', v: 2 },
    ]);
    expect((await failure('let s = sort([1, "a"])')).message).toBe(
      't.sn:1:9: sort(): cannot compare string with number (sort numbers or strings, or give a key function)',
    );
  });

  it('map, filter and reduce call script functions', async () => {
    expect(await value('map([1, 2, 3], fn(x) => x * 10)')).toEqual([10, 20, 30]);
    expect(await value('filter([1, 2, 3, 4], fn(x) => x % 2 == 0)')).toEqual([2, 4]);
    expect(await value('reduce([1, 2, 3], fn(acc, x) => acc + x, 0)')).toEqual(6);
  });

  it('an error inside a map() callback names both frames', async () => {
    const e = await failure('let r = map([1, "a"], fn(x) => x - 2)');
    expect(e.message).toBe('t.sn:1:34: cannot subtract number from string');
    expect(e.details.stack).toEqual(['at <anonymous> (t.sn:1:34)', 'at <main> (t.sn:1:9)']);
  });
});

describe('strings', () => {
  it.each([
    ['upper("aBc")', 'ABC'],
    ['lower("aBc")', 'abc'],
    ['trim("  x \\n")', 'x'],
    ['join(["a", 1, null], "-")', 'a-1-null'],
    ['join(["a", "b"])', 'ab'],
    ['replace("a.b.c", ".", "::")', 'a::b::c'],
    ['substr("hello", 1, 3)', 'ell'],
    ['substr("hello", -2)', 'lo'],
    ['repeat("ab", 3)', 'ababab'],
    ['pad_left("7", 3, "0")', '007'],
    ['pad_right("ab", 4)', 'ab  '],
    ['pad_left(42, 5)', '   42'],
    ['format("{} of {} ({}%)", 3, 4, 75)', '3 of 4 (75%)'],
    ['format("{{}} {}", "x")', '{} x'],
  ])('%s = %j', async (src, want) => {
    expect(await value(src)).toBe(want);
  });

  it('split with a separator, or on whitespace', async () => {
    expect(await value('[split("a,b,,c", ","), split("  a  b\\tc "), split("", ",")]')).toEqual([
      ['a', 'b', '', 'c'],
      ['a', 'b', 'c'],
      [''],
    ]);
  });

  it('starts_with, ends_with, contains', async () => {
    expect(
      await value('[starts_with("eth0", "eth"), ends_with("x.pcap", ".pcap"), starts_with("a", "b")]'),
    ).toEqual([true, true, false]);
  });

  it('format counts its placeholders', async () => {
    expect((await failure('let s = format("{} {}", 1)')).message).toBe(
      "t.sn:1:9: format(): more '{}' than arguments (1)",
    );
  });
});

describe('math', () => {
  it.each([
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(3.14159, 2)', 3.14],
    ['floor(-1.5)', -2],
    ['ceil(1.2)', 2],
    ['abs(-4)', 4],
    ['sqrt(16)', 4],
    ['pow(2, 10)', 1024],
    ['min(3, 1, 2)', 1],
    ['max([3, 9, 2])', 9],
    ['is_nan(0/0)', true],
  ])('%s = %j', async (src, want) => {
    expect(await value(src)).toBe(want);
  });

  it('random() is in [0, 1)', async () => {
    const xs = (await value('map(range(100), fn(i) => random())')) as number[];
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('min() of nothing and max() of non-numbers are errors', async () => {
    expect((await failure('let m = min([])')).message).toBe('t.sn:1:9: min(): needs at least one number');
    expect((await failure('let m = max(1, "2")')).message).toBe(
      't.sn:1:9: max(): value 2 is string, not a number',
    );
  });
});

describe('json', () => {
  it('json_encode and json_decode round-trip; indent', async () => {
    expect(await value('json_encode({"a": [1, 2.5, "x", true, null]})')).toBe('{"a":[1,2.5,"x",true,null]}');
    expect(await value('json_encode([1], 2)')).toBe('[\n  1\n]');
    expect(await value('json_decode("{\\"k\\": [1, {\\"n\\": null}]}")')).toEqual({ k: [1, { n: null }] });
    expect(await value('json_decode(json_encode({"x": {"y": [1]}})).x.y[0]')).toBe(1);
  });

  it('json errors name the problem', async () => {
    expect((await failure('json_decode("{bad")')).message).toMatch(
      /^t\.sn:1:1: json_decode\(\): invalid JSON: /,
    );
    expect((await failure('json_encode({"f": len})')).message).toBe(
      't.sn:1:1: json_encode(): cannot encode a function',
    );
    expect((await failure('let a = []\npush(a, a)\njson_encode(a)')).message).toBe(
      't.sn:3:1: json_encode(): the value contains itself (a cycle)',
    );
  });
});

describe('time', () => {
  it('time() is seconds since the epoch; time_ms() milliseconds; iso_time() formats', async () => {
    const before = Date.now();
    const [t, ms] = (await value('[time(), time_ms()]')) as number[];
    const after = Date.now();
    expect(t * 1000).toBeGreaterThanOrEqual(before - 1);
    expect(t * 1000).toBeLessThanOrEqual(after + 1);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(await value('iso_time(0)')).toBe('1970-01-01T00:00:00.000Z');
  });

  it('sleep takes seconds and waits at least that long', async () => {
    const start = performance.now();
    expect(await lines('let t0 = time_ms()\nsleep(0.2)\nlog(time_ms() - t0 >= 190)')).toEqual(['true']);
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    expect((await failure('sleep(-1)')).message).toBe('t.sn:1:1: sleep(): seconds must be 0 or more, got -1');
    expect((await failure('sleep("1")')).message).toBe(
      't.sn:1:1: sleep(): the first argument must be a number, got string',
    );
  });
});

describe('assert and the list of builtins', () => {
  it('assert fails with its message', async () => {
    expect((await failure('assert(1 == 2, "math is broken")')).message).toBe(
      't.sn:1:1: assertion failed: math is broken',
    );
  });

  it('includes every builtin the brief and the examples name', () => {
    for (const name of [
      'log',
      'print',
      'str',
      'len',
      'push',
      'pop',
      'range',
      'sleep',
      'keys',
      'has_key',
      'typeof',
    ]) {
      expect(BUILTIN_NAMES).toContain(name);
    }
    for (const name of [
      'json_encode',
      'json_decode',
      'time',
      'upper',
      'lower',
      'split',
      'join',
      'contains',
    ]) {
      expect(BUILTIN_NAMES).toContain(name);
    }
    for (const name of ['starts_with', 'ends_with', 'replace', 'trim', 'substr', 'int', 'float', 'round']) {
      expect(BUILTIN_NAMES).toContain(name);
    }
    for (const name of ['floor', 'ceil', 'abs', 'min', 'max', 'sqrt']) expect(BUILTIN_NAMES).toContain(name);
  });
});
