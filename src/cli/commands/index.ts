/**
 * The `sentra` commands, in the order `sentra --help` shows them, and the subcommand names each
 * file registers. Modules load on demand: `sentra flows` loads only the flows command (and what
 * it imports), not the daemon, Redis or SQLite clients of the others; `--help` loads them all.
 * Each command file adds one entry here.
 */
import type { CommandRegistrar } from '../command.js';

export interface CommandEntry {
  /** Top-level subcommand names the module registers. */
  names: readonly string[];
  load: () => Promise<CommandRegistrar>;
}

export const commands: readonly CommandEntry[] = [
  { names: ['decode'], load: async () => (await import('./decode.js')).registerDecode },
  { names: ['flows'], load: async () => (await import('./flows.js')).registerFlows },
  { names: ['capture', 'interfaces'], load: async () => (await import('./capture.js')).registerCapture },
  { names: ['top'], load: async () => (await import('./top.js')).registerTop },
  { names: ['ids'], load: async () => (await import('./ids.js')).registerIds },
  { names: ['rules'], load: async () => (await import('./rules.js')).registerRules },
  { names: ['conformance'], load: async () => (await import('./conformance.js')).registerConformance },
  { names: ['anomaly'], load: async () => (await import('./anomaly.js')).registerAnomaly },
  { names: ['firewall'], load: async () => (await import('./firewall.js')).registerFirewall },
  { names: ['qos'], load: async () => (await import('./qos.js')).registerQos },
  { names: ['scan'], load: async () => (await import('./scan.js')).registerScan },
  { names: ['vulndb'], load: async () => (await import('./vulndb.js')).registerVulndb },
  { names: ['proxy'], load: async () => (await import('./proxy.js')).registerProxyCommand },
  { names: ['lb'], load: async () => (await import('./lb.js')).registerLbCommand },
  { names: ['run'], load: async () => (await import('./run.js')).registerRun },
  { names: ['repl'], load: async () => (await import('./repl.js')).registerRepl },
  { names: ['serve'], load: async () => (await import('./serve.js')).registerServe },
];
