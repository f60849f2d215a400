/**
 * The iptables + ipset backend, for machines where nftables is missing. Bans live in ipsets
 * with per-element timeouts (the kernel expires them); Sentra's rules live in chains of its own
 * that the built-in chains jump to. Changes go through `ipset restore` and
 * `iptables-restore --noflush` with their input on stdin, so each is one call, never a shell.
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
import { type AddrTarget, CHAINS, type Family, type Policies } from '../model.js';
import {
  IPSET_MAX_TIMEOUT_S,
  type IptSaved,
  ipsetAddPortsScript,
  ipsetAddScript,
  ipsetAllNames,
  ipsetCreateLines,
  ipsetDelPortsScript,
  ipsetDelScript,
  ipsetName,
  ipsetPortName,
  iptChainName,
  iptChainsScript,
  iptCounters,
  parseIpsetAddrs,
  parseIpsetPorts,
  parseIptSave,
} from './ipt-script.js';
import { backendError, isMissingObject } from './tool-error.js';

export interface IptablesOptions {
  netns?: string;
  /** Prefix of chains (upper-cased) and ipsets. Default `sentra`. */
  table?: string;
  /** The iptables binary (`iptables`, `iptables-legacy`, `iptables-nft`); ip6tables is derived. */
  iptables?: string;
  ipset?: string;
  timeoutMs?: number;
}

export class IptablesBackend implements FirewallBackend {
  readonly name = 'iptables' as const;
  readonly maxTimeoutMs = IPSET_MAX_TIMEOUT_S * 1000;
  readonly prefix: string;
  private readonly netns?: string;
  private readonly ipt: Record<Family, string>;
  private readonly ipsetCmd: string;
  private readonly timeoutMs: number;

  constructor(opts: IptablesOptions = {}) {
    this.prefix = opts.table ?? 'sentra';
    this.netns = opts.netns;
    const v4 = opts.iptables ?? 'iptables';
    this.ipt = { 4: v4, 6: v4.replace(/^iptables/, 'ip6tables') };
    this.ipsetCmd = opts.ipset ?? 'ipset';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  private async run(argv: string[], input?: string, okCodes?: number[]) {
    const tool = argv[0];
    try {
      return await runCommand(argv, {
        input,
        netns: this.netns,
        timeoutMs: this.timeoutMs,
        okCodes,
        packageHint: tool.startsWith('ipset') ? 'ipset' : 'iptables',
      });
    } catch (e) {
      throw backendError(e, tool);
    }
  }

  private ipset(script: string): Promise<unknown> {
    if (!script) return Promise.resolve();
    return this.run([this.ipsetCmd, 'restore', '-exist'], script);
  }

  private async save(family: Family): Promise<IptSaved> {
    const r = await this.run([`${this.ipt[family]}-save`, '-c', '-t', 'filter']);
    return parseIptSave(r.stdout, this.prefix);
  }

  private async saveSet(name: string): Promise<string | null> {
    try {
      const r = await runCommand([this.ipsetCmd, 'save', name], {
        netns: this.netns,
        timeoutMs: this.timeoutMs,
        packageHint: 'ipset',
      });
      return r.stdout;
    } catch (e) {
      if (isMissingObject(e)) return null;
      throw backendError(e, 'ipset');
    }
  }

  async init(): Promise<boolean> {
    const before = await this.snapshotChains();
    const created = !before.present;
    await this.ipset(ipsetCreateLines(this.prefix).join('\n') + '\n');
    for (const fam of [4, 6] as const) {
      const saved = before.saved[fam];
      for (const ch of CHAINS) {
        const name = iptChainName(this.prefix, ch);
        if (!saved.chains.has(ch)) await this.run([this.ipt[fam], '-w', '-N', name]);
        if (!saved.jumps.has(ch)) {
          await this.run([
            this.ipt[fam],
            '-w',
            '-I',
            ch.toUpperCase(),
            '1',
            '-m',
            'comment',
            '--comment',
            this.prefix,
            '-j',
            name,
          ]);
        }
      }
    }
    return created;
  }

  addAddresses(set: AddrSetKind, els: readonly AddrElement[], _replace: boolean): Promise<void> {
    // `ipset restore -exist` already updates the timeout of an element that exists
    return this.ipset(ipsetAddScript(this.prefix, set, els)).then(() => undefined);
  }

  removeAddresses(set: AddrSetKind, targets: readonly AddrTarget[]): Promise<void> {
    return this.ipset(ipsetDelScript(this.prefix, set, targets)).then(() => undefined);
  }

  addPorts(els: readonly PortElement[], _replace: boolean): Promise<void> {
    return this.ipset(ipsetAddPortsScript(this.prefix, els)).then(() => undefined);
  }

  removePorts(els: readonly PortElement[]): Promise<void> {
    return this.ipset(ipsetDelPortsScript(this.prefix, els)).then(() => undefined);
  }

  async applyChains(layout: ChainLayout): Promise<void> {
    for (const fam of [4, 6] as const) {
      const saved = await this.save(fam);
      const script = iptChainsScript(this.prefix, fam, layout, saved.counters);
      await this.run([`${this.ipt[fam]}-restore`, '-w', '--noflush', '--counters'], script);
    }
  }

  private async snapshotChains(): Promise<{ present: boolean; saved: Record<Family, IptSaved> }> {
    const saved = { 4: await this.save(4), 6: await this.save(6) };
    const present = ([4, 6] as const).every((f) =>
      CHAINS.every((ch) => saved[f].chains.has(ch) && saved[f].jumps.has(ch)),
    );
    return { present, saved };
  }

  async snapshot(): Promise<KernelSnapshot> {
    const { present: chainsPresent, saved } = await this.snapshotChains();
    const snap: KernelSnapshot = {
      present: chainsPresent,
      bans: [],
      allows: [],
      ports: [],
      rules: { input: [], output: [], forward: [] },
      policies: null,
    };
    for (const kind of ['ban', 'allow'] as const) {
      for (const fam of [4, 6] as const) {
        const text = await this.saveSet(ipsetName(this.prefix, kind, fam));
        if (text === null) snap.present = false;
        else (kind === 'ban' ? snap.bans : snap.allows).push(...parseIpsetAddrs(text));
      }
    }
    for (const p of ['tcp', 'udp'] as const) {
      const text = await this.saveSet(ipsetPortName(this.prefix, p));
      if (text === null) snap.present = false;
      else snap.ports.push(...parseIpsetPorts(text, p));
    }
    for (const ch of CHAINS) {
      // a rule for both families appears in each; keep kernel order, each id once
      const seen = new Set<string>();
      for (const fam of [4, 6] as const) {
        for (const id of saved[fam].rules[ch]) {
          if (!seen.has(id)) {
            seen.add(id);
            snap.rules[ch].push(id);
          }
        }
      }
    }
    if (chainsPresent) {
      const pol = {} as Policies;
      for (const ch of CHAINS) pol[ch] = saved[4].drops[ch] && saved[6].drops[ch] ? 'drop' : 'accept';
      snap.policies = pol;
    }
    return snap;
  }

  async counters(): Promise<KernelCounters> {
    return iptCounters(this.prefix, [await this.save(4), await this.save(6)]);
  }

  async flush(): Promise<void> {
    for (const name of ipsetAllNames(this.prefix)) {
      await this.run([this.ipsetCmd, 'flush', name], undefined, [1]);
    }
    await this.applyChains({ rules: [], policies: { input: 'accept', output: 'accept', forward: 'accept' } });
  }

  async destroy(): Promise<void> {
    for (const fam of [4, 6] as const) {
      const saved = await this.save(fam);
      for (const ch of CHAINS) {
        const name = iptChainName(this.prefix, ch);
        const jump = ['-m', 'comment', '--comment', this.prefix, '-j', name];
        if (saved.jumps.has(ch)) {
          // remove every copy of the jump, however many a crash left behind (bounded)
          for (let i = 0; i < 16; i++) {
            const r = await this.run(
              [this.ipt[fam], '-w', '-D', ch.toUpperCase(), ...jump],
              undefined,
              [1, 2],
            );
            if (r.code !== 0) break;
          }
        }
        if (saved.chains.has(ch)) {
          await this.run([this.ipt[fam], '-w', '-F', name]);
          await this.run([this.ipt[fam], '-w', '-X', name]);
        }
      }
    }
    for (const name of ipsetAllNames(this.prefix)) {
      await this.run([this.ipsetCmd, 'destroy', name], undefined, [1]);
    }
  }
}
