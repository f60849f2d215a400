/**
 * Load-balancing strategies are small objects registered by name (Caddy's design). A strategy
 * picks one backend among the candidates the proxy offers: healthy ones not yet tried for this
 * request. The proxy marks candidates with `pickMark === ctx.mark`, so strategies that keep
 * their own view of all backends (the hash ring) can test membership without allocating.
 */
import type { Backend } from '../backend.js';

export interface PickContext {
  /** Healthy backends not yet tried for this request. */
  candidates: readonly Backend[];
  /** A backend is a candidate when its pickMark equals this. */
  mark: number;
  /** The client's address (for ip_hash). */
  clientIp: string;
}

export interface Balancer {
  readonly name: string;
  /** One of the candidates, or null when there is none. */
  pick(ctx: PickContext): Backend | null;
  /** The set of backends (or a weight) changed: rebuild any derived state. */
  update(all: readonly Backend[]): void;
}

/** Weighted random pick among candidates (shared by random and power_of_two). */
export function weightedRandom(candidates: readonly Backend[], rand: () => number): Backend | null {
  const n = candidates.length;
  if (n === 0) return null;
  if (n === 1) return candidates[0];
  let total = 0;
  for (let i = 0; i < n; i++) total += candidates[i].weight;
  let r = rand() * total;
  for (let i = 0; i < n; i++) {
    r -= candidates[i].weight;
    if (r < 0) return candidates[i];
  }
  return candidates[n - 1];
}
