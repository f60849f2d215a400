/** The options and results of the Firewall's operations. */
import type { FirewallBackend } from './backend.js';
import type { DryRunCommand } from './backends/memory.js';
import type { BackendName, Chain, PolicyAction } from './model.js';
import type { FirewallRuleRecord } from './records.js';

export interface FirewallOptions {
  /** A backend name, `auto` (default: nftables, else iptables + ipset), or a backend instance. */
  backend?: BackendName | 'auto' | FirewallBackend;
  /** Apply everything inside this network namespace (tests, containers). */
  netns?: string;
  /** SQLite file. Default: `firewall[-netns-NS][-memory].db` in the data directory. */
  dbPath?: string;
  /** nftables table / iptables prefix. Default `sentra`. */
  table?: string;
  /** Management addresses no ban may cover, in addition to those stored with `protect()`. */
  management?: readonly string[];
  /** Reconcile the kernel with the store when opening (default true). */
  reconcile?: boolean;
  /** Memory backend: called with each command a real backend would run. */
  onCommand?: (cmd: DryRunCommand) => void;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** iptables backend: the iptables binary to use. */
  iptables?: string;
}

/** Options of a ban, allow or port block. */
export interface BlockOptions {
  /** Seconds, or text like `10m`, `1h30m`; null/0/undefined: permanent. */
  duration?: number | string | null;
  reason?: string;
  /** Who asked: `cli`, `api`, `ids:<alert id>`... Default `api`. */
  source?: string;
}

/** A custom rule as `firewall_create_rule` takes it; `any` (or null) for a wildcard. */
export interface RuleInput {
  chain: string;
  protocol?: string | null;
  src?: string | null;
  dst?: string | null;
  srcPort?: string | number | null;
  dstPort?: string | number | null;
  action: string;
  reason?: string;
  source?: string;
  /** Create a drop/reject rule even when it would cover a management address. */
  force?: boolean;
}

export interface UnblockResult {
  removed: FirewallRuleRecord[];
  /** Inputs that matched no entry. */
  not_found: string[];
}

export interface PolicyResult {
  chain: Chain;
  policy: PolicyAction;
  previous: PolicyAction;
}
