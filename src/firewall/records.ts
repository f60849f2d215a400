/**
 * The records the firewall returns to callers, with the spec's snake_case field names
 * (`rules_count`, `packets_blocked`...): the same objects back the TypeScript API, the CLI's
 * `--json` output and Sentra scripts.
 */
import type { CounterValue, KernelCounters } from './backend.js';
import type { Chain, Entry, EntryKind, Policies, RuleAction, RuleProtocol } from './model.js';
import { formatPortRange } from './validate.js';

/** One rule, ban, allow or port block. Times are Unix seconds. */
export interface FirewallRuleRecord {
  /** `fw-rule-` + 12 hex digits; pass it to `deleteRule`. */
  id: string;
  kind: EntryKind;
  chain: Chain;
  protocol: RuleProtocol;
  /** Address or CIDR, or `any`. */
  src_ip: string;
  dst_ip: string;
  /** Port, range `a-b`, or `any`. */
  src_port: string;
  dst_port: string;
  action: RuleAction;
  reason: string;
  source: string;
  created_at: number;
  /** Null when permanent. */
  expires_at: number | null;
  /** Seconds left, null when permanent. */
  time_remaining: number | null;
  /** Kernel counters of a custom rule; null for set entries, which share their set's counter. */
  packets: number | null;
  bytes: number | null;
}

/** `firewall_get_stats()`: counts from the store, packets and bytes from the kernel counters. */
export interface FirewallStats {
  backend: string;
  /** Everything Sentra holds: custom rules + bans + allows + port blocks. */
  rules_count: number;
  custom_rules: number;
  bans_count: number;
  allows_count: number;
  port_blocks: number;
  temporary_rules: number;
  permanent_rules: number;
  /** Packets dropped by Sentra: bans + port blocks + drop/reject rules + drop policies. */
  packets_blocked: number;
  bytes_blocked: number;
  blocked_by: {
    bans: CounterValue;
    ports: CounterValue;
    rules: CounterValue;
    policy: CounterValue;
  };
  policies: Policies;
}

export function toRecord(e: Entry, now: number, counters?: KernelCounters): FirewallRuleRecord {
  const c = e.kind === 'rule' ? (counters?.rules[e.id] ?? null) : null;
  return {
    id: e.id,
    kind: e.kind,
    chain: e.chain,
    protocol: e.protocol,
    src_ip: e.src ?? 'any',
    dst_ip: e.dst ?? 'any',
    src_port: formatPortRange(e.srcPort),
    dst_port: formatPortRange(e.dstPort),
    action: e.action,
    reason: e.reason,
    source: e.source,
    created_at: e.createdAt / 1000,
    expires_at: e.expiresAt === null ? null : e.expiresAt / 1000,
    time_remaining: e.expiresAt === null ? null : Math.max(0, (e.expiresAt - now) / 1000),
    packets: e.kind === 'rule' ? (c?.packets ?? 0) : null,
    bytes: e.kind === 'rule' ? (c?.bytes ?? 0) : null,
  };
}

export function buildStats(
  backend: string,
  entries: readonly Entry[],
  counters: KernelCounters,
  policies: Policies,
): FirewallStats {
  const count = (k: EntryKind) => entries.filter((e) => e.kind === k).length;
  const rules = { packets: 0, bytes: 0 };
  for (const e of entries) {
    if (e.kind !== 'rule' || e.action === 'accept') continue;
    const c = counters.rules[e.id];
    if (c) {
      rules.packets += c.packets;
      rules.bytes += c.bytes;
    }
  }
  const policy = { packets: 0, bytes: 0 };
  for (const ch of ['input', 'output', 'forward'] as const) {
    if (policies[ch] !== 'drop') continue;
    policy.packets += counters.policy[ch].packets;
    policy.bytes += counters.policy[ch].bytes;
  }
  const temporary = entries.filter((e) => e.expiresAt !== null).length;
  return {
    backend,
    rules_count: entries.length,
    custom_rules: count('rule'),
    bans_count: count('ban'),
    allows_count: count('allow'),
    port_blocks: count('port'),
    temporary_rules: temporary,
    permanent_rules: entries.length - temporary,
    packets_blocked: counters.bans.packets + counters.ports.packets + rules.packets + policy.packets,
    bytes_blocked: counters.bans.bytes + counters.ports.bytes + rules.bytes + policy.bytes,
    blocked_by: { bans: { ...counters.bans }, ports: { ...counters.ports }, rules, policy },
    policies: { ...policies },
  };
}
