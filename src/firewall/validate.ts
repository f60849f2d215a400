/**
 * Validation of everything a user hands the firewall: addresses, CIDRs, ports, chains,
 * protocols, actions, reasons, ids, namespace and interface names. Each parser either returns a
 * canonical value built by our own formatters or throws a SentraError naming the bad input; the
 * backends only ever see these canonical values, which is what keeps shell and nft syntax out.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import {
  type Cidr,
  formatCidr,
  formatIp,
  type PortRange,
  parseCidr,
  parseIPv4Bytes,
  parsePortRanges,
} from '../net/address.js';
import type { AddrTarget, Chain, PolicyAction, PortProtocol, RuleAction, RuleProtocol } from './model.js';

/** Longest reason kept with a rule; longer text is refused rather than cut. */
export const MAX_REASON_LENGTH = 512;

function invalid(what: string, input: unknown, why: string): SentraError {
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 60)) : String(input);
  return new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid ${what} ${shown}: ${why}`, {
    details: { input: typeof input === 'string' ? input.slice(0, 200) : input },
  });
}

function asString(what: string, input: unknown): string {
  if (typeof input !== 'string') throw invalid(what, input, 'expected a string');
  return input;
}

/** Canonical text of a block: a bare address for a host (/32, /128), `net/len` otherwise. */
export function targetText(c: Cidr): string {
  const max = c.family === 4 ? 32 : 128;
  return c.prefix === max ? formatIp(c.bytes) : formatCidr(c);
}

/** Parses an address or CIDR (host bits must be zero) into a canonical target. */
export function parseTarget(input: unknown): AddrTarget {
  const s = asString('address', input);
  // fast path for the common case, a plain IPv4 host: the strict parser only accepts canonical
  // dotted quads, so the input is already its own canonical text (bulk bans parse 100,000)
  const v4 = parseIPv4Bytes(s);
  if (v4) return { text: s, family: 4, prefix: 32, bytes: v4 };
  const c = parseCidr(s, { strict: true });
  return { text: targetText(c), family: c.family, prefix: c.prefix, bytes: c.bytes };
}

/** Rebuilds a target from its canonical text (as stored). */
export function targetFromText(text: string): AddrTarget {
  return parseTarget(text);
}

const ANY = new Set(['any', '*', '']);

/** An address/CIDR or `any` (null). */
export function parseAddressOrAny(input: unknown): AddrTarget | null {
  if (input === null || input === undefined) return null;
  const s = asString('address', input);
  if (ANY.has(s.toLowerCase())) return null;
  return parseTarget(s);
}

export function parseChain(input: unknown): Chain {
  const s = asString('chain', input).toLowerCase();
  if (s === 'input' || s === 'output' || s === 'forward') return s;
  throw invalid('chain', input, 'expected INPUT, OUTPUT or FORWARD');
}

export function parseProtocol(input: unknown): RuleProtocol {
  if (input === null || input === undefined) return 'any';
  const s = asString('protocol', input).toLowerCase();
  if (s === 'any' || s === 'all' || s === '*' || s === '') return 'any';
  if (s === 'tcp' || s === 'udp' || s === 'icmp') return s;
  if (s === 'icmpv6' || s === 'ipv6-icmp' || s === 'icmp6') return 'icmpv6';
  throw invalid('protocol', input, 'expected tcp, udp, icmp, icmpv6 or any');
}

export function parsePortProtocol(input: unknown): PortProtocol[] {
  if (input === null || input === undefined) return ['tcp'];
  const s = asString('protocol', input).toLowerCase();
  if (s === 'tcp' || s === 'udp') return [s];
  if (s === 'any' || s === 'all' || s === 'both') return ['tcp', 'udp'];
  throw invalid('protocol', input, 'a port block takes tcp, udp or any');
}

export function parseAction(input: unknown): RuleAction {
  const s = asString('action', input).toLowerCase();
  if (s === 'accept' || s === 'allow') return 'accept';
  if (s === 'drop' || s === 'deny' || s === 'block') return 'drop';
  if (s === 'reject') return 'reject';
  throw invalid('action', input, 'expected ACCEPT, DROP or REJECT');
}

export function parsePolicyAction(input: unknown): PolicyAction {
  const s = asString('policy', input).toLowerCase();
  if (s === 'accept' || s === 'allow') return 'accept';
  if (s === 'drop' || s === 'deny') return 'drop';
  throw invalid('policy', input, 'a default policy is ACCEPT or DROP');
}

/** One port or one range (`22`, `1000-2000`), or `any` (null). */
export function parsePortSpec(input: unknown): PortRange | null {
  if (input === null || input === undefined) return null;
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) throw invalid('port', input, 'expected an integer');
    input = String(input);
  }
  const s = asString('port', input);
  if (ANY.has(s.toLowerCase())) return null;
  const ranges = parsePortRanges(s);
  if (ranges.length !== 1) throw invalid('port', input, 'give one port or one range like 1000-2000');
  return ranges[0];
}

export function formatPortRange(r: PortRange | null): string {
  if (!r) return 'any';
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

/** Free text kept with an entry: bounded, printable, one line. */
export function parseReason(input: unknown): string {
  if (input === null || input === undefined) return '';
  const s = asString('reason', input);
  if (s.length > MAX_REASON_LENGTH) throw invalid('reason', s, `longer than ${MAX_REASON_LENGTH} characters`);
  // control characters (newlines included) would forge lines in logs and listings
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)) {
    throw invalid('reason', s, 'control characters (newlines, tabs, escapes) are not allowed');
  }
  return s;
}

/** Who created an entry (`cli`, `api`, `ids:<alert id>`). */
export function parseSourceTag(input: unknown): string {
  if (input === null || input === undefined) return 'api';
  const s = asString('source', input);
  if (!/^[A-Za-z0-9:._@/+-]{1,128}$/.test(s)) {
    throw invalid('source', s, 'use letters, digits and : . _ @ / + - (at most 128)');
  }
  return s;
}

const RULE_ID = /^fw-rule-[0-9a-f]{12}$/;

export function isRuleId(s: unknown): s is string {
  return typeof s === 'string' && RULE_ID.test(s);
}

export function parseRuleId(input: unknown): string {
  const s = asString('rule id', input);
  if (!RULE_ID.test(s)) throw invalid('rule id', s, 'expected fw-rule- followed by 12 hex digits');
  return s;
}

/** A network namespace name as `ip netns` accepts it. */
export function parseNetnsName(input: unknown): string {
  const s = asString('network namespace', input);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(s) || s === '.' || s === '..') {
    throw invalid('network namespace', s, 'use letters, digits, _ . - (at most 64)');
  }
  return s;
}

/** A Linux interface name (IFNAMSIZ: at most 15 bytes). */
export function parseInterfaceName(input: unknown): string {
  const s = asString('interface', input);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(s) || s === '.' || s === '..') {
    throw invalid('interface', s, 'use letters, digits, _ . - (at most 15)');
  }
  return s;
}

/** A name for Sentra's nftables table or iptables/ipset prefix. */
export function parseTableName(input: unknown): string {
  const s = asString('table name', input);
  if (!/^[a-z][a-z0-9_]{0,15}$/.test(s)) throw invalid('table name', s, 'use a-z, 0-9, _ (at most 16)');
  return s;
}
