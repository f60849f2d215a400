/** Weighted random choice. */
import type { Backend } from '../backend.js';
import { type Balancer, type PickContext, weightedRandom } from './types.js';

export class RandomBalancer implements Balancer {
  readonly name = 'random';

  constructor(private readonly rand: () => number = Math.random) {}

  pick(ctx: PickContext): Backend | null {
    return weightedRandom(ctx.candidates, this.rand);
  }

  update(): void {}
}
