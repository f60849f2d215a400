/**
 * Reconciliation: compares what the store says should be in the kernel with what the kernel
 * holds, and plans the changes that make them agree. The store is the truth: what is missing is
 * re-applied with its remaining lifetime (so a ban keeps its original expiry across a restart or
 * a reboot), what expired is removed, and whatever else sits in Sentra's sets is removed and
 * reported as drift. Pure: the caller reads the snapshot and applies the plan.
 */
import type { AddrElement, AddrSetKind, ChainLayout, KernelSnapshot, PortElement } from './backend.js';
import { type AddrTarget, CHAINS, type PortProtocol } from './model.js';

/** Elements closer than this to their end are left to the kernel's own expiry. */
export const NEAR_EXPIRY_MS = 1000;
/**
 * Kernel timeouts are read back in whole seconds: a kernel element expiring up to this much
 * earlier than the store says is not drift.
 */
export const TIMEOUT_TOLERANCE_MS = 2500;
/**
 * A kernel element starts its timeout when the kernel commits it, which for a large bulk ban on
 * a busy machine is seconds after Sentra computed the expiry: expiring up to this much later is
 * not drift either.
 */
export const LATE_APPLY_TOLERANCE_MS = 60_000;
/** At most this many drift items are listed in a report (the count is always exact). */
export const MAX_DRIFT_ITEMS = 200;

export type DriftType = 'table_missing' | 'missing' | 'unexpected' | 'timeout' | 'rules' | 'policy';

/** One difference between the store and the kernel. */
export interface DriftItem {
  type: DriftType;
  /** `ban`, `allow`, `port` or `chain`. */
  kind: 'ban' | 'allow' | 'port' | 'chain';
  /** The address, `tcp:22`, or the chain name. */
  target: string;
  /** The store entry concerned, when there is one. */
  id?: string;
  detail: string;
}

/** A desired set element, from the store. */
export interface DesiredAddr {
  id: string;
  target: AddrTarget;
  expiresAt: number | null;
}

export interface DesiredPort {
  id: string;
  protocol: PortProtocol;
  from: number;
  to: number;
  expiresAt: number | null;
}

export interface ReconcileInput {
  /** When the kernel was read (after the snapshot returned). */
  now: number;
  maxTimeoutMs: number;
  bans: readonly DesiredAddr[];
  allows: readonly DesiredAddr[];
  ports: readonly DesiredPort[];
  layout: ChainLayout;
  /** Keys (`ban:1.2.3.4`, `allow:...`, `port:tcp:22`) of entries that just expired in the store. */
  expiredKeys: ReadonlySet<string>;
}

export interface ReconcilePlan {
  add: Record<AddrSetKind, AddrElement[]>;
  remove: Record<AddrSetKind, AddrTarget[]>;
  addPorts: PortElement[];
  removePorts: PortElement[];
  rewriteChains: boolean;
  drift: DriftItem[];
  /** Re-added because a timeout longer than the kernel accepts was capped earlier (not drift). */
  refreshed: number;
  /** Kernel leftovers of entries that expired in the store. */
  expiredLeftovers: number;
}

function remaining(expiresAt: number | null, now: number): number | null {
  return expiresAt === null ? null : expiresAt - now;
}

function planAddrs(
  kind: AddrSetKind,
  desired: readonly DesiredAddr[],
  actual: readonly AddrElement[],
  input: ReconcileInput,
  plan: ReconcilePlan,
): void {
  const inKernel = new Map<string, AddrElement>();
  for (const a of actual) inKernel.set(a.target.text, a);
  const wanted = new Set<string>();
  for (const d of desired) {
    const key = d.target.text;
    wanted.add(key);
    const left = remaining(d.expiresAt, input.now);
    if (left !== null && left < NEAR_EXPIRY_MS) continue;
    const expected = left === null ? null : Math.min(left, input.maxTimeoutMs);
    const k = inKernel.get(key);
    const el: AddrElement = { target: d.target, timeoutMs: expected };
    if (!k) {
      plan.add[kind].push(el);
      plan.drift.push({
        type: 'missing',
        kind,
        target: key,
        id: d.id,
        detail: 'not in the kernel; re-applied',
      });
      continue;
    }
    if ((expected === null) !== (k.timeoutMs === null)) {
      plan.add[kind].push(el);
      plan.drift.push({
        type: 'timeout',
        kind,
        target: key,
        id: d.id,
        detail:
          expected === null
            ? 'kernel element expires but the ban is permanent'
            : 'kernel element never expires',
      });
      continue;
    }
    if (
      expected !== null &&
      k.timeoutMs !== null &&
      (k.timeoutMs < expected - TIMEOUT_TOLERANCE_MS || k.timeoutMs > expected + LATE_APPLY_TOLERANCE_MS)
    ) {
      plan.add[kind].push(el);
      if (left !== null && left > input.maxTimeoutMs && k.timeoutMs < expected) plan.refreshed++;
      else {
        plan.drift.push({
          type: 'timeout',
          kind,
          target: key,
          id: d.id,
          detail: `kernel expires in ${Math.round(k.timeoutMs / 1000)} s, the store in ${Math.round(expected / 1000)} s`,
        });
      }
    }
  }
  for (const a of actual) {
    const key = a.target.text;
    if (wanted.has(key)) continue;
    plan.remove[kind].push(a.target);
    if (input.expiredKeys.has(`${kind}:${key}`)) plan.expiredLeftovers++;
    else
      plan.drift.push({
        type: 'unexpected',
        kind,
        target: key,
        detail: 'in the kernel but not in the store; removed',
      });
  }
}

function portLabel(p: { protocol: PortProtocol; from: number; to: number }): string {
  return `${p.protocol}:${p.from === p.to ? p.from : `${p.from}-${p.to}`}`;
}

function planPorts(input: ReconcileInput, actual: readonly PortElement[], plan: ReconcilePlan): void {
  const covered: Record<PortProtocol, Uint8Array> = {
    tcp: new Uint8Array(65536),
    udp: new Uint8Array(65536),
  };
  for (const d of input.ports) covered[d.protocol].fill(1, d.from, d.to + 1);
  const kept: Record<PortProtocol, Uint8Array> = { tcp: new Uint8Array(65536), udp: new Uint8Array(65536) };
  for (const a of actual) {
    let unknown = false;
    for (let p = a.from; p <= a.to && !unknown; p++) if (!covered[a.protocol][p]) unknown = true;
    if (!unknown) {
      kept[a.protocol].fill(1, a.from, a.to + 1);
      continue;
    }
    plan.removePorts.push(a);
    if (input.expiredKeys.has(`port:${a.protocol}:${a.from}-${a.to}`)) plan.expiredLeftovers++;
    else {
      plan.drift.push({
        type: 'unexpected',
        kind: 'port',
        target: portLabel(a),
        detail: 'in the kernel but not in the store; removed',
      });
    }
  }
  for (const d of input.ports) {
    const left = remaining(d.expiresAt, input.now);
    if (left !== null && left < NEAR_EXPIRY_MS) continue;
    let missing = false;
    for (let p = d.from; p <= d.to && !missing; p++) if (!kept[d.protocol][p]) missing = true;
    if (!missing) continue;
    plan.addPorts.push({
      protocol: d.protocol,
      from: d.from,
      to: d.to,
      timeoutMs: left === null ? null : Math.min(left, input.maxTimeoutMs),
    });
    plan.drift.push({
      type: 'missing',
      kind: 'port',
      target: portLabel(d),
      id: d.id,
      detail: 'not in the kernel; re-applied',
    });
  }
}

function planChains(input: ReconcileInput, snap: KernelSnapshot, plan: ReconcilePlan): void {
  for (const ch of CHAINS) {
    const want = input.layout.rules.filter((r) => r.chain === ch).map((r) => r.id);
    const have = snap.rules[ch];
    if (want.length !== have.length || want.some((id, i) => have[i] !== id)) {
      plan.rewriteChains = true;
      plan.drift.push({
        type: 'rules',
        kind: 'chain',
        target: ch,
        detail: `kernel has ${have.length} Sentra rule(s) [${have.slice(0, 5).join(', ')}], the store ${want.length}`,
      });
    }
    const pol = snap.policies?.[ch];
    if (pol !== undefined && pol !== input.layout.policies[ch]) {
      plan.rewriteChains = true;
      plan.drift.push({
        type: 'policy',
        kind: 'chain',
        target: ch,
        detail: `kernel policy ${pol}, the store ${input.layout.policies[ch]}`,
      });
    }
  }
}

/** Plans the changes that make the kernel match the store. */
export function planReconcile(
  input: ReconcileInput,
  snap: KernelSnapshot,
  tableCreated: boolean,
): ReconcilePlan {
  const plan: ReconcilePlan = {
    add: { ban: [], allow: [] },
    remove: { ban: [], allow: [] },
    addPorts: [],
    removePorts: [],
    rewriteChains: tableCreated || !snap.present,
    drift: [],
    refreshed: 0,
    expiredLeftovers: 0,
  };
  if (tableCreated) {
    plan.drift.push({
      type: 'table_missing',
      kind: 'chain',
      target: 'table',
      detail: "Sentra's table/chains were missing and have been recreated",
    });
  }
  planAddrs('ban', input.bans, snap.bans, input, plan);
  planAddrs('allow', input.allows, snap.allows, input, plan);
  planPorts(input, snap.ports, plan);
  if (!plan.rewriteChains) planChains(input, snap, plan);
  return plan;
}

/** The result of a reconciliation, as reported to callers (snake_case, like every result). */
export interface ReconcileReport {
  backend: string;
  /** Sentra's table (or chains and sets) had to be created. */
  table_created: boolean;
  /** Store entries checked against the kernel. */
  checked: number;
  /** Elements put back into the kernel. */
  reapplied: number;
  /** Store entries that had expired and were removed (with any kernel leftovers). */
  removed_expired: number;
  /** Kernel elements that the store does not know, removed. */
  removed_unknown: number;
  /** Elements whose capped kernel timeout was renewed. */
  refreshed: number;
  /** Sentra's chains were rewritten. */
  rules_rewritten: boolean;
  /** Total differences found (drift lists at most MAX_DRIFT_ITEMS of them). */
  drift_count: number;
  drift: DriftItem[];
}
