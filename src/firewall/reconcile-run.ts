/**
 * Runs a reconciliation: purges what expired from the store, reads the kernel, plans with
 * reconcile.ts and applies the plan (removals first, then additions, then the chains).
 */
import type { ChainLayout, FirewallBackend } from './backend.js';
import type { Entry, EntryKind, PortProtocol } from './model.js';
import { MAX_DRIFT_ITEMS, planReconcile, type ReconcileReport } from './reconcile.js';
import { entryKey, type FirewallStore } from './store.js';
import { parseTarget } from './validate.js';

export interface ReconcileDeps {
  store: FirewallStore;
  backend: FirewallBackend;
  now: () => number;
  layout: (rules: readonly Entry[]) => ChainLayout;
}

export async function runReconcile({
  store,
  backend,
  now: clock,
  layout,
}: ReconcileDeps): Promise<ReconcileReport> {
  const now = clock();
  const expired = store.purgeExpired(now);
  const expiredKeys = new Set(expired.map((e) => `${e.kind}:${entryKey(e)}`));
  // the snapshot says whether anything is missing; with 100,000 bans, asking nft to "add" the
  // skeleton that exists anyway costs a full cache load, so init runs only when needed
  let snap = await backend.snapshot();
  let created = false;
  if (!snap.present) {
    created = await backend.init();
    snap = await backend.snapshot();
  }
  // kernel timeouts were read during the snapshot: compare them with the store as of its end
  const readAt = clock();
  const addrs = store.activeAddresses(now);
  const ports = store.activeOfKind('port', now);
  const rules = store.activeOfKind('rule', now);
  const pick = (k: EntryKind) =>
    addrs
      .filter((e) => e.kind === k)
      .map((e) => ({ id: e.id, target: parseTarget(e.src), expiresAt: e.expiresAt }));
  const wanted = layout(rules);
  const plan = planReconcile(
    {
      now: readAt,
      maxTimeoutMs: backend.maxTimeoutMs,
      bans: pick('ban'),
      allows: pick('allow'),
      ports: ports.map((e) => ({
        id: e.id,
        protocol: e.protocol as PortProtocol,
        from: e.dstPort!.from,
        to: e.dstPort!.to,
        expiresAt: e.expiresAt,
      })),
      layout: wanted,
      expiredKeys,
    },
    snap,
    created,
  );
  for (const kind of ['ban', 'allow'] as const) {
    if (plan.remove[kind].length) await backend.removeAddresses(kind, plan.remove[kind]);
  }
  if (plan.removePorts.length) await backend.removePorts(plan.removePorts);
  for (const kind of ['ban', 'allow'] as const) {
    if (plan.add[kind].length) await backend.addAddresses(kind, plan.add[kind], true);
  }
  if (plan.addPorts.length) await backend.addPorts(plan.addPorts, true);
  if (plan.rewriteChains) await backend.applyChains(wanted);
  return {
    backend: backend.name,
    table_created: created,
    checked: addrs.length + ports.length + rules.length,
    reapplied: plan.add.ban.length + plan.add.allow.length + plan.addPorts.length - plan.refreshed,
    removed_expired: expired.length,
    removed_unknown: plan.drift.filter((d) => d.type === 'unexpected').length,
    refreshed: plan.refreshed,
    rules_rewritten: plan.rewriteChains,
    drift_count: plan.drift.length,
    drift: plan.drift.slice(0, MAX_DRIFT_ITEMS),
  };
}
