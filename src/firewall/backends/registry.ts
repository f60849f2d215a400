/**
 * Backends registered by name, and the choice made by `auto`: nftables where `nft` works, else
 * iptables + ipset, else a clear message naming what to install (or `--backend memory`).
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { runCommand } from '../../sys/exec.js';
import type { FirewallBackend } from '../backend.js';
import { BACKEND_NAMES, type BackendName } from '../model.js';
import { IptablesBackend } from './iptables.js';
import { type DryRunCommand, MemoryBackend } from './memory.js';
import { NftablesBackend } from './nftables.js';
import { backendError } from './tool-error.js';

export interface BackendOptions {
  netns?: string;
  /** nftables table name, or iptables chain/ipset prefix. Default `sentra`. */
  table?: string;
  /** memory backend: called with each command it would run. */
  onCommand?: (cmd: DryRunCommand) => void;
  /** memory backend: clock. */
  now?: () => number;
  /** iptables backend: the iptables binary (`iptables-legacy`, `iptables-nft`...). */
  iptables?: string;
}

export type BackendFactory = (opts: BackendOptions) => FirewallBackend;

const factories = new Map<string, BackendFactory>([
  ['nftables', (o) => new NftablesBackend({ netns: o.netns, table: o.table })],
  ['iptables', (o) => new IptablesBackend({ netns: o.netns, table: o.table, iptables: o.iptables })],
  ['memory', (o) => new MemoryBackend({ table: o.table, onCommand: o.onCommand, now: o.now })],
]);

/** Registers (or replaces) a backend under a name. */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

export function createBackend(name: BackendName | string, opts: BackendOptions = {}): FirewallBackend {
  const f = factories.get(name);
  if (!f) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `unknown firewall backend ${JSON.stringify(String(name).slice(0, 40))}: expected ${[...factories.keys()].join(', ')} or auto`,
    );
  }
  return f(opts);
}

async function works(argv: string[], netns?: string): Promise<boolean> {
  try {
    await runCommand(argv, { netns, timeoutMs: 10_000 });
    return true;
  } catch (e) {
    const err = backendError(e, argv[0]);
    if (err.code === ErrorCodes.PERMISSION_DENIED) throw err;
    return false;
  }
}

/** Picks nftables when `nft` can list the ruleset, else iptables + ipset. */
export async function detectBackend(opts: { netns?: string } = {}): Promise<BackendName> {
  if (await works(['nft', 'list', 'tables'], opts.netns)) return 'nftables';
  if (
    (await works(['iptables', '-w', '-S', 'INPUT'], opts.netns)) &&
    (await works(['ipset', 'version'], opts.netns))
  ) {
    return 'iptables';
  }
  throw new SentraError(
    ErrorCodes.DEPENDENCY_MISSING,
    'no usable firewall: install the Debian package nftables (or iptables and ipset), or use --backend memory for a dry run',
  );
}

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}
