/**
 * Translates PCRE patterns (8-bit, non-UTF, C locale: what Suricata compiles) into JS RegExps
 * with the same meaning on latin1 strings (one char per byte), or says why it cannot.
 *
 * Differences handled: `.` excludes only \n (JS also excludes \r); `$` also matches before a
 * final newline; `\s` is exactly [\t\n\v\f\r ] (JS adds \xa0); `\h \v \R \N \A \Z \z \e \Q..\E
 * \x{..}` and octal escapes; flags m (emulated with lookarounds, JS's own m also breaks at \r),
 * s, x (stripped while translating), A (anchor), E (dollar end-only), G (ungreedy: greediness
 * inverted); atomic groups and possessive quantifiers are emulated with `(?=(X))\N` when the
 * pattern has no back-references (renumbering them would be needed otherwise).
 *
 * Subjects are built by {@link pcreSubject}: bytes below 0x80 as themselves, bytes 0x80-0xff
 * moved to a block without case mappings, so that /i folds ASCII letters only, as PCRE does.
 *
 * Refused (reported as unsupported): recursion and subroutine calls, conditionals, backtracking
 * verbs, \G, \K, \X, \C, \p / \P, inline option changes other than a leading `(?flags)`.
 */

export interface PcreTranslation {
  /** JS source and flags; the flags always include `g` (so lastIndex sets the start). */
  source: string;
  flags: string;
}

export class PcreUnsupported extends Error {}

/**
 * Bytes 0x80-0xff are matched as U+2880-U+28FF (see {@link pcreSubject}): that block has no
 * case mapping, so JS's /i folds exactly the ASCII letters, like PCRE's C locale, and
 * back-references under /i compare the same way.
 */
export const HIGH_BASE = 0x2800;

/** JS escape for byte `code` as it appears in a {@link pcreSubject} string. */
function cu(code: number): string {
  if (code >= 0x80) return '\\u' + (HIGH_BASE + code).toString(16);
  return '\\x' + code.toString(16).padStart(2, '0');
}

/** A class range over bytes, split where it crosses from ASCII to the mapped high block. */
function classRange(lo: number, hi: number): string {
  if (hi < 0x80 || lo >= 0x80) return cu(lo) + '-' + cu(hi);
  return cu(lo) + '-\\x7f' + cu(0x80) + '-' + cu(hi);
}

const SPACE_CLASS = '\\t\\n\\x0b\\f\\r ';
const NOT_SPACE_RANGES = '\\x00-\\x08\\x0e-\\x1f!-\\x7f\\u2880-\\u28ff';
const VSPACE = '\\n\\x0b\\f\\r\\u2885';
const HSPACE = '\\t \\u28a0';

interface Frame {
  /** Index in `out` where the group's text starts (its opening paren). */
  start: number;
  atomic: boolean;
}

/**
 * Translates `pattern` with PCRE option letters `opts` (subset of i s m x A E G). Throws
 * PcreUnsupported with the reason when no faithful translation exists, or SyntaxError when the
 * result is not a valid JS regex.
 */
export function translatePcre(pattern: string, opts: string): PcreTranslation {
  let caseless = opts.includes('i');
  let dotall = opts.includes('s');
  let multiline = opts.includes('m');
  let extended = opts.includes('x');
  const anchored = opts.includes('A');
  const dollarEndOnly = opts.includes('E');
  const ungreedy = opts.includes('G');
  let p = pattern;
  // a leading (?flags) is common; apply it globally
  const lead = /^\(\?([imsx]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'i') caseless = true;
      if (f === 's') dotall = true;
      if (f === 'm') multiline = true;
      if (f === 'x') extended = true;
    }
    p = p.slice(lead[0].length);
  }
  const hasBackref = /\\(?:[1-9]|k[<{']|g\{?-?\d)|\(\?P=/.test(p);
  const out: string[] = [];
  const frames: Frame[] = [];
  let atomStart = -1;
  let atomicCount = 0;
  const hex2 = cu;
  const literal = (code: number): string => {
    if (code > 0xff) throw new PcreUnsupported('character above \\xff in a non-UTF pattern');
    const ch = String.fromCharCode(code);
    if (/[\\^$.|?*+()[\]{}/]/.test(ch)) return '\\' + ch;
    if (code < 0x20 || code >= 0x7f) return cu(code);
    return ch;
  };
  let i = 0;
  const n = p.length;

  /** Parses an escape at p[i] === '\\' (outside a class); returns the JS text and advances i. */
  const readEscape = (inClass: boolean): { text: string; code: number } => {
    const c = p[i + 1];
    if (c === undefined) throw new SyntaxError('pattern ends with a backslash');
    i += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return { text: '\\' + c, code: -1 };
      case 'b':
        return inClass ? { text: '\\x08', code: 8 } : { text: '\\b', code: -1 };
      case 'B':
        if (inClass) throw new PcreUnsupported('\\B inside a character class');
        return { text: '\\B', code: -1 };
      case 's':
        return { text: inClass ? SPACE_CLASS : `[${SPACE_CLASS}]`, code: -1 };
      case 'S':
        return { text: inClass ? NOT_SPACE_RANGES : `[^${SPACE_CLASS}]`, code: -1 };
      case 'h':
        return { text: inClass ? HSPACE : `[${HSPACE}]`, code: -1 };
      case 'H':
        if (inClass) throw new PcreUnsupported('\\H inside a character class');
        return { text: `[^${HSPACE}]`, code: -1 };
      case 'v':
        return { text: inClass ? VSPACE : `[${VSPACE}]`, code: -1 };
      case 'V':
        if (inClass) throw new PcreUnsupported('\\V inside a character class');
        return { text: `[^${VSPACE}]`, code: -1 };
      case 'N':
        if (inClass) throw new PcreUnsupported('\\N inside a character class');
        return { text: '[^\\n]', code: -1 };
      case 'R':
        if (inClass) throw new PcreUnsupported('\\R inside a character class');
        if (hasBackref) throw new PcreUnsupported('\\R with back-references');
        atomicCount++;
        return { text: `(?:(?=(\\r\\n|[${VSPACE}]))\uE000)`, code: -1 };
      case 'A':
        return { text: '^', code: -1 };
      case 'Z':
        return { text: '(?=\\n?$)', code: -1 };
      case 'z':
        return { text: '$', code: -1 };
      case 'e':
        return { text: '\\x1b', code: 0x1b };
      case 'a':
        return { text: '\\x07', code: 7 };
      case 'f':
        return { text: '\\f', code: 12 };
      case 'n':
        return { text: '\\n', code: 10 };
      case 'r':
        return { text: '\\r', code: 13 };
      case 't':
        return { text: '\\t', code: 9 };
      case 'c': {
        const x = p[i];
        if (x === undefined) throw new SyntaxError('\\c at end of pattern');
        i++;
        const code = x.toUpperCase().charCodeAt(0) ^ 0x40;
        return { text: hex2(code), code };
      }
      case 'x': {
        if (p[i] === '{') {
          const close = p.indexOf('}', i);
          if (close < 0) throw new SyntaxError('unterminated \\x{');
          const v = Number.parseInt(p.slice(i + 1, close), 16);
          i = close + 1;
          if (!Number.isFinite(v) || v > 0xff) throw new PcreUnsupported('\\x{...} above \\xff');
          return { text: literal(v), code: v };
        }
        let h = '';
        while (h.length < 2 && /[0-9a-fA-F]/.test(p[i] ?? '')) h += p[i++];
        const v = h === '' ? 0 : Number.parseInt(h, 16);
        return { text: literal(v), code: v };
      }
      case '0': {
        let o = '';
        while (o.length < 2 && /[0-7]/.test(p[i] ?? '')) o += p[i++];
        const v = o === '' ? 0 : Number.parseInt(o, 8);
        return { text: literal(v), code: v };
      }
      case 'Q': {
        const end = p.indexOf('\\E', i);
        const lit = end < 0 ? p.slice(i) : p.slice(i, end);
        i = end < 0 ? n : end + 2;
        let t = '';
        for (const ch of lit) t += literal(ch.charCodeAt(0));
        return { text: inClass ? t : `(?:${t})`, code: -1 };
      }
      case 'E':
        return { text: '', code: -1 };
      case 'G':
      case 'K':
      case 'X':
      case 'C':
      case 'p':
      case 'P':
      case 'g':
      case 'k':
        if (c === 'k' && !inClass && p[i] === '<') {
          const close = p.indexOf('>', i);
          const name = p.slice(i + 1, close);
          i = close + 1;
          return { text: `\\k<${name}>`, code: -1 };
        }
        throw new PcreUnsupported(`\\${c} has no JS equivalent`);
      default:
        if (c >= '1' && c <= '9') {
          if (inClass) {
            // octal inside a class
            let o = c;
            while (o.length < 3 && /[0-7]/.test(p[i] ?? '')) o += p[i++];
            const v = Number.parseInt(o, 8);
            return { text: literal(v), code: v };
          }
          let num = c;
          while (/[0-9]/.test(p[i] ?? '')) num += p[i++];
          return { text: '\\' + num, code: -1 };
        }
        if (/[a-zA-Z]/.test(c)) throw new SyntaxError(`unrecognized escape \\${c}`);
        return { text: literal(c.charCodeAt(0)), code: c.charCodeAt(0) };
    }
  };

  const readClass = (): string => {
    // p[i] === '['
    let t = '[';
    i++;
    if (p[i] === '^') {
      t += '^';
      i++;
    }
    // a leading ] is a literal
    if (p[i] === ']') {
      t += '\\]';
      i++;
    }
    let prev = -1;
    while (i < n && p[i] !== ']') {
      if (p.startsWith('[:', i)) {
        const close = p.indexOf(':]', i);
        if (close < 0) throw new SyntaxError('unterminated POSIX class');
        t += posixClass(p.slice(i + 2, close));
        i = close + 2;
        prev = -1;
        continue;
      }
      let code: number;
      let text: string;
      if (p[i] === '\\') {
        const e = readEscape(true);
        code = e.code;
        text = e.text;
      } else {
        code = p.charCodeAt(i);
        text = literal(code);
        i++;
      }
      if (text === '-' || (code === 0x2d && text === '\\-')) text = '\\-';
      if (p[i] === '-' && p[i + 1] !== ']' && code >= 0) {
        // a range
        i++;
        let hi: number;
        if (p[i] === '\\') {
          const e = readEscape(true);
          if (e.code < 0) throw new PcreUnsupported('class range ending in a class escape');
          hi = e.code;
        } else {
          hi = p.charCodeAt(i);
          i++;
        }
        if (hi < code) throw new SyntaxError('class range out of order');
        t += classRange(code, Math.min(hi, 0xff));
        prev = -1;
        continue;
      }
      t += text;
      prev = code;
    }
    if (i >= n) throw new SyntaxError('unterminated character class');
    void prev;
    i++;
    return t + ']';
  };

  while (i < n) {
    const c = p[i];
    if (extended) {
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === '#') {
        while (i < n && p[i] !== '\n') i++;
        continue;
      }
    }
    if (c === '\\') {
      atomStart = out.length;
      out.push(readEscape(false).text);
      continue;
    }
    if (c === '[') {
      atomStart = out.length;
      out.push(readClass());
      continue;
    }
    if (c === '(') {
      if (p.startsWith('(?#', i)) {
        const close = p.indexOf(')', i);
        if (close < 0) throw new SyntaxError('unterminated comment');
        i = close + 1;
        continue;
      }
      if (p[i + 1] === '*') throw new PcreUnsupported('backtracking control verbs');
      let open = '(';
      let atomic = false;
      if (p[i + 1] === '?') {
        const rest = p.slice(i + 2);
        const named = /^(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest);
        const namedRef = /^P=([A-Za-z_]\w*)\)/.exec(rest);
        const inline = /^([imsxJU-]+)(\)|:)/.exec(rest);
        if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!')) {
          open = '(?' + rest[0];
          i += 3;
        } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
          open = '(?' + rest.slice(0, 2);
          i += 4;
        } else if (rest.startsWith('>')) {
          if (hasBackref) throw new PcreUnsupported('atomic group with back-references');
          atomic = true;
          open = '(?:';
          i += 3;
        } else if (named) {
          open = `(?<${named[1] ?? named[2]}>`;
          i += 2 + named[0].length;
        } else if (namedRef) {
          atomStart = out.length;
          out.push(`\\k<${namedRef[1]}>`);
          i += 2 + namedRef[0].length;
          continue;
        } else if (inline) {
          const m = inline;
          // inline options: only a no-op change is translatable
          const on = m[1].split('-')[0];
          const off = m[1].split('-')[1] ?? '';
          const same =
            [...on].every((f) =>
              f === 'i'
                ? caseless
                : f === 's'
                  ? dotall
                  : f === 'm'
                    ? multiline
                    : f === 'x'
                      ? extended
                      : false,
            ) &&
            [...off].every((f) =>
              f === 'i'
                ? !caseless
                : f === 's'
                  ? !dotall
                  : f === 'm'
                    ? !multiline
                    : f === 'x'
                      ? !extended
                      : false,
            );
          if (!same) throw new PcreUnsupported(`inline option (?${m[1]}) inside the pattern`);
          if (m[2] === ')') {
            i += 2 + m[0].length;
            continue;
          }
          open = '(?:';
          i += 2 + m[0].length;
        } else if (rest.startsWith('(')) {
          throw new PcreUnsupported('conditional group');
        } else if (rest.startsWith('|')) {
          throw new PcreUnsupported('branch reset group');
        } else {
          throw new PcreUnsupported(`group "(?${rest.slice(0, 3)}" (recursion or subroutine call)`);
        }
      } else {
        i++;
      }
      frames.push({ start: out.length, atomic });
      out.push(open);
      continue;
    }
    if (c === ')') {
      const f = frames.pop();
      if (!f) throw new SyntaxError('unmatched ")"');
      i++;
      if (f.atomic) {
        const inner = out.splice(f.start).join('').slice(3); // drop "(?:"
        atomicCount++;
        out.push(`(?:(?=(${inner}))\uE000)`);
      } else out.push(')');
      atomStart = f.start;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(p.slice(i)))) {
      let q = c;
      if (c === '{') {
        const m = /^\{\d+(,\d*)?\}/.exec(p.slice(i))!;
        q = m[0];
      }
      i += q.length;
      if (atomStart < 0) throw new SyntaxError('quantifier without anything to repeat');
      let lazy = false;
      let possessive = false;
      if (p[i] === '?') {
        lazy = true;
        i++;
      } else if (p[i] === '+') {
        possessive = true;
        i++;
      }
      if (ungreedy && !possessive) lazy = !lazy;
      if (possessive) {
        if (hasBackref) throw new PcreUnsupported('possessive quantifier with back-references');
        const atom = out.splice(atomStart).join('');
        atomicCount++;
        out.push(`(?:(?=(${atom}${q}))\uE000)`);
      } else out.push(q + (lazy ? '?' : ''));
      atomStart = -1;
      continue;
    }
    atomStart = out.length;
    if (c === '.') {
      out.push(dotall ? '[\\s\\S]' : '[^\\n]');
      i++;
      continue;
    }
    if (c === '^') {
      out.push(multiline ? '(?<![^\\n])' : '^');
      atomStart = -1;
      i++;
      continue;
    }
    if (c === '$') {
      out.push(multiline ? '(?=\\n|$)' : dollarEndOnly ? '$' : '(?=\\n?$)');
      atomStart = -1;
      i++;
      continue;
    }
    if (c === '|') {
      out.push('|');
      atomStart = -1;
      i++;
      continue;
    }
    const code = p.charCodeAt(i);
    out.push(c === '/' ? '\\/' : c === '{' || c === '}' || c === ']' ? '\\' + c : literal(code));
    i++;
  }
  if (frames.length) throw new SyntaxError('unterminated group');
  let source = out.join('');
  if (atomicCount > 0) source = numberAtomicRefs(source);
  if (anchored) source = `^(?:${source})`;
  const flags = 'g' + (caseless ? 'i' : '');
  // validate
  new RegExp(source, flags);
  return { source, flags };
}

/** Replaces each \uE000 placeholder with a back-reference to the capture group opened just before its lookahead. */
function numberAtomicRefs(src: string): string {
  let groups = 0;
  let inClass = false;
  const stack: number[] = [];
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      out += c + src[i + 1];
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === '(') {
      const capturing =
        src[i + 1] !== '?' || (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!');
      if (capturing) groups++;
      // the emulation's capture group directly follows "(?="
      if (src.startsWith('(?=(', i)) stack.push(groups + 1);
      out += c;
      continue;
    }
    if (c === '\uE000') {
      const g = stack.pop();
      out += '\\' + g;
      continue;
    }
    out += c;
  }
  return out;
}

function posixClass(name: string): string {
  const neg = name.startsWith('^');
  if (neg) throw new PcreUnsupported('negated POSIX class');
  switch (name) {
    case 'alpha':
      return 'a-zA-Z';
    case 'digit':
      return '0-9';
    case 'alnum':
      return 'a-zA-Z0-9';
    case 'upper':
      return 'A-Z';
    case 'lower':
      return 'a-z';
    case 'space':
      return SPACE_CLASS;
    case 'blank':
      return ' \\t';
    case 'punct':
      return '!-\\/:-@\\[-`{-~';
    case 'xdigit':
      return '0-9a-fA-F';
    case 'word':
      return '\\w';
    case 'cntrl':
      return '\\x00-\\x1f\\x7f';
    case 'print':
      return ' -~';
    case 'graph':
      return '!-~';
    case 'ascii':
      return '\\x00-\\x7f';
    default:
      throw new SyntaxError(`unknown POSIX class [:${name}:]`);
  }
}

/** A pcre keyword value split into its parts. */
export interface PcreKeyword {
  negated: boolean;
  pattern: string;
  flags: string;
}

/** Splits `"/regex/flags"` (quotes and `!` optional). */
export function splitPcreValue(value: string): PcreKeyword | string {
  let v = value.trim();
  let negated = false;
  if (v.startsWith('!')) {
    negated = true;
    v = v.slice(1).trim();
  }
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
  if (v.startsWith('!')) {
    negated = true;
    v = v.slice(1);
  }
  if (!v.startsWith('/')) return 'pcre must look like "/regex/flags"';
  let end = -1;
  for (let k = v.length - 1; k > 0; k--) {
    if (v[k] === '/') {
      let bs = 0;
      for (let j = k - 1; j >= 0 && v[j] === '\\'; j--) bs++;
      if (bs % 2 === 0) {
        end = k;
        break;
      }
    }
  }
  if (end <= 0) return 'pcre has no closing "/"';
  const flags = v.slice(end + 1);
  if (/^[A-Za-z]*\s*,/.test(flags)) return 'capture';
  if (!/^[A-Za-z]*$/.test(flags)) return `invalid pcre flags "${flags}"`;
  return { negated, pattern: v.slice(1, end), flags };
}

export { regexSubject as pcreSubject } from '../match/buffers.js';
