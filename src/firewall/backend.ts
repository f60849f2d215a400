/**
 * What a firewall backend does: hold Sentra's own table (or chains and sets), add and remove
 * set elements with per-element timeouts, replace Sentra's chains atomically, and report what
 * the kernel holds (for reconciliation) and its counters. Backends never see user text: every
 * value has been validated into canonical form (see model.ts).
 */
import type { PortRange } from '../net/address.js';
import type {
  AddrTarget,
  BackendName,
  Chain,
  Policies,
  PortProtocol,
  RuleAction,
  RuleProtocol,
} from './model.js';

/** The address sets: bans (drop) and allows (accept before anything else). */
export type AddrSetKind = 'ban' | 'allow';

/** An address or block in a kernel set, with its remaining lifetime (null: permanent). */
export interface AddrElement {
  target: AddrTarget;
  timeoutMs: number | null;
}

/** A blocked destination port range with its remaining lifetime. */
export interface PortElement {
  protocol: PortProtocol;
  from: number;
  to: number;
  timeoutMs: number | null;
}

/** A custom rule ready to render; the family follows from its addresses or protocol. */
export interface KernelRule {
  id: string;
  chain: Chain;
  protocol: RuleProtocol;
  src: AddrTarget | null;
  dst: AddrTarget | null;
  srcPort: PortRange | null;
  dstPort: PortRange | null;
  action: RuleAction;
}

/** Everything in Sentra's chains that is not a set element. */
export interface ChainLayout {
  rules: KernelRule[];
  policies: Policies;
}

/** What the kernel holds, as read back by a backend. */
export interface KernelSnapshot {
  /** True when Sentra's table (or chains and sets) exists whole: nothing for `init` to create. */
  present: boolean;
  bans: AddrElement[];
  allows: AddrElement[];
  ports: PortElement[];
  /** Custom rule ids per chain, in kernel order. */
  rules: Record<Chain, string[]>;
  /** Null when the chains are missing. */
  policies: Policies | null;
}

export interface CounterValue {
  packets: number;
  bytes: number;
}

export interface KernelCounters {
  /** Packets dropped because their source is banned. */
  bans: CounterValue;
  /** Packets dropped by port blocks. */
  ports: CounterValue;
  /** Per custom rule id. */
  rules: Record<string, CounterValue>;
  /** Packets that reached each chain's policy (dropped when the policy is drop). */
  policy: Record<Chain, CounterValue>;
}

export interface FirewallBackend {
  readonly name: BackendName;
  /** Longest timeout the kernel object accepts; longer bans are refreshed by reconciliation. */
  readonly maxTimeoutMs: number;
  /** Creates Sentra's table, sets, counters and chains when missing; true when it had to create them. */
  init(): Promise<boolean>;
  /**
   * Adds elements. With `replace`, an element that may already be present gets the new timeout
   * (kernels keep the old one on a plain add).
   */
  addAddresses(set: AddrSetKind, els: readonly AddrElement[], replace: boolean): Promise<void>;
  /** Removes elements; elements already gone (expired) are not an error. */
  removeAddresses(set: AddrSetKind, targets: readonly AddrTarget[]): Promise<void>;
  addPorts(els: readonly PortElement[], replace: boolean): Promise<void>;
  removePorts(els: readonly PortElement[]): Promise<void>;
  /** Replaces the content and policy of Sentra's chains in one atomic step. */
  applyChains(layout: ChainLayout): Promise<void>;
  snapshot(): Promise<KernelSnapshot>;
  counters(): Promise<KernelCounters>;
  /** Removes every element and rule and sets policies back to accept; the table stays. */
  flush(): Promise<void>;
  /** Removes Sentra's table, chains and sets entirely. */
  destroy(): Promise<void>;
}

export function zeroCounters(): KernelCounters {
  const z = () => ({ packets: 0, bytes: 0 });
  return { bans: z(), ports: z(), rules: {}, policy: { input: z(), output: z(), forward: z() } };
}

/** The family a custom rule applies to: 4, 6, or null for both. */
export function ruleFamily(r: KernelRule): 4 | 6 | null {
  if (r.src) return r.src.family;
  if (r.dst) return r.dst.family;
  if (r.protocol === 'icmp') return 4;
  if (r.protocol === 'icmpv6') return 6;
  return null;
}
