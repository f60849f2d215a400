/**
 * The Sentra lexer: source text to tokens. Comments (`//`, `#`, `/* *\/`) and whitespace are
 * dropped; line breaks are kept as the `nl` flag of the next token.
 */
import { scriptSyntaxError } from './script-error.js';
import { KEYWORDS, OPERATORS, type Token, type TokenKind } from './tokens.js';

const OPS_BY_FIRST = new Map<string, string[]>();
for (const op of OPERATORS) {
  const list = OPS_BY_FIRST.get(op[0]) ?? [];
  list.push(op);
  OPS_BY_FIRST.set(op[0], list);
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  '"': '"',
  "'": "'",
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Splits `source` into tokens, ending with one `eof` token. Throws SENTRA_ERR_SCRIPT_SYNTAX. */
export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = false;

  const fail: (
    at: number,
    atLine: number,
    atLineStart: number,
    reason: string,
    incomplete?: boolean,
  ) => never = (at, atLine, atLineStart, reason, incomplete = false) => {
    throw scriptSyntaxError({ file, source, line: atLine, col: at - atLineStart + 1, reason, incomplete });
  };
  const push = (kind: TokenKind, text: string, start: number, num = 0) => {
    tokens.push({ kind, text, num, line, col: start - lineStart + 1, start, end: i, nl });
    nl = false;
  };

  while (i < n) {
    const c = source.charCodeAt(i);
    // whitespace and line breaks
    if (c === 10) {
      i++;
      line++;
      lineStart = i;
      nl = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
      i++;
      continue;
    }
    // comments
    if (c === 35 || (c === 47 && source.charCodeAt(i + 1) === 47)) {
      while (i < n && source.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && source.charCodeAt(i + 1) === 42) {
      const startLine = line;
      const startLs = lineStart;
      const start = i;
      i += 2;
      while (i < n && !(source.charCodeAt(i) === 42 && source.charCodeAt(i + 1) === 47)) {
        if (source.charCodeAt(i) === 10) {
          line++;
          lineStart = i + 1;
          nl = true;
        }
        i++;
      }
      if (i >= n) fail(start, startLine, startLs, "unterminated comment: '/*' has no closing '*/'", true);
      i += 2;
      continue;
    }
    const start = i;
    // numbers
    if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(i + 1)))) {
      if (c === 48 && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
        i += 2;
        while (i < n && (isHexDigit(source.charCodeAt(i)) || source[i] === '_')) i++;
        const digits = source.slice(start + 2, i).replace(/_/g, '');
        if (digits.length === 0) fail(start, line, lineStart, "malformed number: '0x' needs hex digits");
        push('num', source.slice(start, i), start, Number.parseInt(digits, 16));
      } else {
        while (i < n && (isDigit(source.charCodeAt(i)) || source[i] === '_')) i++;
        if (source[i] === '.' && isDigit(source.charCodeAt(i + 1))) {
          i++;
          while (i < n && (isDigit(source.charCodeAt(i)) || source[i] === '_')) i++;
        }
        if (source[i] === 'e' || source[i] === 'E') {
          let j = i + 1;
          if (source[j] === '+' || source[j] === '-') j++;
          if (!isDigit(source.charCodeAt(j))) {
            fail(i, line, lineStart, 'malformed number: exponent needs digits');
          }
          i = j;
          while (i < n && isDigit(source.charCodeAt(i))) i++;
        }
        const text = source.slice(start, i);
        push('num', text, start, Number(text.replace(/_/g, '')));
      }
      if (i < n && isIdentStart(source.charCodeAt(i))) {
        fail(
          i,
          line,
          lineStart,
          `unexpected '${source[i]}' right after the number ${source.slice(start, i)}`,
        );
      }
      continue;
    }
    // names and keywords
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source.charCodeAt(i))) i++;
      const word = source.slice(start, i);
      push(KEYWORDS.has(word) ? 'kw' : 'ident', word, start);
      continue;
    }
    // strings
    if (c === 34 || c === 39) {
      const quote = source[i];
      i++;
      let value = '';
      let chunkStart = i;
      for (;;) {
        if (i >= n || source.charCodeAt(i) === 10) {
          fail(
            start,
            line,
            lineStart,
            `unterminated string: missing closing ${quote} before the end of the line`,
          );
        }
        const ch = source[i];
        if (ch === quote) break;
        if (ch !== '\\') {
          i++;
          continue;
        }
        value += source.slice(chunkStart, i);
        const esc = source[i + 1];
        if (esc !== undefined && esc in SIMPLE_ESCAPES) {
          value += SIMPLE_ESCAPES[esc];
          i += 2;
        } else if (esc === 'x') {
          const hex = source.slice(i + 2, i + 4);
          if (!/^[0-9a-fA-F]{2}$/.test(hex))
            fail(i, line, lineStart, "bad escape: '\\x' needs two hex digits");
          value += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
        } else if (esc === 'u' && source[i + 2] === '{') {
          const close = source.indexOf('}', i + 3);
          const hex = close < 0 ? '' : source.slice(i + 3, close);
          const cp = Number.parseInt(hex, 16);
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || cp > 0x10ffff) {
            fail(i, line, lineStart, "bad escape: '\\u{...}' needs 1 to 6 hex digits up to 10FFFF");
          }
          value += String.fromCodePoint(cp);
          i = close + 1;
        } else if (esc === 'u') {
          const hex = source.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            fail(i, line, lineStart, "bad escape: '\\u' needs four hex digits");
          value += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          const shown = esc === undefined || esc === '\n' ? 'end of line' : `'\\${esc}'`;
          fail(
            i,
            line,
            lineStart,
            `bad escape ${shown} in string (known: \\n \\t \\r \\0 \\\\ \\" \\' \\xHH \\uHHHH)`,
          );
        }
        chunkStart = i;
      }
      value += source.slice(chunkStart, i);
      i++;
      push('str', value, start);
      continue;
    }
    // operators and punctuation
    const candidates = OPS_BY_FIRST.get(source[i]);
    const op = candidates?.find((o) => source.startsWith(o, i));
    if (op !== undefined) {
      i += op.length;
      push('op', op, start);
      continue;
    }
    const cp = source.codePointAt(i) ?? c;
    fail(
      i,
      line,
      lineStart,
      `unexpected character '${String.fromCodePoint(cp)}' (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`,
    );
  }
  push('eof', '', n);
  return tokens;
}
