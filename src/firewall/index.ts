/** Sentra's firewall: bans with kernel-side expiry, allows, port blocks, custom rules, policies. */
export type {
  AddrElement,
  AddrSetKind,
  ChainLayout,
  CounterValue,
  FirewallBackend,
  KernelCounters,
  KernelRule,
  KernelSnapshot,
  PortElement,
} from './backend.js';
export { IptablesBackend, type IptablesOptions } from './backends/iptables.js';
export { type DryRunCommand, MemoryBackend, type MemoryOptions } from './backends/memory.js';
export { NftablesBackend, type NftablesOptions } from './backends/nftables.js';
export {
  type BackendFactory,
  type BackendOptions,
  createBackend,
  detectBackend,
  registerBackend,
} from './backends/registry.js';
export { formatDuration, parseDuration } from './duration.js';
export {
  type BlockOptions,
  Firewall,
  type FirewallOptions,
  type PolicyResult,
  type RuleInput,
  type UnblockResult,
} from './firewall.js';
export type {
  AddrTarget,
  BackendName,
  Chain,
  EntryKind,
  Policies,
  PolicyAction,
  RuleAction,
  RuleProtocol,
} from './model.js';
export { LOOPBACK_BLOCKS } from './protect.js';
export type { DriftItem, ReconcileReport } from './reconcile.js';
export type { FirewallRuleRecord, FirewallStats } from './records.js';
export { type FirewallFunctions, firewallFunctions } from './spec-functions.js';
