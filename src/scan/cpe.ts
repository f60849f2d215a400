/**
 * CPE 2.3 formatted strings (NIST IR 7695): `cpe:2.3:part:vendor:product:version:update:
 * edition:language:sw_edition:target_sw:target_hw:other`. Service detection builds them, the
 * vulnerability matcher parses and compares them. Only the formatted-string binding is
 * handled (NVD's JSON 2.0 feeds use it exclusively).
 */
import { ErrorCodes, SentraError } from '../errors.js';

export const CPE_FIELDS = [
  'part',
  'vendor',
  'product',
  'version',
  'update',
  'edition',
  'language',
  'sw_edition',
  'target_sw',
  'target_hw',
  'other',
] as const;

/** A parsed CPE: its 11 attributes, unescaped; `*` is ANY and `-` is NA, as in the binding. */
export interface Cpe {
  part: string;
  vendor: string;
  product: string;
  version: string;
  update: string;
  edition: string;
  language: string;
  sw_edition: string;
  target_sw: string;
  target_hw: string;
  other: string;
}

/** Escapes one attribute value for a formatted string: anything but [A-Za-z0-9._-] gets a backslash. */
export function escapeCpeValue(v: string): string {
  if (v === '*' || v === '-' || v === '') return v === '' ? '*' : v;
  return v.replace(/[^A-Za-z0-9._-]/g, (c) => '\\' + c);
}

/** Splits a formatted string on unescaped colons and unescapes each attribute. */
export function parseCpe(s: string): Cpe {
  const bad = (why: string) =>
    new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `invalid CPE ${JSON.stringify(String(s).slice(0, 80))}: ${why}`,
    );
  if (typeof s !== 'string' || !s.startsWith('cpe:2.3:'))
    throw bad('expected a CPE 2.3 formatted string (cpe:2.3:...)');
  const fields: string[] = [];
  let cur = '';
  for (let i = 8; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
    } else if (c === ':') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  fields.push(cur);
  if (fields.length > 11) throw bad('more than 11 attributes');
  while (fields.length < 11) fields.push('*');
  if (!/^[aoh*]$/.test(fields[0])) throw bad('part must be a, o or h');
  const out = {} as Cpe;
  CPE_FIELDS.forEach((f, i) => {
    out[f] = fields[i] === '' ? '*' : fields[i].toLowerCase();
  });
  return out;
}

/** Formats a CPE; missing attributes become `*`. */
export function formatCpe(c: Partial<Cpe> & { part: string; vendor: string; product: string }): string {
  return 'cpe:2.3:' + CPE_FIELDS.map((f) => escapeCpeValue(c[f] ?? '*')).join(':');
}

/**
 * Builds the CPE of a detected product. `version` may carry an OpenSSH-style update suffix
 * (`9.2p1`): NVD files those as version `9.2`, update `p1`, and `splitUpdate` does the same.
 */
export function productCpe(
  vendor: string,
  product: string,
  version: string,
  opts: { part?: 'a' | 'o' | 'h'; splitUpdate?: RegExp } = {},
): string {
  let v = version || '*';
  let update = '*';
  if (version && opts.splitUpdate) {
    const m = opts.splitUpdate.exec(version);
    if (m) {
      v = m[1];
      update = m[2] || '*';
    }
  }
  return formatCpe({
    part: opts.part ?? 'a',
    vendor,
    product,
    version: v.toLowerCase(),
    update: update.toLowerCase(),
  });
}
