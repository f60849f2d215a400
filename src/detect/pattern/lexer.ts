/**
 * Tokens of the custom rule pattern language (docs/detect.md, "Custom rules"): words (letters,
 * digits and `_ . - : /`, so that `user-agent`, `http.method`, `10.0.0.0/8` and `fd77::3` are
 * one word), quoted strings, numbers, comparison operators and brackets. Every token keeps its
 * offset in the pattern so that errors can point at it.
 */
import { ErrorCodes, SentraError } from '../../errors.js';

export type TokKind = 'word' | 'string' | 'number' | 'op' | 'punct' | 'end';

export interface Token {
  kind: TokKind;
  /** Text as written (strings: without quotes, escapes resolved). */
  text: string;
  /** Offset of the token's first character in the pattern. */
  pos: number;
}

/** A syntax error of a pattern: where, what was expected, what was found. */
export function patternError(pattern: string, pos: number, expected: string, found: string): SentraError {
  const shown = found === '' ? 'the end of the pattern' : `'${found}'`;
  const caret = `${pattern}\n${' '.repeat(Math.min(pos, pattern.length))}^`;
  return new SentraError(
    ErrorCodes.RULE_SYNTAX,
    `pattern error at column ${pos + 1}: expected ${expected}, found ${shown}\n${caret}`,
    { details: { pattern, position: pos, column: pos + 1, expected, found } },
  );
}

const WORD = /[A-Za-z0-9_.:/\-*]/;

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        s += src[i++];
      }
      if (i >= src.length) throw patternError(src, start, `a closing ${c}`, '');
      i++;
      out.push({ kind: 'string', text: s, pos: start });
      continue;
    }
    if (c === '>' || c === '<' || c === '=' || c === '!') {
      const two = src.slice(i, i + 2);
      if (two === '>=' || two === '<=' || two === '==' || two === '!=') {
        out.push({ kind: 'op', text: two, pos: start });
        i += 2;
      } else if (c === '!') {
        throw patternError(src, start, "'!=' or a word", c);
      } else {
        out.push({ kind: 'op', text: c === '=' ? '==' : c, pos: start });
        i++;
      }
      continue;
    }
    if (c === '~') {
      out.push({ kind: 'op', text: '~', pos: start });
      i++;
      continue;
    }
    if (c === '[' || c === ']' || c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    if (WORD.test(c)) {
      while (i < src.length && WORD.test(src[i])) i++;
      const text = src.slice(start, i);
      out.push({ kind: /^\d+(\.\d+)?$/.test(text) ? 'number' : 'word', text, pos: start });
      continue;
    }
    throw patternError(src, start, 'a word, a quoted string, a number or an operator', c);
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}
