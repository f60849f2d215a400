/**
 * Web attack patterns and the decoding applied before them. Attackers encode payloads to slip
 * past naive matching, so text is URL-decoded (twice: double encoding), `+` read as a space,
 * HTML entities decoded (named, decimal, hex), SQL comments removed and white space collapsed,
 * then lower-cased. The patterns look for the grammar of an attack (a quote closing a string
 * then a boolean test, UNION SELECT, a script element, `../` climbing out of a directory, a
 * shell separator followed by a command), not for single words, to keep ordinary text quiet.
 */

const ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  semi: ';',
  colon: ':',
  equals: '=',
  nbsp: ' ',
  tab: '\t',
  newline: '\n',
  grave: '`',
  verbar: '|',
  num: '#',
  period: '.',
  comma: ',',
  excl: '!',
  dollar: '$',
  percnt: '%',
};

function percentDecode(s: string, plus: boolean): string {
  if (s.indexOf('%') < 0 && !(plus && s.indexOf('+') >= 0)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      c === 37 /* % */ &&
      i + 2 < s.length + 0 &&
      isHex(s.charCodeAt(i + 1)) &&
      isHex(s.charCodeAt(i + 2))
    ) {
      out += String.fromCharCode(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else if (
      c === 37 &&
      (s[i + 1] === 'u' || s[i + 1] === 'U') &&
      i + 5 < s.length &&
      /^[0-9a-fA-F]{4}$/.test(s.substr(i + 2, 4))
    ) {
      // IIS %uXXXX
      out += String.fromCharCode(parseInt(s.substr(i + 2, 4), 16));
      i += 5;
    } else if (plus && c === 43 /* + */) out += ' ';
    else out += s[i];
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Decodes HTML character references: `&lt;`, `&#60;`, `&#x3c;` (the `;` may be missing). */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});?/g, (m, body: string) => {
    if (body[0] === '#') {
      const n =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[body.toLowerCase()] ?? m;
  });
}

/** The text the patterns see: URL-decoded twice, entities decoded, SQL comments out, lower case. */
export function normalizeForInspection(raw: string, plusIsSpace = true): string {
  let s = percentDecode(percentDecode(raw, plusIsSpace), false);
  s = decodeEntities(decodeEntities(s));
  // SQL reads a comment as a space (UNION/**/SELECT) and runs MySQL's /*!50000 ... */ bodies
  s = s.replace(/\/\*!\d*([\s\S]*?)\*\//g, ' $1 ').replace(/\/\*[\s\S]*?\*\//g, ' ');
  s = s.replace(/[\s\u0000\u000b\u000c]+/g, ' ');
  return s.toLowerCase();
}

export type WebAttackKind = 'sql_injection' | 'xss' | 'path_traversal' | 'command_injection';

export interface WebPattern {
  kind: WebAttackKind;
  /** Short name written to the alert metadata. */
  name: string;
  re: RegExp;
}

/** The patterns, applied to normalized text (lower case). */
export const WEB_PATTERNS: readonly WebPattern[] = [
  // ---- SQL injection
  { kind: 'sql_injection', name: 'union select', re: /\bunion\b(?: all| distinct)?\s*\(?\s*select\b/ },
  {
    kind: 'sql_injection',
    name: 'quote then boolean test',
    re: /['"`]\s*\)*\s*(?:or|and|\|\||&&)\s*\(*\s*(?:['"`]?[\w.]*['"`]?\s*(?:=|<>|!=|like\b|>|<)|\d+\b|true\b|false\b|not\b)/,
  },
  { kind: 'sql_injection', name: 'numeric tautology', re: /\b(?:or|and)\s+(\d+)\s*=\s*\1\b/ },
  {
    kind: 'sql_injection',
    name: 'stacked query',
    re: /;\s*(?:drop|delete|insert|update|alter|create|truncate|exec|execute|declare|shutdown)\s+(?:table|from|into|database|user|procedure|\w+\s*set|\w)/,
  },
  { kind: 'sql_injection', name: 'quote then comment', re: /['"`]\s*\)*\s*;?\s*(?:--(?:\s|$)|#\s*$)/ },
  {
    kind: 'sql_injection',
    name: 'time delay',
    re: /\b(?:sleep|benchmark|pg_sleep)\s*\(\s*\d|\bwaitfor\s+delay\s+'/,
  },
  {
    kind: 'sql_injection',
    name: 'schema probe',
    re: /\binformation_schema\b|\b(?:sys\.)?sysobjects\b|@@version\b|\bload_file\s*\(|\binto\s+(?:out|dump)file\b|\bxp_cmdshell\b/,
  },
  // ---- cross-site scripting
  { kind: 'xss', name: 'script element', re: /<\s*\/?\s*script\b/ },
  {
    kind: 'xss',
    name: 'event handler',
    re: /<[^>]*\bon(?:error|load|mouse\w+|click|focus|blur|submit|change|key\w+|toggle|animation\w+|pointer\w+)\s*=/,
  },
  { kind: 'xss', name: 'javascript url', re: /\b(?:java|vb)script\s*:/ },
  {
    kind: 'xss',
    name: 'active element',
    re: /<\s*(?:iframe|frame|object|embed|svg|math|base|meta\s[^>]*http-equiv)\b/,
  },
  {
    kind: 'xss',
    name: 'dom sink',
    re: /\bdocument\s*\.\s*(?:cookie|write|location)\b|\bwindow\s*\.\s*location\b|\beval\s*\(|\balert\s*\(|\bstring\.fromcharcode\s*\(/,
  },
  // ---- path traversal
  {
    kind: 'path_traversal',
    name: 'dot-dot climb',
    re: /(?:\.\.[\\/]){2,}|(?:^|[\\/=])\.\.[\\/](?:[^\\/]*[\\/])*(?:etc|windows|winnt|boot\.ini|proc|var|usr|root|home)\b/,
  },
  {
    kind: 'path_traversal',
    name: 'system file',
    re: /(?:^|[\\/=])(?:etc[\\/](?:passwd|shadow|group|hosts)|proc[\\/]self[\\/]|windows[\\/]win\.ini|boot\.ini)\b/,
  },
  { kind: 'path_traversal', name: 'nul byte', re: /\u0000/ },
  // ---- command injection
  {
    kind: 'command_injection',
    name: 'shell separator then command',
    re: /(?:;|(?:^|[\s'"])\||\|\||&&|\$\(|`)\s*(?:\/(?:usr\/)?s?bin\/)?(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|ping|rm|chmod|chown|python[23]?|perl|php|ruby|powershell|cmd(?:\.exe)?|nslookup|telnet|sleep|echo|ifconfig|ipconfig|net\s+user|busybox|tftp)(?=\s+[-\w/.$'"]|\s*$|\s*[;|&<>)`])/,
  },
  { kind: 'command_injection', name: 'shell substitution', re: /\$\{ifs\}|\$ifs\$\d/ },
];

/** Binary data (more than 5% control bytes in the first 512): not text an attack hides in. */
export function looksBinary(s: string): boolean {
  const n = Math.min(s.length, 512);
  let ctl = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) ctl++;
  }
  return ctl * 20 > n;
}

/** The first pattern of `kind` that `text` (normalized) matches, or null. */
export function matchWebAttack(text: string, kind: WebAttackKind): WebPattern | null {
  for (const p of WEB_PATTERNS) if (p.kind === kind && p.re.test(text)) return p;
  return null;
}
