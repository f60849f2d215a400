import { describe, expect, it } from 'vitest';
import { SentraError } from '../../src/errors.js';
import { tokenize } from '../../src/lang/lexer.js';

const kinds = (src: string) =>
  tokenize(src, 't.sn').map((t) => `${t.kind}:${t.kind === 'num' ? t.num : t.text}`);

function lexError(src: string): SentraError {
  try {
    tokenize(src, 't.sn');
  } catch (e) {
    if (e instanceof SentraError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('lexer', () => {
  it('splits names, keywords, numbers, strings and operators', () => {
    expect(kinds('let x = fn(a) => a >= 10 && !b')).toEqual([
      'kw:let',
      'ident:x',
      'op:=',
      'kw:fn',
      'op:(',
      'ident:a',
      'op:)',
      'op:=>',
      'ident:a',
      'op:>=',
      'num:10',
      'op:&&',
      'op:!',
      'ident:b',
      'eof:',
    ]);
  });

  it('reads integers, decimals, exponents, hex and digit separators', () => {
    expect(kinds('0 42 1.5 .5 1e3 2.5E-2 0xff 1_000_000').slice(0, -1)).toEqual([
      'num:0',
      'num:42',
      'num:1.5',
      'num:0.5',
      'num:1000',
      'num:0.025',
      'num:255',
      'num:1000000',
    ]);
  });

  it('decodes every string escape, in both quote styles', () => {
    const [t] = tokenize(String.raw`"a\nb\tc\r\\\"\'\0\x41\u00e9\u{1F600}"`, 't.sn');
    expect(t.text).toBe('a\nb\tc\r\\"\'\0A\u00e9\u{1F600}');
    expect(tokenize(`'it"s'`, 't.sn')[0].text).toBe('it"s');
  });

  it('drops // and # line comments and /* */ block comments', () => {
    expect(kinds('a // one\n# two\nb /* three\nfour */ c')).toEqual([
      'ident:a',
      'ident:b',
      'ident:c',
      'eof:',
    ]);
  });

  it('marks tokens that start a new line, and records line and column', () => {
    const toks = tokenize('a\n  b c\n\nd', 't.sn');
    expect(toks.map((t) => [t.text, t.line, t.col, t.nl])).toEqual([
      ['a', 1, 1, false],
      ['b', 2, 3, true],
      ['c', 2, 5, false],
      ['d', 4, 1, true],
      ['', 4, 2, false],
    ]);
  });

  it('a line break inside a block comment still separates statements', () => {
    const toks = tokenize('a /*\n*/ b', 't.sn');
    expect(toks[1].nl).toBe(true);
  });

  it('reports an unterminated string at its opening quote', () => {
    const e = lexError('log("abc)\nx');
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_SYNTAX');
    expect(e.message).toBe(
      't.sn:1:5: syntax error: unterminated string: missing closing " before the end of the line',
    );
    expect(e.details.frame).toBe('1 | log("abc)\n  |     ^');
  });

  it('reports a bad escape with its position and the escapes it knows', () => {
    expect(lexError('"a\\qb"').message).toBe(
      `t.sn:1:3: syntax error: bad escape '\\q' in string (known: \\n \\t \\r \\0 \\\\ \\" \\' \\xHH \\uHHHH)`,
    );
  });

  it('reports an unexpected character with its code point', () => {
    expect(lexError('a = 1 @ 2').message).toBe("t.sn:1:7: syntax error: unexpected character '@' (U+0040)");
  });

  it('reports an unterminated block comment as incomplete input', () => {
    const e = lexError('a\n/* open');
    expect(e.message).toBe("t.sn:2:1: syntax error: unterminated comment: '/*' has no closing '*/'");
    expect(e.details.incomplete).toBe(true);
  });

  it('rejects a name glued to a number', () => {
    expect(lexError('x = 12abc').message).toBe(
      "t.sn:1:7: syntax error: unexpected 'a' right after the number 12",
    );
  });
});
