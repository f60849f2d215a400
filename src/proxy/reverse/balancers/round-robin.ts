/**
 * Smooth weighted round robin, nginx's algorithm (ngx_http_upstream_get_peer): each pick adds
 * every candidate's weight to its current weight, takes the largest, and subtracts the total
 * from the winner. Weights 5,1,1 give a a b a c a a rather than a a a a a b c.
 */
import type { Backend } from '../backend.js';
import type { Balancer, PickContext } from './types.js';

export function smoothWeightedPick(candidates: readonly Backend[]): Backend | null {
  let best: Backend | null = null;
  let total = 0;
  for (let i = 0; i < candidates.length; i++) {
    const b = candidates[i];
    b.currentWeight += b.weight;
    total += b.weight;
    if (best === null || b.currentWeight > best.currentWeight) best = b;
  }
  if (best !== null) best.currentWeight -= total;
  return best;
}

export class RoundRobinBalancer implements Balancer {
  readonly name = 'round_robin';

  pick(ctx: PickContext): Backend | null {
    return smoothWeightedPick(ctx.candidates);
  }

  update(all: readonly Backend[]): void {
    for (const b of all) b.currentWeight = 0;
  }
}
