import { describe, expect, it } from 'vitest';
import { failure, lines, value } from './run-helpers.js';

describe('arithmetic', () => {
  it.each([
    ['1 + 2', 3],
    ['10 - 4', 6],
    ['6 * 7', 42],
    ['10 / 4', 2.5], // `/` is float division
    ['7 / 7', 1],
    ['7 % 3', 1],
    ['-7 % 3', -1], // remainder takes the sign of the dividend, as in C and JavaScript
    ['2 + 3 * 4 - 6 / 2', 11],
    ['(2 + 3) * 4', 20],
    ['-3 + +5', 2],
    ['- -3', 3],
    ['0.1 + 0.2', 0.1 + 0.2],
    ['1e3 + 0x10', 1016],
  ])('%s = %s', async (src, want) => {
    expect(await value(src)).toBe(want);
  });

  it('division by zero gives Infinity or NaN, not an error', async () => {
    expect(await value('1 / 0')).toBe(Number.POSITIVE_INFINITY);
    expect(await value('-1 / 0')).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(await value('0 / 0'))).toBe(true);
  });

  it('rejects arithmetic on non-numbers with the types in the message', async () => {
    expect((await failure('let x = 5 - "a"')).message).toBe('t.sn:1:11: cannot subtract string from number');
    expect((await failure('let x = null * 2')).message).toBe('t.sn:1:14: cannot multiply null by number');
    expect((await failure('let x = [1] / 2')).message).toBe('t.sn:1:13: cannot divide array by number');
    expect((await failure('let x = {} % 2')).message).toBe(
      't.sn:1:12: cannot take the remainder of map by number',
    );
    expect((await failure('let x = -"a"')).message).toBe(
      "t.sn:1:9: cannot apply unary '-' to string (it takes a number)",
    );
  });
});

describe('+ with strings, arrays', () => {
  it.each([
    ['"a" + "b"', 'ab'],
    ['"n=" + 5', 'n=5'],
    ['5 + "=n"', '5=n'],
    ['"x" + 1.5', 'x1.5'],
    ['"v: " + true', 'v: true'],
    ['"v: " + null', 'v: null'],
    ['"v: " + [1, "a"]', 'v: [1, "a"]'],
    ['"v: " + {"k": 1}', 'v: {"k": 1}'],
    ['1 + 2 + "3"', '33'],
    ['"1" + 2 + 3', '123'],
  ])('%s = %j', async (src, want) => {
    expect(await value(src)).toBe(want);
  });

  it('concatenates two arrays into a new one', async () => {
    expect(await value('[1, 2] + [3]')).toEqual([1, 2, 3]);
  });

  it('refuses + of number and map', async () => {
    expect((await failure('let x = 1 + {}')).message).toBe(
      "t.sn:1:11: cannot add number and map ('+' takes two numbers, two arrays, or a string and any value)",
    );
  });
});

describe('* repeats strings', () => {
  it('"="*60 and 3*"ab"', async () => {
    expect(await value('"=" * 60')).toBe('='.repeat(60));
    expect(await value('3 * "ab"')).toBe('ababab');
    expect(await value('"x" * 0')).toBe('');
  });
  it('refuses a negative or fractional count', async () => {
    expect((await failure('let s = "a" * 1.5')).message).toMatch(
      /^t\.sn:1:13: cannot repeat a string 1\.5 times: the count must be a whole number from 0/,
    );
    expect((await failure('let s = "a" * -1')).message).toMatch(/cannot repeat a string -1 times/);
  });
});

describe('comparison and equality', () => {
  it.each([
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 4', false],
    ['4 >= 5', false],
    ['"abc" < "abd"', true],
    ['"b" > "a"', true],
    ['1 == 1', true],
    ['1 == "1"', false],
    ['"a" != "b"', true],
    ['null == nil', true],
    ['null == false', false],
    ['0 == false', false],
    ['[1, [2, 3]] == [1, [2, 3]]', true],
    ['[1, 2] == [2, 1]', false],
    ['{"a": 1, "b": [2]} == {"b": [2], "a": 1}', true],
    ['{"a": 1} == {"a": 1, "b": 2}', false],
    ['{"a": null} == {"b": null}', false],
  ])('%s is %s', async (src, want) => {
    expect(await value(src)).toBe(want);
  });

  it('NaN is not equal to itself', async () => {
    expect(await value('0/0 == 0/0')).toBe(false);
  });

  it('refuses to order values of different types', async () => {
    expect((await failure('let b = 1 < "2"')).message).toBe(
      "t.sn:1:11: cannot compare number with string using '<' (only two numbers or two strings)",
    );
    expect((await failure('let b = null >= 0')).message).toBe(
      "t.sn:1:14: cannot compare null with number using '>=' (only two numbers or two strings)",
    );
  });
});

describe('in', () => {
  it.each([
    ['2 in [1, 2, 3]', true],
    ['[2] in [[1], [2]]', true],
    ['"k" in {"k": null}', true],
    ['"z" in {"k": 1}', false],
    ['"ell" in "hello"', true],
    ['"x" in "hello"', false],
  ])('%s is %s', async (src, want) => {
    expect(await value(src)).toBe(want);
  });
});

describe('truthiness', () => {
  it.each([
    ['false', false],
    ['null', false],
    ['0', false],
    ['0/0', false],
    ['""', false],
    ['[]', false],
    ['{}', false],
    ['true', true],
    ['1', true],
    ['-1', true],
    ['"0"', true],
    ['" "', true],
    ['[0]', true],
    ['{"a": null}', true],
    ['fn() { }', true],
  ])('%s is %s', async (src, want) => {
    expect(await value(`bool(${src})`)).toBe(want);
    expect(
      await lines(`if ${src.startsWith('{') ? `(${src})` : src} { log("yes") } else { log("no") }`),
    ).toEqual([want ? 'yes' : 'no']);
  });
});

describe('logical operators', () => {
  it('and/or return the deciding operand; && and || are the same', async () => {
    expect(await value('null or "default"')).toBe('default');
    expect(await value('"set" or "default"')).toBe('set');
    expect(await value('0 and 5')).toBe(0);
    expect(await value('1 and 5')).toBe(5);
    expect(await value('null || "d"')).toBe('d');
    expect(await value('1 && 0')).toBe(0);
  });
  it('not and ! give booleans', async () => {
    expect(await value('not 0')).toBe(true);
    expect(await value('!"x"')).toBe(false);
  });
  it('short-circuit: the right side is not evaluated when the left decides', async () => {
    expect(
      await lines(
        'fn boom() { log("evaluated"); return true }\nlet a = false and boom()\nlet b = true or boom()\nlog(a, b)',
      ),
    ).toEqual(['false true']);
  });
});

describe('conditional expression', () => {
  it('a ? b : c evaluates only the chosen branch', async () => {
    expect(await value('1 < 2 ? "yes" : "no"')).toBe('yes');
    expect(await lines('fn f(x) { log(x); return x }\nlet v = false ? f(1) : f(2)\nlog(v)')).toEqual([
      '2',
      '2',
    ]);
  });
});

describe('str() and number printing', () => {
  it.each([
    ['str(3)', '3'],
    ['str(3.0)', '3'],
    ['str(1.5)', '1.5'],
    ['str(10 / 4)', '2.5'],
    ['str(1 / 3)', '0.3333333333333333'],
    ['str(-0)', '0'],
    ['str(1e21)', '1e+21'],
    ['str(0/0)', 'NaN'],
    ['str(1/0)', 'Infinity'],
    ['str(true)', 'true'],
    ['str(null)', 'null'],
    ['str("s")', 's'],
    ['str(["s", 1, null])', '["s", 1, null]'],
    ['str({"k": "v", "n": [1]})', '{"k": "v", "n": [1]}'],
    ['str(fn named() { })', '<fn named>'],
    ['str(len)', '<builtin len>'],
  ])('%s = %j', async (src, want) => {
    expect(await value(src)).toBe(want);
  });
});
