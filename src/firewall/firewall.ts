/**
 * The firewall: validated requests in, kernel changes and stored state out. Every public method
 * validates all of its input before changing anything, changes the kernel first and records the
 * change in SQLite only when the kernel accepted it, so a refused or failed call leaves both as
 * they were. Operations on one instance run one at a time.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { dataFile } from '../sys/paths.js';
import type { AddrElement, AddrSetKind, ChainLayout, FirewallBackend, PortElement } from './backend.js';
import { MemoryBackend } from './backends/memory.js';
import { createBackend, detectBackend } from './backends/registry.js';
import { parseDuration } from './duration.js';
import { newId, newIds } from './ids.js';
import {
  type AddrTarget,
  DEFAULT_POLICIES,
  type Entry,
  type EntryKind,
  type Policies,
  type PortProtocol,
} from './model.js';
import type { BlockOptions, FirewallOptions, PolicyResult, RuleInput, UnblockResult } from './options.js';
import { findBlockOverlap } from './overlap.js';
import { findPortBlocks, portElement, preparePortBlock } from './port-blocks.js';
import { ProtectedSet, protectedError } from './protect.js';
import type { ReconcileReport } from './reconcile.js';
import { runReconcile } from './reconcile-run.js';
import { buildStats, type FirewallRuleRecord, type FirewallStats, toRecord } from './records.js';
import { layoutOf, normalizeRule } from './rule-input.js';
import { assertManagementKept, assertPolicyDropSafe, blocksOverlap, unallowedManagement } from './safety.js';
import { type BanHistoryRow, FirewallStore } from './store.js';
import {
  isRuleId,
  parseChain,
  parseNetnsName,
  parsePolicyAction,
  parseReason,
  parseRuleId,
  parseSourceTag,
  parseTableName,
  parseTarget,
} from './validate.js';

const ALL_KINDS: readonly EntryKind[] = ['rule', 'allow', 'ban', 'port'];

function conflict(msg: string, details: Record<string, unknown>): SentraError {
  return new SentraError(ErrorCodes.FIREWALL_CONFLICT, msg, { details });
}

export class Firewall {
  readonly backend: FirewallBackend;
  readonly store: FirewallStore;
  /** The report of the reconciliation done when the firewall was opened. */
  lastReconcile: ReconcileReport | null = null;
  private readonly now: () => number;
  private readonly extraManagement: readonly string[];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    backend: FirewallBackend,
    store: FirewallStore,
    opts: Pick<FirewallOptions, 'now' | 'management'> = {},
  ) {
    this.backend = backend;
    this.store = store;
    this.now = opts.now ?? Date.now;
    this.extraManagement = (opts.management ?? []).map((m) => parseTarget(m).text);
  }

  /** Opens the store, sets up the backend and (by default) reconciles the kernel with the store. */
  static async open(opts: FirewallOptions = {}): Promise<Firewall> {
    const netns = opts.netns === undefined ? undefined : parseNetnsName(opts.netns);
    const table = opts.table === undefined ? undefined : parseTableName(opts.table);
    let backend: FirewallBackend;
    let seedMemory = false;
    if (typeof opts.backend === 'object') backend = opts.backend;
    else {
      const name = !opts.backend || opts.backend === 'auto' ? await detectBackend({ netns }) : opts.backend;
      backend = createBackend(name, {
        netns,
        table,
        onCommand: opts.onCommand,
        now: opts.now,
        iptables: opts.iptables,
      });
      seedMemory = name === 'memory';
    }
    const dbPath =
      opts.dbPath ??
      dataFile(`firewall${netns ? `-netns-${netns}` : ''}${backend.name === 'memory' ? '-memory' : ''}.db`);
    const store = new FirewallStore(dbPath);
    try {
      const fw = new Firewall(backend, store, opts);
      // a dry run starts from the recorded state, so it prints only what this call would change
      if (seedMemory && backend instanceof MemoryBackend) fw.seedMemory(backend);
      if (opts.reconcile !== false) fw.lastReconcile = await fw.reconcile();
      else await backend.init();
      return fw;
    } catch (e) {
      store.close();
      throw e;
    }
  }

  /** Runs operations one after another so that store and kernel never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private seedMemory(m: MemoryBackend): void {
    const now = this.now();
    this.store.purgeExpired(now);
    const { bans, allows, ports, layout } = this.desired(now);
    m.seed({ bans, allows, ports, layout });
  }

  // ------------------------------------------------------------------------------------------
  // state helpers

  policies(): Policies {
    return { ...DEFAULT_POLICIES, ...(this.store.getSetting<Policies>('policies') ?? {}) };
  }

  /** Management addresses: those stored with `protect()` plus those given when opening. */
  management(): string[] {
    const stored = this.store.getSetting<string[]>('management') ?? [];
    return [...new Set([...stored, ...this.extraManagement])];
  }

  private protectedSet(now: number): ProtectedSet {
    const allows = this.store.activeOfKind('allow', now).map((e) => parseTarget(e.src!));
    return ProtectedSet.build(this.management(), allows);
  }

  private kernelTimeout(expiresAt: number | null, now: number): number | null {
    return expiresAt === null ? null : Math.min(Math.max(1, expiresAt - now), this.backend.maxTimeoutMs);
  }

  private layout(rules: readonly Entry[], policies: Policies): ChainLayout {
    return layoutOf(rules, policies);
  }

  private desired(now: number) {
    const active = this.store.active(now);
    const addr = (k: EntryKind): AddrElement[] =>
      active
        .filter((e) => e.kind === k)
        .map((e) => ({ target: parseTarget(e.src!), timeoutMs: this.kernelTimeout(e.expiresAt, now) }));
    const ports: PortElement[] = active
      .filter((e) => e.kind === 'port')
      .map((e) => ({
        protocol: e.protocol as PortProtocol,
        from: e.dstPort!.from,
        to: e.dstPort!.to,
        timeoutMs: this.kernelTimeout(e.expiresAt, now),
      }));
    return {
      active,
      bans: addr('ban'),
      allows: addr('allow'),
      ports,
      layout: this.layout(
        active.filter((e) => e.kind === 'rule'),
        this.policies(),
      ),
    };
  }

  // ------------------------------------------------------------------------------------------
  // bans and allows

  /**
   * Bans addresses or CIDRs (one or many in one kernel transaction). Refused as a whole when any
   * target is invalid, covers a protected address, or overlaps another banned block. Banning an
   * address that is already banned renews it with the new duration and reason.
   */
  block(targets: string | readonly string[], opts: BlockOptions = {}): Promise<FirewallRuleRecord[]> {
    return this.exclusive(() => this.addAddrEntries('ban', targets, opts));
  }

  /** Accepts traffic from addresses or CIDRs before any ban or rule; they become protected. */
  allow(targets: string | readonly string[], opts: BlockOptions = {}): Promise<FirewallRuleRecord[]> {
    return this.exclusive(() => this.addAddrEntries('allow', targets, opts));
  }

  /** Lifts bans, by address/CIDR (exact) or by id. */
  unblock(targets: string | readonly string[]): Promise<UnblockResult> {
    return this.exclusive(() => this.removeAddrEntries('ban', targets));
  }

  /** Removes allow entries, by address/CIDR (exact) or by id. */
  unallow(targets: string | readonly string[]): Promise<UnblockResult> {
    return this.exclusive(() => this.removeAddrEntries('allow', targets));
  }

  private async addAddrEntries(
    kind: AddrSetKind,
    input: string | readonly string[],
    opts: BlockOptions,
  ): Promise<FirewallRuleRecord[]> {
    const list = typeof input === 'string' ? [input] : [...input];
    if (list.length === 0)
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `nothing to ${kind}: no address given`);
    const durationMs = parseDuration(opts.duration);
    const reason = parseReason(opts.reason);
    const source = parseSourceTag(opts.source);
    const byText = new Map<string, AddrTarget>();
    for (const s of list) {
      const t = parseTarget(s);
      byText.set(t.text, t);
    }
    const targets = [...byText.values()];
    const now = this.now();
    this.store.purgeExpired(now);
    if (kind === 'ban') {
      const prot = this.protectedSet(now);
      for (const t of targets) {
        const hit = prot.overlap(t);
        if (hit) throw protectedError('ban', t, hit);
      }
    }
    const nets = targets.filter((t) => t.prefix < (t.family === 4 ? 32 : 128));
    if (nets.length) {
      const existing = this.store
        .activeOfKind(kind, now)
        .map((e) => parseTarget(e.src!))
        .filter((t) => t.prefix < (t.family === 4 ? 32 : 128));
      const pair = findBlockOverlap([...existing, ...nets]);
      if (pair) {
        throw conflict(
          `cannot ${kind} ${pair[1].text}: it overlaps ${pair[0].text}, which is ${byText.has(pair[0].text) ? 'in the same request' : `already ${kind === 'ban' ? 'banned' : 'allowed'}`}; ${kind === 'ban' ? 'unblock' : 'unallow'} one of them first`,
          { a: pair[0].text, b: pair[1].text },
        );
      }
    }
    const expiresAt = durationMs === null ? null : now + durationMs;
    const timeoutMs = this.kernelTimeout(expiresAt, now);
    const fresh: AddrElement[] = [];
    const renew: AddrElement[] = [];
    const entries: Entry[] = [];
    const known = this.store.keysOfKind(kind);
    const nextId = newIds(targets.length);
    for (const t of targets) {
      const oldId = known.get(t.text);
      (oldId ? renew : fresh).push({ target: t, timeoutMs });
      entries.push({
        id: oldId ?? nextId(),
        kind,
        chain: 'input',
        protocol: 'any',
        src: t.text,
        dst: null,
        srcPort: null,
        dstPort: null,
        action: kind === 'ban' ? 'drop' : 'accept',
        reason,
        source,
        position: 0,
        createdAt: now,
        expiresAt,
      });
    }
    const kernel = (async () => {
      if (fresh.length) await this.backend.addAddresses(kind, fresh, false);
      if (renew.length) await this.backend.addAddresses(kind, renew, true);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    const history =
      kind === 'ban'
        ? entries.map((e) => ({
            target: e.src!,
            bannedAt: now,
            durationMs,
            reason: e.reason,
            source: e.source,
          }))
        : [];
    await this.writeWhileKernelApplies(entries, history, kernel);
    return entries.map((e) => toRecord(e, now));
  }

  /**
   * Writes the entries in slices while the kernel command runs (it is another process: on two
   * cores the two overlap), yielding between slices so the event loop keeps feeding the
   * command's stdin; commits only when the kernel accepted the change.
   */
  private async writeWhileKernelApplies(
    entries: readonly Entry[],
    history: readonly BanHistoryRow[],
    kernel: Promise<unknown>,
  ): Promise<void> {
    const SLICE = 4096;
    this.store.begin();
    try {
      for (let i = 0; i < entries.length; i += SLICE) {
        this.store.write(entries, i, Math.min(entries.length, i + SLICE));
        this.store.writeHistory(history, Math.min(history.length, i), Math.min(history.length, i + SLICE));
        if (entries.length > SLICE) await new Promise((r) => setImmediate(r));
      }
      const failed = await kernel;
      if (failed) throw failed;
      this.store.commit();
    } catch (e) {
      this.store.rollback();
      throw e;
    }
  }

  private findEntries(kind: EntryKind, inputs: readonly string[]): { found: Entry[]; notFound: string[] } {
    const found = new Map<string, Entry>();
    const notFound: string[] = [];
    for (const s of inputs) {
      let e: Entry | null;
      if (isRuleId(s)) {
        e = this.store.get(s);
        if (e && e.kind !== kind) e = null;
      } else {
        e = this.store.byKey(kind, parseTarget(s).text);
      }
      if (e) found.set(e.id, e);
      else notFound.push(s);
    }
    return { found: [...found.values()], notFound };
  }

  private async removeAddrEntries(
    kind: AddrSetKind,
    input: string | readonly string[],
  ): Promise<UnblockResult> {
    const list = typeof input === 'string' ? [input] : [...input];
    const now = this.now();
    const { found, notFound } = this.findEntries(kind, list);
    if (kind === 'allow')
      this.assertManagementKept(
        found.map((e) => e.id),
        now,
      );
    if (found.length) {
      await this.backend.removeAddresses(
        kind,
        found.map((e) => parseTarget(e.src!)),
      );
      this.store.delete(found.map((e) => e.id));
    }
    return { removed: found.map((e) => toRecord(e, now)), not_found: notFound };
  }

  // ------------------------------------------------------------------------------------------
  // port blocks

  /** Drops incoming traffic to a port or range (`22`, `6000-6100`) for tcp, udp or both. */
  blockPort(
    port: string | number,
    opts: BlockOptions & { protocol?: string } = {},
  ): Promise<FirewallRuleRecord[]> {
    return this.exclusive(async () => {
      const now = this.now();
      this.store.purgeExpired(now);
      const { entries, fresh, renew } = preparePortBlock(this.store, port, opts, now, (x) =>
        this.kernelTimeout(x, now),
      );
      if (fresh.length) await this.backend.addPorts(fresh, false);
      if (renew.length) await this.backend.addPorts(renew, true);
      this.store.upsert(entries);
      return entries.map((e) => toRecord(e, now));
    });
  }

  /** Lifts a port block (exact port/range; protocol tcp, udp or any). */
  unblockPort(port: string | number, opts: { protocol?: string } = {}): Promise<UnblockResult> {
    return this.exclusive(async () => {
      const now = this.now();
      const { found, notFound } = findPortBlocks(this.store, port, opts.protocol);
      if (found.length) {
        await this.backend.removePorts(found.map((e) => portElement(e)));
        this.store.delete(found.map((e) => e.id));
      }
      return { removed: found.map((e) => toRecord(e, now)), not_found: notFound };
    });
  }

  // ------------------------------------------------------------------------------------------
  // custom rules and policies

  /** Adds a custom rule at the end of its chain (`firewall_create_rule`). */
  createRule(input: RuleInput): Promise<FirewallRuleRecord> {
    return this.exclusive(async () => {
      const { chain, protocol, src, dst, srcPort, dstPort, action, reason, source } = normalizeRule(input);
      const now = this.now();
      this.store.purgeExpired(now);
      if (action !== 'accept' && chain === 'input' && !input.force) {
        for (const m of this.unallowedManagement(now)) {
          if (!src || blocksOverlap(src, m)) {
            throw new SentraError(
              ErrorCodes.FIREWALL_PROTECTED_ADDRESS,
              `refusing a ${action} rule on input that covers the management address ${m.text}; allow that address first, narrow the source, or pass force`,
              { details: { management: m.text } },
            );
          }
        }
      }
      const entry: Entry = {
        id: newId(),
        kind: 'rule',
        chain,
        protocol,
        src: src?.text ?? null,
        dst: dst?.text ?? null,
        srcPort,
        dstPort,
        action,
        reason,
        source,
        position: this.store.nextPosition(chain),
        createdAt: now,
        expiresAt: null,
      };
      const rules = [...this.store.activeOfKind('rule', now), entry];
      await this.backend.applyChains(this.layout(rules, this.policies()));
      this.store.upsert([entry]);
      return toRecord(entry, now);
    });
  }

  /** Deletes any entry by id: a custom rule, a ban, an allow or a port block. */
  deleteRule(id: string): Promise<FirewallRuleRecord> {
    return this.exclusive(async () => {
      const rid = parseRuleId(id);
      const e = this.store.get(rid);
      if (!e)
        throw new SentraError(ErrorCodes.NOT_FOUND, `no firewall rule ${rid}`, { details: { id: rid } });
      const now = this.now();
      if (e.kind === 'ban' || e.kind === 'allow') {
        if (e.kind === 'allow') this.assertManagementKept([e.id], now);
        await this.backend.removeAddresses(e.kind, [parseTarget(e.src!)]);
      } else if (e.kind === 'port') {
        await this.backend.removePorts([portElement(e)]);
      } else {
        this.assertManagementKept([e.id], now);
        const rules = this.store.activeOfKind('rule', now).filter((r) => r.id !== e.id);
        await this.backend.applyChains(this.layout(rules, this.policies()));
      }
      this.store.delete([e.id]);
      return toRecord(e, now);
    });
  }

  /**
   * Sets a chain's default policy. `drop` on input is refused unless every management address
   * is kept reachable by a permanent allow entry or accept rule (or `force` is given).
   */
  setDefaultPolicy(chain: string, action: string, opts: { force?: boolean } = {}): Promise<PolicyResult> {
    return this.exclusive(async () => {
      const ch = parseChain(chain);
      const pol = parsePolicyAction(action);
      const policies = this.policies();
      const previous = policies[ch];
      const now = this.now();
      this.store.purgeExpired(now);
      if (pol === 'drop' && ch === 'input' && !opts.force) {
        assertPolicyDropSafe(this.store.active(now), this.management());
      }
      const next = { ...policies, [ch]: pol };
      await this.backend.applyChains(this.layout(this.store.activeOfKind('rule', now), next));
      this.store.setSetting('policies', next);
      return { chain: ch, policy: pol, previous };
    });
  }

  private unallowedManagement(now: number): AddrTarget[] {
    return unallowedManagement(
      this.store.activeOfKind('allow', now).map((e) => parseTarget(e.src!)),
      this.management(),
    );
  }

  /** Refuses removing entries that keep management access while the input policy is drop. */
  private assertManagementKept(removing: readonly string[], now: number): void {
    if (this.policies().input !== 'drop') return;
    assertManagementKept(this.store.active(now), removing, this.management());
  }

  // ------------------------------------------------------------------------------------------
  // management allowlist

  /** Adds management addresses (stored); refused while a ban covers one of them. */
  protect(targets: string | readonly string[]): Promise<string[]> {
    return this.exclusive(async () => {
      const list = (typeof targets === 'string' ? [targets] : [...targets]).map((t) => parseTarget(t));
      const now = this.now();
      const bans = this.store.activeOfKind('ban', now);
      for (const t of list) {
        const hit = bans.find((b) => blocksOverlap(parseTarget(b.src!), t));
        if (hit) {
          throw conflict(`${t.text} is covered by the ban ${hit.id} (${hit.src}); unblock it first`, {
            ban: hit.id,
            target: t.text,
          });
        }
      }
      const stored = this.store.getSetting<string[]>('management') ?? [];
      const next = [...new Set([...stored, ...list.map((t) => t.text)])];
      this.store.setSetting('management', next);
      return this.management();
    });
  }

  /** Removes stored management addresses (those given when opening stay for this instance). */
  unprotect(targets: string | readonly string[]): Promise<string[]> {
    return this.exclusive(async () => {
      const drop = new Set(
        (typeof targets === 'string' ? [targets] : [...targets]).map((t) => parseTarget(t).text),
      );
      const stored = this.store.getSetting<string[]>('management') ?? [];
      this.store.setSetting(
        'management',
        stored.filter((m) => !drop.has(m)),
      );
      return this.management();
    });
  }

  // ------------------------------------------------------------------------------------------
  // reading

  /** Every active entry (custom rules in chain order, then allows, bans, port blocks). */
  listRules(filter: { kind?: EntryKind } = {}): Promise<FirewallRuleRecord[]> {
    return this.exclusive(async () => {
      const now = this.now();
      this.store.purgeExpired(now);
      const active = filter.kind ? this.store.activeOfKind(filter.kind, now) : this.store.active(now);
      const needCounters = active.some((e) => e.kind === 'rule');
      const counters = needCounters ? await this.backend.counters() : undefined;
      const order = (k: EntryKind) => ALL_KINDS.indexOf(k);
      active.sort(
        (a, b) =>
          order(a.kind) - order(b.kind) ||
          (a.kind === 'rule' ? a.chain.localeCompare(b.chain) || a.position - b.position : 0) ||
          a.createdAt - b.createdAt,
      );
      return active.map((e) => toRecord(e, now, counters));
    });
  }

  /** `firewall_get_stats()`: counts, and packets/bytes blocked from the kernel's counters. */
  getStats(): Promise<FirewallStats> {
    return this.exclusive(async () => {
      const now = this.now();
      this.store.purgeExpired(now);
      return buildStats(
        this.backend.name,
        this.store.active(now),
        await this.backend.counters(),
        this.policies(),
      );
    });
  }

  /** How many times `address` was banned since `sinceMs` (for escalating ban times). */
  banCount(address: string, sinceMs = 0): number {
    return this.store.historyCount(parseTarget(address).text, sinceMs);
  }

  /** The active ban of exactly this address/CIDR, or null. */
  activeBan(address: string): FirewallRuleRecord | null {
    const now = this.now();
    const e = this.store.byKey('ban', parseTarget(address).text);
    return e && (e.expiresAt === null || e.expiresAt > now) ? toRecord(e, now) : null;
  }

  // ------------------------------------------------------------------------------------------
  // clearing and reconciling

  /**
   * Removes every entry Sentra created and sets the policies back to accept
   * (`firewall_clear_rules`). With `removeTable`, Sentra's table/chains/sets go too.
   */
  clearRules(opts: { removeTable?: boolean } = {}): Promise<{ removed: number }> {
    return this.exclusive(async () => {
      if (opts.removeTable) await this.backend.destroy();
      else await this.backend.flush();
      this.store.setSetting('policies', DEFAULT_POLICIES);
      return { removed: this.store.clearEntries() };
    });
  }

  /** Makes the kernel match the store; reports what differed. */
  reconcile(): Promise<ReconcileReport> {
    return this.exclusive(() =>
      runReconcile({
        store: this.store,
        backend: this.backend,
        now: this.now,
        layout: (rules) => this.layout(rules, this.policies()),
      }),
    );
  }

  /**
   * Reconciles every `intervalMs` (default 60 s): renews timeouts the kernel could not hold
   * whole and repairs drift. Returns a function that stops it. The timer does not keep the
   * process alive.
   */
  startAutoReconcile(intervalMs = 60_000, onReport?: (r: ReconcileReport | Error) => void): () => void {
    const t = setInterval(() => {
      this.reconcile().then(
        (r) => onReport?.(r),
        (e: Error) => onReport?.(e),
      );
    }, intervalMs);
    t.unref();
    return () => clearInterval(t);
  }

  /** Closes the store. The kernel state stays as it is (bans keep expiring on their own). */
  close(): void {
    this.store.close();
  }
}

export type {
  BlockOptions,
  FirewallOptions,
  FirewallRuleRecord,
  FirewallStats,
  PolicyResult,
  ReconcileReport,
  RuleInput,
  UnblockResult,
};
