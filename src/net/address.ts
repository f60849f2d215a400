/**
 * Addresses, CIDRs and ports: parsing with typed errors, and formatting from raw bytes.
 * Shared by every module that takes an address from a user (firewall, scanner, rules, filters)
 * so that validation is the same everywhere. Parsers are strict: they accept the canonical
 * textual forms only (no octal, no hex, no shorthand IPv4 like `10.1`), because a lenient
 * parser in a firewall is how `010.0.0.1` ends up banning the wrong host.
 */
import { ErrorCodes, SentraError } from '../errors.js';

export type IpFamily = 4 | 6;

/** A parsed address: family plus 4 or 16 bytes in network order. */
export interface IpAddress {
  family: IpFamily;
  bytes: Uint8Array;
}

/** A parsed CIDR block; `bytes` has the host bits cleared. */
export interface Cidr {
  family: IpFamily;
  bytes: Uint8Array;
  prefix: number;
}

const MAX_INPUT = 100; // longer than any textual address or CIDR; refuses oversize input early

function invalidIp(input: string, why: string): SentraError {
  return new SentraError(ErrorCodes.INVALID_IP, `invalid IP address ${JSON.stringify(input)}: ${why}`, {
    details: { input },
  });
}

/** Parses a dotted-quad IPv4 address into 4 bytes, or returns null. */
export function parseIPv4Bytes(s: string, out: Uint8Array = new Uint8Array(4), at = 0): Uint8Array | null {
  // one pass over the characters: firewalls parse 100,000 addresses in one bulk ban
  const n = s.length;
  if (n < 7 || n > 15) return null;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return null;
      out[at + part] = value;
      part++;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57) return null;
    // leading zeros are octal to some parsers
    if (digits === 1 && value === 0) return null;
    value = value * 10 + (c - 48);
    digits++;
    if (digits > 3 || value > 255) return null;
  }
  return part === 4 ? out : null;
}

/** Parses an IPv6 address (with `::`, embedded IPv4, no zone) into 16 bytes, or returns null. */
export function parseIPv6Bytes(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  const out = new Uint8Array(16);
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4Bytes(g);
        if (!v4) return null;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      words.push(Number.parseInt(g, 16));
    }
    return words;
  };
  const h = parseGroups(head);
  const t = parseGroups(tail);
  if (!h || !t) return null;
  if (dbl < 0 && h.length !== 8) return null;
  if (dbl >= 0 && h.length + t.length > 7) return null;
  const words = dbl < 0 ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  for (let i = 0; i < 8; i++) {
    out[i * 2] = words[i] >> 8;
    out[i * 2 + 1] = words[i] & 0xff;
  }
  return out;
}

/** Parses an IPv4 or IPv6 address; throws SENTRA_ERR_INVALID_IP with the reason. */
export function parseIp(input: string): IpAddress {
  if (typeof input !== 'string') throw invalidIp(String(input), 'not a string');
  if (input.length === 0) throw invalidIp(input, 'empty');
  if (input.length > MAX_INPUT) throw invalidIp(input.slice(0, 40) + '…', 'too long');
  if (input.includes(':')) {
    const b = parseIPv6Bytes(input);
    if (!b) throw invalidIp(input, 'not a valid IPv6 address');
    return { family: 6, bytes: b };
  }
  const b = parseIPv4Bytes(input);
  if (!b) throw invalidIp(input, 'expected four decimal numbers 0-255 separated by dots');
  return { family: 4, bytes: b };
}

export function isIp(input: string): boolean {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return false;
  return input.includes(':') ? parseIPv6Bytes(input) !== null : parseIPv4Bytes(input) !== null;
}

/**
 * Parses `a.b.c.d/n`, `x::/n`, or a bare address (a /32 or /128). With `strict`, host bits
 * must be zero (`10.0.0.1/8` is refused) as nftables and most firewalls require.
 */
export function parseCidr(input: string, opts: { strict?: boolean } = {}): Cidr {
  const bad = (why: string) =>
    new SentraError(ErrorCodes.INVALID_CIDR, `invalid CIDR ${JSON.stringify(input)}: ${why}`, {
      details: { input },
    });
  if (typeof input !== 'string' || input.length === 0) throw bad('empty');
  if (input.length > MAX_INPUT) throw bad('too long');
  const slash = input.indexOf('/');
  const addrPart = slash < 0 ? input : input.slice(0, slash);
  let ip: IpAddress;
  try {
    ip = parseIp(addrPart);
  } catch {
    throw bad('the address part is not a valid IP address');
  }
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = input.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) throw bad('prefix length must be a number');
    prefix = Number(p);
    if (prefix > max) throw bad(`prefix length must be 0-${max}`);
  }
  const bytes = new Uint8Array(ip.bytes);
  let hostBits = false;
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    if ((bytes[i] & ~mask & 0xff) !== 0) hostBits = true;
    bytes[i] &= mask;
  }
  if (hostBits && opts.strict)
    throw bad('host bits are set; did you mean ' + formatCidr({ ...ip, bytes, prefix }) + '?');
  return { family: ip.family, bytes, prefix };
}

/** True when `addr` (4 or 16 bytes) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, addr: Uint8Array): boolean {
  if (addr.length !== cidr.bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i] & mask) !== cidr.bytes[i]) return false;
  }
  return true;
}

/** True when the two blocks share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return a.prefix <= b.prefix ? cidrContains(a, b.bytes) : cidrContains(b, a.bytes);
}

export function formatCidr(c: Cidr): string {
  return formatIp(c.bytes) + '/' + c.prefix;
}

/** Formats an IPv4 address held as a uint32 (the decoder's `src4`/`dst4`) as dotted quad. */
export function formatIPv4Word(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
}

/** Formats 4 bytes at `off` as dotted quad. */
export function formatIPv4(buf: Uint8Array, off = 0): string {
  return buf[off] + '.' + buf[off + 1] + '.' + buf[off + 2] + '.' + buf[off + 3];
}

/** Formats 16 bytes at `off` per RFC 5952 (lower case, longest zero run compressed), as tshark does. */
export function formatIPv6(buf: Uint8Array, off = 0): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (buf[off + i * 2] << 8) | buf[off + i * 2 + 1];
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-mapped (::ffff:a.b.c.d) keeps the dotted tail, as inet_ntop prints it
  if (bestStart === 0 && bestLen === 5 && w[5] === 0xffff) {
    return '::ffff:' + formatIPv4(buf, off + 12);
  }
  const hex = (from: number, to: number) => {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(w[i].toString(16));
    return parts.join(':');
  };
  if (bestStart < 0) return hex(0, 8);
  return hex(0, bestStart) + '::' + hex(bestStart + bestLen, 8);
}

export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIPv4(bytes) : formatIPv6(bytes);
}

/** Canonical text of an address given by a user (`::FFFF:1.2.3.4` -> `::ffff:1.2.3.4`). */
export function normalizeIp(input: string): string {
  return formatIp(parseIp(input).bytes);
}

/** Parses a port number 0-65535 (or 1-65535 with `allowZero: false`). */
export function parsePort(input: string | number, opts: { allowZero?: boolean } = {}): number {
  const s = String(input);
  const allowZero = opts.allowZero ?? false;
  if (!/^\d{1,5}$/.test(s)) {
    throw new SentraError(
      ErrorCodes.INVALID_PORT,
      `invalid port ${JSON.stringify(s.slice(0, 40))}: expected a number`,
      {
        details: { input: s.slice(0, 100) },
      },
    );
  }
  const v = Number(s);
  if (v > 65535 || (v === 0 && !allowZero)) {
    throw new SentraError(ErrorCodes.INVALID_PORT, `invalid port ${s}: must be ${allowZero ? 0 : 1}-65535`, {
      details: { input: s },
    });
  }
  return v;
}

/** A closed range of ports. */
export interface PortRange {
  from: number;
  to: number;
}

/**
 * Parses port lists as nmap and iptables users write them: `22`, `1-1000`, `22,80,443`,
 * `8000-8100,9000`, and `-` for all ports (1-65535). Returns sorted, merged ranges.
 */
export function parsePortRanges(input: string): PortRange[] {
  const bad = (why: string) =>
    new SentraError(
      ErrorCodes.INVALID_PORT_RANGE,
      `invalid port range ${JSON.stringify(input.slice(0, 60))}: ${why}`,
      {
        details: { input: input.slice(0, 200) },
      },
    );
  if (typeof input !== 'string') throw bad('not a string');
  const s = input.trim();
  if (s === '') throw bad('empty');
  if (s.length > 10_000) throw bad('too long');
  if (s === '-') return [{ from: 1, to: 65535 }];
  const ranges: PortRange[] = [];
  for (const part of s.split(',')) {
    const p = part.trim();
    const m = /^(\d{1,5})?(?:(-)(\d{1,5})?)?$/.exec(p);
    if (!p || !m) throw bad(`"${p}" is not a port or a range like 1-1000`);
    const from = m[1] !== undefined ? Number(m[1]) : 1;
    const to = m[2] ? (m[3] !== undefined ? Number(m[3]) : 65535) : from;
    if (from < 1 || from > 65535 || to < 1 || to > 65535) throw bad('ports must be 1-65535');
    if (from > to) throw bad(`range ${p} runs backwards`);
    ranges.push({ from, to });
  }
  ranges.sort((a, b) => a.from - b.from);
  const merged: PortRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged;
}

/** Expands ranges to a list of ports, in ascending order. */
export function expandPortRanges(ranges: PortRange[]): number[] {
  const out: number[] = [];
  for (const r of ranges) for (let p = r.from; p <= r.to; p++) out.push(p);
  return out;
}
