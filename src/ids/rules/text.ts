/**
 * Rule file text: splitting a file into rules (comments, disabled rules, backslash line
 * continuation) and a rule into header and options, the way Suricata reads them.
 */

/** One rule as found in a file. */
export interface RuleText {
  /** The rule with continuation lines joined (backslash-newline removed). */
  text: string;
  /** 1-based line where the rule starts. */
  line: number;
  /** True for a commented-out rule (`# alert ...`): counted, not loaded. */
  disabled: boolean;
}

const ACTION_RE = /^(alert|drop|pass|reject|rejectsrc|rejectdst|rejectboth|config)\s/;

/**
 * Splits rule-file text into rules. Lines starting with `#` are comments; a comment that
 * holds a rule (`#alert tcp ...`) is reported as a disabled rule. A line ending in a backslash
 * continues on the next line.
 */
export function splitRules(content: string): RuleText[] {
  const out: RuleText[] = [];
  const lines = content.split(/\r?\n/);
  let buf = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (buf === '') startLine = i + 1;
    if (raw.endsWith('\\') && !raw.endsWith('\\\\')) {
      buf += raw.slice(0, -1);
      continue;
    }
    const full = (buf + raw).trim();
    buf = '';
    if (full === '') continue;
    if (full.startsWith('#')) {
      const body = full.replace(/^#+\s*/, '');
      if (ACTION_RE.test(body) && body.includes('('))
        out.push({ text: body, line: startLine, disabled: true });
      continue;
    }
    out.push({ text: full, line: startLine, disabled: false });
  }
  if (buf.trim() !== '') out.push({ text: buf.trim(), line: startLine, disabled: false });
  return out;
}

export interface RawOption {
  keyword: string;
  /** The value after the colon, trimmed, quotes kept; null when the option has no value. */
  value: string | null;
}

export interface SplitRule {
  header: string;
  options: RawOption[];
}

/**
 * Splits `action proto src sport dir dst dport (opts)` into the header text and its options.
 * Options end at a semicolon that is not escaped with a backslash (quotes do not protect a
 * semicolon, as in Suricata). Returns a string describing the problem when the rule is malformed.
 */
export function splitRule(text: string): SplitRule | string {
  const open = text.indexOf('(');
  if (open < 0) return 'no option list: a rule needs "(...)" after its header';
  const close = text.lastIndexOf(')');
  if (close < open) return 'the option list is not closed with ")"';
  if (text.slice(close + 1).trim() !== '') return 'text after the closing ")"';
  const header = text.slice(0, open).trim();
  const body = text.slice(open + 1, close);
  const options: RawOption[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      cur += c + body[i + 1];
      i++;
      continue;
    }
    if (c === ';') {
      const o = parseOption(cur);
      if (o) options.push(o);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') return `the last option "${cur.trim().slice(0, 40)}" is not terminated with ";"`;
  return { header, options };
}

function parseOption(s: string): RawOption | null {
  const t = s.trim();
  if (t === '') return null;
  const colon = t.indexOf(':');
  if (colon < 0) return { keyword: t, value: null };
  return { keyword: t.slice(0, colon).trim(), value: t.slice(colon + 1).trim() };
}

/** Removes surrounding double quotes, if any. */
export function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  return t;
}

/** Unescapes `\"`, `\;`, `\\`, `\:` (msg, reference and other free text). */
export function unescapeText(v: string): string {
  return v.replace(/\\(["\\;:])/g, '$1');
}

/** Splits on commas that are not inside double quotes. */
export function splitCommas(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && i + 1 < v.length) {
      cur += c + v[i + 1];
      i++;
      continue;
    }
    if (c === '"') q = !q;
    if (c === ',' && !q) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}
