/** Tokens of the Sentra language, as the lexer produces them and the parser reads them. */

export type TokenKind = 'num' | 'str' | 'ident' | 'kw' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text for ident/kw/op; the decoded value for strings; the literal text for numbers. */
  readonly text: string;
  /** Numeric value of a `num` token. */
  readonly num: number;
  /** 1-based line and column of the first character. */
  readonly line: number;
  readonly col: number;
  /** Offset of the first character and one past the last. */
  readonly start: number;
  readonly end: number;
  /**
   * True when a line break separates this token from the previous one. Statements end at line
   * breaks, so the parser needs to know, but newlines are not tokens of their own: that keeps
   * expressions inside brackets free to span lines.
   */
  readonly nl: boolean;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'let',
  'var',
  'const',
  'fn',
  'return',
  'if',
  'else',
  'while',
  'for',
  'in',
  'break',
  'continue',
  'try',
  'catch',
  'finally',
  'throw',
  'true',
  'false',
  'null',
  'nil',
  'and',
  'or',
  'not',
]);

/** Operators and punctuation, longest first so the lexer can match greedily. */
export const OPERATORS: readonly string[] = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '=>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '++',
  '--',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '=',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
  '?',
];

/** How a token is named in "expected X, found Y" messages. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'num':
      return `number ${t.text}`;
    case 'str':
      return `string ${JSON.stringify(t.text.length > 30 ? t.text.slice(0, 27) + '...' : t.text)}`;
    case 'ident':
      return `name '${t.text}'`;
    case 'kw':
      return `keyword '${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}
