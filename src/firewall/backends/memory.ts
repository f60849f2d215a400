/**
 * The memory backend: the kernel's behaviour (sets with expiring elements, chains, policies)
 * held in memory, for tests and for unprivileged dry runs. It reports every command the
 * nftables backend would run for the same change (`commands`, and `onCommand` as they happen),
 * so `sentra firewall block ... --backend memory` shows exactly what would be applied.
 */
import type {
  AddrElement,
  AddrSetKind,
  ChainLayout,
  FirewallBackend,
  KernelCounters,
  KernelSnapshot,
  PortElement,
} from '../backend.js';
import { zeroCounters } from '../backend.js';
import { MAX_DURATION_MS } from '../duration.js';
import { type AddrTarget, DEFAULT_POLICIES, type Policies } from '../model.js';
import {
  nftAddAddressesScript,
  nftAddPortsScript,
  nftChainsScript,
  nftFlushScript,
  nftInitScript,
  nftRemoveAddressesScript,
  nftRemovePortsScript,
} from './nft-script.js';

/** A command a real backend would have run: argv plus its stdin. */
export interface DryRunCommand {
  argv: string[];
  input?: string;
}

export interface MemoryOptions {
  table?: string;
  /** Called with each command as it would run. */
  onCommand?: (cmd: DryRunCommand) => void;
  /** Clock, for tests of expiry. */
  now?: () => number;
  /** Start with the table in place (as if the kernel already held it). */
  present?: boolean;
}

interface Held {
  target: AddrTarget;
  deadline: number | null;
}

export class MemoryBackend implements FirewallBackend {
  readonly name = 'memory' as const;
  readonly maxTimeoutMs = MAX_DURATION_MS;
  readonly table: string;
  /** Every command that would have run, in order. */
  readonly commands: DryRunCommand[] = [];
  private readonly onCommand?: (cmd: DryRunCommand) => void;
  private readonly now: () => number;
  private present: boolean;
  private readonly sets: Record<AddrSetKind, Map<string, Held>> = { ban: new Map(), allow: new Map() };
  private readonly ports = new Map<string, { el: PortElement; deadline: number | null }>();
  private layout: ChainLayout = { rules: [], policies: { ...DEFAULT_POLICIES } };

  constructor(opts: MemoryOptions = {}) {
    this.table = opts.table ?? 'sentra';
    this.onCommand = opts.onCommand;
    this.now = opts.now ?? Date.now;
    this.present = opts.present ?? false;
  }

  private emit(script: string): void {
    if (!script) return;
    const cmd = { argv: ['nft', '-f', '-'], input: script };
    this.commands.push(cmd);
    this.onCommand?.(cmd);
  }

  private deadline(ms: number | null): number | null {
    return ms === null ? null : this.now() + ms;
  }

  private expire(): void {
    const t = this.now();
    for (const set of Object.values(this.sets)) {
      for (const [k, v] of set) if (v.deadline !== null && v.deadline <= t) set.delete(k);
    }
    for (const [k, v] of this.ports) if (v.deadline !== null && v.deadline <= t) this.ports.delete(k);
  }

  async init(): Promise<boolean> {
    const created = !this.present;
    if (created) this.emit(nftInitScript(this.table));
    this.present = true;
    return created;
  }

  async addAddresses(set: AddrSetKind, els: readonly AddrElement[], replace: boolean): Promise<void> {
    this.emit(nftAddAddressesScript(this.table, set, els, replace));
    const m = this.sets[set];
    for (const e of els) {
      // like the kernel: a plain add keeps an existing element's timeout
      if (!replace && m.has(e.target.text)) continue;
      m.set(e.target.text, { target: e.target, deadline: this.deadline(e.timeoutMs) });
    }
  }

  async removeAddresses(set: AddrSetKind, targets: readonly AddrTarget[]): Promise<void> {
    this.emit(nftRemoveAddressesScript(this.table, set, targets));
    for (const t of targets) this.sets[set].delete(t.text);
  }

  async addPorts(els: readonly PortElement[], replace: boolean): Promise<void> {
    this.emit(nftAddPortsScript(this.table, els, replace));
    for (const e of els) {
      const k = `${e.protocol}:${e.from}-${e.to}`;
      if (!replace && this.ports.has(k)) continue;
      this.ports.set(k, { el: { ...e }, deadline: this.deadline(e.timeoutMs) });
    }
  }

  async removePorts(els: readonly PortElement[]): Promise<void> {
    this.emit(nftRemovePortsScript(this.table, els));
    for (const e of els) this.ports.delete(`${e.protocol}:${e.from}-${e.to}`);
  }

  async applyChains(layout: ChainLayout): Promise<void> {
    this.emit(nftChainsScript(this.table, layout));
    this.layout = { rules: [...layout.rules], policies: { ...layout.policies } };
  }

  async snapshot(): Promise<KernelSnapshot> {
    this.expire();
    const t = this.now();
    const left = (d: number | null) => (d === null ? null : d - t);
    const rules: KernelSnapshot['rules'] = { input: [], output: [], forward: [] };
    for (const r of this.layout.rules) rules[r.chain].push(r.id);
    return {
      present: this.present,
      bans: [...this.sets.ban.values()].map((h) => ({ target: h.target, timeoutMs: left(h.deadline) })),
      allows: [...this.sets.allow.values()].map((h) => ({ target: h.target, timeoutMs: left(h.deadline) })),
      ports: [...this.ports.values()].map((p) => ({ ...p.el, timeoutMs: left(p.deadline) })),
      rules,
      policies: this.present ? ({ ...this.layout.policies } as Policies) : null,
    };
  }

  /** No packets cross a memory backend: every counter is zero. */
  async counters(): Promise<KernelCounters> {
    return zeroCounters();
  }

  async flush(): Promise<void> {
    this.emit(nftFlushScript(this.table));
    this.sets.ban.clear();
    this.sets.allow.clear();
    this.ports.clear();
    this.layout = { rules: [], policies: { ...DEFAULT_POLICIES } };
  }

  async destroy(): Promise<void> {
    this.emit(`delete table inet ${this.table}\n`);
    this.present = false;
    this.sets.ban.clear();
    this.sets.allow.clear();
    this.ports.clear();
    this.layout = { rules: [], policies: { ...DEFAULT_POLICIES } };
  }

  /**
   * Sets the held state without reporting any command: a dry run that starts from the recorded
   * state prints only what the next change would do.
   */
  seed(state: {
    bans: readonly AddrElement[];
    allows: readonly AddrElement[];
    ports: readonly PortElement[];
    layout: ChainLayout;
  }): void {
    this.present = true;
    for (const [kind, list] of [
      ['ban', state.bans],
      ['allow', state.allows],
    ] as const) {
      for (const e of list)
        this.sets[kind].set(e.target.text, { target: e.target, deadline: this.deadline(e.timeoutMs) });
    }
    for (const e of state.ports) {
      this.ports.set(`${e.protocol}:${e.from}-${e.to}`, {
        el: { ...e },
        deadline: this.deadline(e.timeoutMs),
      });
    }
    this.layout = { rules: [...state.layout.rules], policies: { ...state.layout.policies } };
  }

  /** Removes an element as someone editing the kernel by hand would (for drift tests). */
  tamperRemove(set: AddrSetKind, text: string): boolean {
    return this.sets[set].delete(text);
  }
}
