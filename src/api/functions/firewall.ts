/**
 * Section 1 of the spec, firewall management: the firewall module's own spec functions
 * (`firewallFunctions`) over the context's firewall, with addresses renamed by `--target-map`.
 */
import { defineApi } from '../types.js';

const RULE_ID = {
  name: 'ruleID',
  type: 'string',
  doc: 'a `fw-rule-…` id from a create, block or allow call',
} as const;
const DURATION = {
  name: 'duration',
  type: 'string|number',
  optional: true,
  doc: 'seconds or text like `10m`, `1h30m`; omitted or 0: permanent (a Sentra extension)',
} as const;
const REASON = {
  name: 'reason',
  type: 'string',
  optional: true,
  doc: 'why, kept with the entry (extension)',
} as const;

export const FIREWALL_FUNCTIONS = {
  firewall_create_rule: defineApi({
    summary: 'Create a firewall rule in the kernel (nftables, else iptables)',
    params: [
      { name: 'chain', type: 'string', doc: '`INPUT`, `OUTPUT` or `FORWARD`' },
      { name: 'protocol', type: 'string', doc: '`tcp`, `udp`, `icmp`, `icmpv6` or `any`' },
      { name: 'srcIP', type: 'string', doc: 'source address or CIDR, or `any`' },
      { name: 'dstIP', type: 'string', doc: 'destination address or CIDR, or `any`' },
      { name: 'srcPort', type: 'string|number', doc: 'port, range `a-b`, or `any`' },
      { name: 'dstPort', type: 'string|number', doc: 'port, range `a-b`, or `any`' },
      { name: 'action', type: 'string', doc: '`ACCEPT`, `DROP` or `REJECT`' },
    ],
    returns:
      'the rule record (`id`, `chain`, `protocol`, `src_ip`, `dst_ip`, `src_port`, `dst_port`, `action`, ...)',
    fn: async (
      ctx,
      chain: string,
      protocol: string,
      srcIP: string,
      dstIP: string,
      srcPort: string | number,
      dstPort: string | number,
      action: string,
    ) =>
      (await ctx.firewall()).firewall_create_rule(
        chain,
        protocol,
        ctx.mapRuleAddress(srcIP),
        ctx.mapRuleAddress(dstIP),
        srcPort,
        dstPort,
        action,
      ),
  }),
  firewall_delete_rule: defineApi({
    summary: 'Delete a rule, ban, allow or port block by id',
    params: [RULE_ID],
    returns: '`{success, rule_id, rule}`',
    fn: async (ctx, ruleID: string) => (await ctx.firewall()).firewall_delete_rule(ruleID),
  }),
  firewall_list_rules: defineApi({
    summary: 'List every rule, ban, allow and port block Sentra holds, with kernel counters',
    params: [],
    returns: 'an array of rule records',
    fn: async (ctx) => (await ctx.firewall()).firewall_list_rules(),
  }),
  firewall_block_ip: defineApi({
    summary: 'Ban an address or CIDR (dropped before any rule)',
    params: [{ name: 'ipAddress', type: 'string', doc: 'address or CIDR' }, DURATION, REASON],
    returns: 'the ban record (`id`, `src_ip`, `action: "drop"`, `expires_at`, ...)',
    fn: async (ctx, ipAddress: string, duration?: number | string | null, reason?: string | null) =>
      (await ctx.firewall()).firewall_block_ip(ctx.mapRuleAddress(ipAddress), duration, reason ?? undefined),
  }),
  firewall_allow_ip: defineApi({
    summary: 'Accept an address or CIDR before any ban or rule (it becomes protected)',
    params: [{ name: 'ipAddress', type: 'string', doc: 'address or CIDR' }, DURATION, REASON],
    returns: 'the allow record',
    fn: async (ctx, ipAddress: string, duration?: number | string | null, reason?: string | null) =>
      (await ctx.firewall()).firewall_allow_ip(ctx.mapRuleAddress(ipAddress), duration, reason ?? undefined),
  }),
  firewall_get_stats: defineApi({
    summary: 'Rule counts from the store, blocked packets and bytes from the kernel counters',
    params: [],
    returns:
      '`{rules_count, packets_blocked, bytes_blocked, bans_count, allows_count, custom_rules, policies, ...}`',
    fn: async (ctx) => (await ctx.firewall()).firewall_get_stats(),
  }),
  firewall_clear_rules: defineApi({
    summary: 'Remove every rule, ban, allow and port block Sentra holds (policies stay)',
    params: [],
    returns: '`{success, removed}`',
    fn: async (ctx) => (await ctx.firewall()).firewall_clear_rules(),
  }),
  firewall_set_default_policy: defineApi({
    summary: "Set a chain's default policy (refused when DROP would cut the management address off)",
    params: [
      { name: 'chain', type: 'string', doc: '`INPUT`, `OUTPUT` or `FORWARD`' },
      { name: 'action', type: 'string', doc: '`ACCEPT` or `DROP`' },
    ],
    returns: '`{success, chain, policy, previous}`',
    fn: async (ctx, chain: string, action: string) =>
      (await ctx.firewall()).firewall_set_default_policy(chain, action),
  }),
};
