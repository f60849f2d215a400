/**
 * The tokenizer of pcap-filter(7) expressions, following libpcap's scanner.l: longest match
 * wins, and between matches of the same length the rule listed first in scanner.l wins. That
 * is why `tcp-syn` is a number, `1-1024` is one identifier (a port range), `10.0.0.1` is a
 * host id rather than an identifier, and `len-20` is an identifier (a syntax error later).
 */
import { KEYWORD_ALIASES, KEYWORDS, NAMED_NUMBERS } from './keywords.js';

/** Token kinds; keywords are their own kinds (`kw`) with the keyword text in `text`. */
export type TokenKind =
  | 'kw' // a keyword (text: the keyword; `&&`, `||`, `!` are `and`, `or`, `not`)
  | 'num' // a number (value)
  | 'id' // an identifier: a host name, port name, port range, `\escaped` word (text)
  | 'hid' // dotted IPv4, 2 to 4 parts (text)
  | 'hid6' // IPv6 address (text)
  | 'eid' // Ethernet MAC address (text)
  | 'aid' // ARCnet address `$xx` (text)
  | 'op' // punctuation and operators (text: `(`, `[`, `>=`, `<<`, ...; `==` is `=`)
  | 'error' // a character or word the scanner refuses (text, message)
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** For `num`: the value (unsigned 32-bit). */
  value: number;
  /** Offset of the first character in the expression (0-based). */
  pos: number;
  /** Offset just after the last character. */
  end: number;
  /** For `error` tokens: why the scanner refused it. */
  message?: string;
}

const TWO_CHAR_OPS = new Set(['>=', '<=', '!=', '==', '<<', '>>']);

const ONE_CHAR_OPS = '+-*/%:[]!<>()&|^=';

/** Which scanner.l rule matched, before it becomes a token kind. */
type Kind = TokenKind | 'kwlit' | 'named' | 'badmac' | 'andor' | 'punct' | 'op2';

// Regular expressions of scanner.l, anchored with the sticky flag at the scan position.
const RE_ID = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
const RE_ESCAPED = /\\[^ !()\n\t]+/y;
const RE_AID = /\$[0-9A-Fa-f][0-9A-Fa-f]?/y;
const B = '[0-9A-Fa-f][0-9A-Fa-f]?';
const B2 = '[0-9A-Fa-f]{4}';
const RE_MAC = new RegExp(
  `(?:${B}:${B}:${B}:${B}:${B}:${B}|${B}-${B}-${B}-${B}-${B}-${B}|${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}|${B2}\\.${B2}\\.${B2}|${B2}${B2}${B2})`,
  'y',
);
const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const RE_N = new RegExp(N, 'y');
const RE_HID = new RegExp(`${N}\\.${N}(?:\\.${N}(?:\\.${N})?)?`, 'y');
const RE_BAD_MAC = new RegExp(`${B}:+(?:${B}:+)+`, 'y');
const RE_V6_RUN = /[0-9A-Fa-f:.]+/y;

/** Longest match of a sticky regex at `pos`, 0 if none. Flex is greedy but also tries shorter
 * alternatives; JS alternation is ordered, so every pattern here lists longer forms first. */
function matchLen(re: RegExp, s: string, pos: number): number {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? m[0].length : 0;
}

/**
 * Whether `s` is one of scanner.l's IPv6 forms: 8 groups, or fewer with one `::`, the last two
 * groups optionally written as a dotted quad.
 */
function isV6Form(s: string): boolean {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const parts = (p: string): string[] | null => (p === '' ? [] : p.split(':'));
  const head = dbl >= 0 ? parts(s.slice(0, dbl)) : parts(s);
  const tail = dbl >= 0 ? parts(s.slice(dbl + 2)) : [];
  if (!head || !tail) return false;
  const groups = [...head, ...tail];
  let words = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (i === groups.length - 1 && g.includes('.')) {
      if (!/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(g)) return false;
      words += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      words += 1;
    } else {
      return false;
    }
  }
  return dbl >= 0 ? words <= 7 : words === 8;
}

function v6Len(s: string, pos: number): number {
  const run = matchLen(RE_V6_RUN, s, pos);
  if (run < 2 || !s.slice(pos, pos + run).includes(':')) return 0;
  for (let len = run; len >= 2; len--) {
    if (isV6Form(s.slice(pos, pos + len))) return len;
  }
  return 0;
}

/** Parses a scanner.l number: decimal, 0x hex or 0-prefixed octal, into an unsigned 32-bit value. */
function parseNumber(text: string): { value: number } | { error: string } {
  let value: number;
  if (/^0[xX]/.test(text)) {
    value = Number.parseInt(text.slice(2), 16);
  } else if (text.length > 1 && text[0] === '0') {
    if (/[89]/.test(text)) return { error: `number ${text} contains non-octal digit` };
    value = Number.parseInt(text.slice(1), 8);
  } else {
    value = Number.parseInt(text, 10);
  }
  if (!Number.isFinite(value) || value > 0xffffffff) return { error: `number ${text} overflows 32 bits` };
  return { value };
}

/** Splits an expression into tokens, the last one `eof`. Never throws: refusals are `error` tokens. */
export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = expr.length;
  while (i < n) {
    const c = expr[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    // every rule of scanner.l that can match here; the longest match wins, and on a tie the
    // rule listed first (this array is in scanner.l's order)
    const two = expr.slice(i, i + 2);
    const idLen = matchLen(RE_ID, expr, i);
    const word = expr.slice(i, i + idLen);
    const candidates: Array<[number, Kind]> = [
      [KEYWORDS.has(word) ? idLen : 0, 'kwlit'],
      [two === '&&' || two === '||' ? 2 : 0, 'andor'],
      [ONE_CHAR_OPS.includes(c) ? 1 : 0, 'punct'],
      [TWO_CHAR_OPS.has(two) ? 2 : 0, 'op2'],
      [matchLen(RE_AID, expr, i), 'aid'],
      [matchLen(RE_MAC, expr, i), 'eid'],
      [matchLen(RE_N, expr, i), 'num'],
      [matchLen(RE_HID, expr, i), 'hid'],
      [v6Len(expr, i), 'hid6'],
      [matchLen(RE_BAD_MAC, expr, i), 'badmac'],
      [Object.hasOwn(NAMED_NUMBERS, word) ? idLen : 0, 'named'],
      [idLen, 'id'],
      [matchLen(RE_ESCAPED, expr, i), 'id'],
    ];
    let best = 0;
    let kind: Kind = 'error';
    for (const [len, k] of candidates) {
      if (len > best) {
        best = len;
        kind = k;
      }
    }
    if (best === 0) {
      out.push({ ...tok('error', c, i, i + 1), message: `unexpected character ${JSON.stringify(c)}` });
      i++;
      continue;
    }
    const text = expr.slice(i, i + best);
    switch (kind) {
      case 'andor':
        out.push(tok('kw', text === '&&' ? 'and' : 'or', i, i + best));
        break;
      case 'punct':
        // `!` is `not`
        out.push(text === '!' ? tok('kw', 'not', i, i + 1) : tok('op', text, i, i + 1));
        break;
      case 'op2':
        out.push(tok('op', text === '==' ? '=' : text, i, i + best));
        break;
      case 'kwlit':
        out.push(tok('kw', KEYWORD_ALIASES[text] ?? text, i, i + best));
        break;
      case 'named':
        out.push({ ...tok('num', text, i, i + best), value: NAMED_NUMBERS[text] });
        break;
      case 'num': {
        const r = parseNumber(text);
        if ('error' in r) out.push({ ...tok('error', text, i, i + best), message: r.error });
        else out.push({ ...tok('num', text, i, i + best), value: r.value });
        break;
      }
      case 'badmac':
        out.push({ ...tok('error', text, i, i + best), message: `bogus ethernet address ${text}` });
        break;
      case 'id':
        // `\tcp`: the backslash only stops the word from being a keyword
        out.push(tok('id', text[0] === '\\' ? text.slice(1) : text, i, i + best));
        break;
      default:
        out.push(tok(kind as TokenKind, text, i, i + best));
    }
    i += best;
  }
  out.push(tok('eof', '', n, n));
  return out;
}

function tok(kind: TokenKind, text: string, pos: number, end: number): Token {
  return { kind, text, value: 0, pos, end };
}
