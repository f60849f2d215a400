/**
 * Fewest requests in flight relative to weight (nginx's least_conn: compares conns/weight);
 * ties are broken by smooth weighted round robin among the tied backends, so equal idle
 * backends still share traffic by weight.
 */
import type { Backend } from '../backend.js';
import { smoothWeightedPick } from './round-robin.js';
import type { Balancer, PickContext } from './types.js';

export class LeastConnectionsBalancer implements Balancer {
  readonly name = 'least_connections';
  private readonly tied: Backend[] = [];

  pick(ctx: PickContext): Backend | null {
    const c = ctx.candidates;
    if (c.length === 0) return null;
    let best = c[0];
    for (let i = 1; i < c.length; i++) {
      const b = c[i];
      // a.active / a.weight < b.active / b.weight without division
      if (b.active * best.weight < best.active * b.weight) best = b;
    }
    const tied = this.tied;
    tied.length = 0;
    for (let i = 0; i < c.length; i++) {
      if (c[i].active * best.weight === best.active * c[i].weight) tied.push(c[i]);
    }
    const pick = tied.length === 1 ? tied[0] : smoothWeightedPick(tied);
    tied.length = 0;
    return pick;
  }

  update(all: readonly Backend[]): void {
    for (const b of all) b.currentWeight = 0;
  }
}
