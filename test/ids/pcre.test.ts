/**
 * PCRE -> JS translation. Expected results are PCRE's documented semantics (pcrepattern(3)):
 * atomic groups and possessive quantifiers never give back what they matched, \R is an atomic
 * newline sequence, `$` matches before a final newline, and so on.
 */
import { describe, expect, it } from 'vitest';
import { regexSubject } from '../../src/ids/match/buffers.js';
import { PcreUnsupported, splitPcreValue, translatePcre } from '../../src/ids/rules/pcre.js';

function test(pattern: string, opts: string, subject: string | Uint8Array): boolean {
  const t = translatePcre(pattern, opts);
  const re = new RegExp(t.source, t.flags);
  const s =
    typeof subject === 'string' ? regexSubject(Buffer.from(subject, 'latin1')) : regexSubject(subject);
  re.lastIndex = 0;
  return re.test(s);
}

describe('pcre translation', () => {
  it('atomic groups and possessive quantifiers do not backtrack', () => {
    expect(test('(?>a+)ab', '', 'aaab')).toBe(false);
    expect(test('(?>a+)b', '', 'aaab')).toBe(true);
    expect(test('a++a', '', 'aaaa')).toBe(false);
    expect(test('a++b', '', 'aaab')).toBe(true);
    expect(test('(?:ab)*+c', '', 'ababc')).toBe(true);
    expect(test('x(?>a|ab)c', '', 'xabc')).toBe(false);
    expect(test('\\R\\n', '', '\r\n')).toBe(false);
    expect(test('a\\Rb', '', 'a\r\nb')).toBe(true);
  });

  it('escapes, classes and flags', () => {
    expect(test('\\Qa.b\\E', '', 'a.b')).toBe(true);
    expect(test('\\Qa.b\\E', '', 'axb')).toBe(false);
    expect(test('\\x{41}\\101\\x4', '', 'AA\x04')).toBe(true);
    expect(test('[[:digit:]]{3}', '', 'ab123')).toBe(true);
    expect(test('a b # comment\n c', 'x', 'abc')).toBe(true);
    expect(test('^b', 'm', 'a\nb')).toBe(true);
    expect(test('^b', '', 'a\nb')).toBe(false);
    expect(test('a$', 'm', 'a\nb')).toBe(true);
    expect(test('b', 'A', 'ab')).toBe(false);
    expect(test('(?i)ABC', '', 'xabc')).toBe(true);
    expect(test('\\h', '', Buffer.from([0xa0]))).toBe(true);
    expect(test('[^\\x00-\\x7f]', '', Buffer.from([0x41, 0x80]))).toBe(true);
    expect(test('[\\x80-\\xff]{2}', '', Buffer.from([0xfe, 0x80]))).toBe(true);
    expect(test('\\xc9', 'i', Buffer.from([0xe9]))).toBe(false);
  });

  it('G inverts greediness', () => {
    const t = translatePcre('a.*b', 'G');
    const m = new RegExp(t.source, t.flags).exec('a1b2b');
    expect(m?.[0]).toBe('a1b');
  });

  it('reports what has no faithful translation', () => {
    for (const p of ['(?R)', '(a)(?(1)b|c)', '\\Ga', '(*SKIP)a', '\\p{L}', 'a(?i)b', '(a)\\1++']) {
      expect(() => translatePcre(p, ''), p).toThrow(PcreUnsupported);
    }
    expect(() => translatePcre('a\\y', '')).toThrow(SyntaxError);
    expect(() => translatePcre('(a', '')).toThrow(SyntaxError);
  });

  it('splits the keyword value', () => {
    expect(splitPcreValue('"/a\\/b/Ui"')).toEqual({ negated: false, pattern: 'a\\/b', flags: 'Ui' });
    expect(splitPcreValue('!"/x/"')).toEqual({ negated: true, pattern: 'x', flags: '' });
    expect(splitPcreValue('"/(?P<flow_x>.*)/, flow:x"')).toBe('capture');
    expect(typeof splitPcreValue('"abc"')).toBe('string');
  });
});
