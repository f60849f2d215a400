/**
 * Parses a content string as Suricata writes it: quoted text with `|hex bytes|` sections and
 * backslash escapes for `"`, `;`, `:` and `\`, optionally negated with a leading `!`.
 */

export interface ParsedContent {
  bytes: Uint8Array;
  negated: boolean;
}

/** Returns the bytes, or a message saying what is wrong. */
export function parseContentString(value: string): ParsedContent | string {
  let v = value.trim();
  let negated = false;
  if (v.startsWith('!')) {
    negated = true;
    v = v.slice(1).trim();
  }
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return 'content must be a quoted string';
  v = v.slice(1, -1);
  if (v.length === 0) return 'content is empty';
  const out: number[] = [];
  let hex = false;
  let hexDigits = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (hex) {
      if (c === '|') {
        if (hexDigits.length % 2 !== 0) return `odd number of hex digits in |${hexDigits}|`;
        hexDigits = '';
        hex = false;
        continue;
      }
      if (c === ' ' || c === '\t') {
        if (hexDigits.length % 2 !== 0) return 'a hex byte is split by a space';
        continue;
      }
      if (!/[0-9a-fA-F]/.test(c)) return `invalid character "${c}" in a |hex| section`;
      hexDigits += c;
      if (hexDigits.length % 2 === 0) out.push(Number.parseInt(hexDigits.slice(-2), 16));
      continue;
    }
    if (c === '|') {
      hex = true;
      continue;
    }
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined) return 'content ends with a lone backslash';
      if (n === '"' || n === ';' || n === ':' || n === '\\') {
        out.push(n.charCodeAt(0));
        i++;
        continue;
      }
      return `invalid escape "\\${n}" (only \\" \\; \\: \\\\ are allowed; use |hex|)`;
    }
    if (c === '"') return 'unescaped double quote inside content';
    if (c === ';') return 'unescaped ";" inside content';
    const code = c.charCodeAt(0);
    if (code > 0xff) return 'content holds a character above 0xFF; use |hex| bytes';
    out.push(code);
  }
  if (hex) return 'unterminated |hex| section';
  if (out.length === 0) return 'content is empty';
  return { bytes: Uint8Array.from(out), negated };
}
