/**
 * The firewall's rule model: what the store keeps and what the backends apply. Every value here
 * has been validated (src/firewall/validate.ts): addresses are canonical text produced by our own
 * formatter, ports are numbers, names come from fixed lists. Backends may therefore put them in
 * a script without quoting, and nothing a user typed reaches the kernel as text.
 */
import type { PortRange } from '../net/address.js';

/** The chains Sentra manages (its own, hooked at the kernel's input, output and forward). */
export type Chain = 'input' | 'output' | 'forward';
export const CHAINS: readonly Chain[] = ['input', 'output', 'forward'];

export type RuleProtocol = 'any' | 'tcp' | 'udp' | 'icmp' | 'icmpv6';
export const RULE_PROTOCOLS: readonly RuleProtocol[] = ['any', 'tcp', 'udp', 'icmp', 'icmpv6'];

export type RuleAction = 'accept' | 'drop' | 'reject';
export const RULE_ACTIONS: readonly RuleAction[] = ['accept', 'drop', 'reject'];

export type PolicyAction = 'accept' | 'drop';

/** Protocols a port block applies to. */
export type PortProtocol = 'tcp' | 'udp';

/**
 * What an entry is:
 * - `ban`: traffic from an address or CIDR is dropped (kernel set with per-element timeout);
 * - `allow`: traffic from an address or CIDR is accepted before any ban or rule;
 * - `port`: incoming traffic to a port (range) is dropped (kernel set with timeout);
 * - `rule`: a custom rule (chain, protocol, addresses, ports, action), in order.
 */
export type EntryKind = 'ban' | 'allow' | 'port' | 'rule';

export type Family = 4 | 6;

/** An address or block as the kernel sets hold it. `text` is canonical: `1.2.3.4`, `10.0.0.0/8`. */
export interface AddrTarget {
  text: string;
  family: Family;
  prefix: number;
  /** Network bytes, host bits cleared. */
  bytes: Uint8Array;
}

/** One stored entry: a ban, an allow, a port block or a custom rule. */
export interface Entry {
  /** `fw-rule-` followed by 12 hex digits. */
  id: string;
  kind: EntryKind;
  chain: Chain;
  protocol: RuleProtocol;
  /** Source address/CIDR in canonical text, null for any. */
  src: string | null;
  dst: string | null;
  srcPort: PortRange | null;
  dstPort: PortRange | null;
  action: RuleAction;
  /** Free text from the user or the caller (never sent to the kernel). */
  reason: string;
  /** Who created it: `cli`, `api`, `ids:<alert id>`... */
  source: string;
  /** Order of custom rules inside their chain. */
  position: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Milliseconds since the epoch; null when permanent. */
  expiresAt: number | null;
}

/** The policy of each chain. */
export type Policies = Record<Chain, PolicyAction>;

export const DEFAULT_POLICIES: Policies = { input: 'accept', output: 'accept', forward: 'accept' };

/** A backend is chosen by name; `auto` picks nftables, then iptables+ipset. */
export type BackendName = 'nftables' | 'iptables' | 'memory';
export const BACKEND_NAMES: readonly BackendName[] = ['nftables', 'iptables', 'memory'];
