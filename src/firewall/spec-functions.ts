/**
 * The spec's eight firewall functions (`firewall_create_rule` ... `firewall_set_default_policy`)
 * bound to one Firewall, with the spec's argument order and snake_case results. The API facade
 * and Sentra scripts expose these names; TypeScript users can call the Firewall methods directly.
 */
import type { Firewall, PolicyResult } from './firewall.js';
import type { FirewallRuleRecord, FirewallStats } from './records.js';

export interface FirewallFunctions {
  /** `firewall_create_rule(chain, protocol, srcIP, dstIP, srcPort, dstPort, action)`; `any` for a wildcard. */
  firewall_create_rule(
    chain: string,
    protocol: string,
    srcIP: string,
    dstIP: string,
    srcPort: string | number,
    dstPort: string | number,
    action: string,
  ): Promise<FirewallRuleRecord>;
  /** Deletes a rule, ban, allow or port block by id. */
  firewall_delete_rule(
    ruleID: string,
  ): Promise<{ success: boolean; rule_id: string; rule: FirewallRuleRecord }>;
  firewall_list_rules(): Promise<FirewallRuleRecord[]>;
  /** Bans an address or CIDR; `duration` (seconds or `10m`) and `reason` are optional. */
  firewall_block_ip(
    ipAddress: string,
    duration?: number | string | null,
    reason?: string,
  ): Promise<FirewallRuleRecord>;
  firewall_allow_ip(
    ipAddress: string,
    duration?: number | string | null,
    reason?: string,
  ): Promise<FirewallRuleRecord>;
  firewall_get_stats(): Promise<FirewallStats>;
  firewall_clear_rules(): Promise<{ success: boolean; removed: number }>;
  firewall_set_default_policy(chain: string, action: string): Promise<PolicyResult & { success: boolean }>;
}

export function firewallFunctions(fw: Firewall): FirewallFunctions {
  return {
    firewall_create_rule: (chain, protocol, src, dst, srcPort, dstPort, action) =>
      fw.createRule({ chain, protocol, src, dst, srcPort, dstPort, action }),
    firewall_delete_rule: async (id) => {
      const rule = await fw.deleteRule(id);
      return { success: true, rule_id: rule.id, rule };
    },
    firewall_list_rules: () => fw.listRules(),
    firewall_block_ip: async (ip, duration, reason) => (await fw.block(ip, { duration, reason }))[0],
    firewall_allow_ip: async (ip, duration, reason) => (await fw.allow(ip, { duration, reason }))[0],
    firewall_get_stats: () => fw.getStats(),
    firewall_clear_rules: async () => ({ success: true, ...(await fw.clearRules()) }),
    firewall_set_default_policy: async (chain, action) => ({
      success: true,
      ...(await fw.setDefaultPolicy(chain, action)),
    }),
  };
}
