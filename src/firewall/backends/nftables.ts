/**
 * The nftables backend: one `inet` table of Sentra's own, bans in sets whose elements carry
 * their own timeout (the kernel expires them; nothing polls), every change applied with
 * `nft -f -` (script on stdin, argument array, no shell) so each change is one atomic
 * transaction. Nothing outside the table is read for writing or touched.
 */
import { runCommand } from '../../sys/exec.js';
import type {
  AddrElement,
  AddrSetKind,
  ChainLayout,
  FirewallBackend,
  KernelCounters,
  KernelSnapshot,
  PortElement,
} from '../backend.js';
import { MAX_DURATION_MS } from '../duration.js';
import type { AddrTarget } from '../model.js';
import {
  nftAddAddressesScript,
  nftAddPortsScript,
  nftChainsScript,
  nftFlushScript,
  nftInitScript,
  nftRemoveAddressesScript,
  nftRemovePortsScript,
  nftRuleCounterNames,
  parseNftCounters,
  parseNftTable,
  ruleCounterName,
} from './nft-script.js';
import { backendError, isMissingObject } from './tool-error.js';

export interface NftablesOptions {
  /** Run every command inside this network namespace. */
  netns?: string;
  /** Table name (family inet). Default `sentra`. */
  table?: string;
  /** The nft binary. Default `nft`. */
  nft?: string;
  timeoutMs?: number;
}

export class NftablesBackend implements FirewallBackend {
  readonly name = 'nftables' as const;
  readonly maxTimeoutMs = MAX_DURATION_MS;
  readonly table: string;
  private readonly netns?: string;
  private readonly nft: string;
  private readonly timeoutMs: number;

  constructor(opts: NftablesOptions = {}) {
    this.table = opts.table ?? 'sentra';
    this.netns = opts.netns;
    this.nft = opts.nft ?? 'nft';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** Runs an nft script as one transaction. */
  async apply(script: string): Promise<void> {
    if (!script) return;
    try {
      await runCommand([this.nft, '-f', '-'], {
        input: script,
        netns: this.netns,
        timeoutMs: this.timeoutMs,
        packageHint: 'nftables',
      });
    } catch (e) {
      throw backendError(e, 'nft');
    }
  }

  private async json(args: string[]): Promise<unknown | null> {
    try {
      const r = await runCommand([this.nft, '-j', ...args], {
        netns: this.netns,
        timeoutMs: this.timeoutMs,
        packageHint: 'nftables',
      });
      return JSON.parse(r.stdout);
    } catch (e) {
      if (isMissingObject(e)) return null;
      throw backendError(e, 'nft');
    }
  }

  /** True when Sentra's table exists (`list tables` only names tables: cheap with 100,000 bans). */
  async exists(): Promise<boolean> {
    const doc = (await this.json(['list', 'tables', 'inet'])) as {
      nftables?: { table?: { name?: string } }[];
    } | null;
    return Boolean(doc?.nftables?.some((x) => x.table?.name === this.table));
  }

  async init(): Promise<boolean> {
    const existed = await this.exists();
    await this.apply(nftInitScript(this.table));
    return !existed;
  }

  addAddresses(set: AddrSetKind, els: readonly AddrElement[], replace: boolean): Promise<void> {
    return this.apply(nftAddAddressesScript(this.table, set, els, replace));
  }

  removeAddresses(set: AddrSetKind, targets: readonly AddrTarget[]): Promise<void> {
    return this.apply(nftRemoveAddressesScript(this.table, set, targets));
  }

  addPorts(els: readonly PortElement[], replace: boolean): Promise<void> {
    return this.apply(nftAddPortsScript(this.table, els, replace));
  }

  removePorts(els: readonly PortElement[]): Promise<void> {
    return this.apply(nftRemovePortsScript(this.table, els));
  }

  async applyChains(layout: ChainLayout): Promise<void> {
    const doc = await this.json(['list', 'counters', 'table', 'inet', this.table]);
    const keep = new Set(layout.rules.map((r) => ruleCounterName(r.id)));
    const stale = doc ? nftRuleCounterNames(doc).filter((n) => !keep.has(n)) : [];
    await this.apply(nftChainsScript(this.table, layout, stale));
  }

  async snapshot(): Promise<KernelSnapshot> {
    const doc = await this.json(['list', 'table', 'inet', this.table]);
    if (doc === null) {
      return {
        present: false,
        bans: [],
        allows: [],
        ports: [],
        rules: { input: [], output: [], forward: [] },
        policies: null,
      };
    }
    return parseNftTable(doc);
  }

  async counters(): Promise<KernelCounters> {
    const doc = await this.json(['list', 'counters', 'table', 'inet', this.table]);
    return parseNftCounters(doc ?? {});
  }

  async flush(): Promise<void> {
    const doc = await this.json(['list', 'counters', 'table', 'inet', this.table]);
    await this.apply(nftFlushScript(this.table) + (doc ? staleCounterLines(this.table, doc) : ''));
  }

  async destroy(): Promise<void> {
    if (await this.exists()) await this.apply(`delete table inet ${this.table}\n`);
  }
}

function staleCounterLines(table: string, doc: unknown): string {
  return nftRuleCounterNames(doc)
    .map((n) => `delete counter inet ${table} ${n}\n`)
    .join('');
}
