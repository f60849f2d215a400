/**
 * Power of two random choices (Mitzenmacher): draw two different backends at random (by
 * weight) and take the one with fewer requests in flight per weight. Nearly as good as
 * least_connections without scanning every backend, and no herd onto one idle backend.
 */
import type { Backend } from '../backend.js';
import { type Balancer, type PickContext, weightedRandom } from './types.js';

export class PowerOfTwoBalancer implements Balancer {
  readonly name = 'power_of_two';

  constructor(private readonly rand: () => number = Math.random) {}

  pick(ctx: PickContext): Backend | null {
    const c = ctx.candidates;
    if (c.length <= 1) return c.length === 1 ? c[0] : null;
    const a = weightedRandom(c, this.rand)!;
    let b = a;
    // a second, different draw; bounded so equal heavy weights cannot loop for long
    for (let tries = 0; tries < 8 && b === a; tries++) b = weightedRandom(c, this.rand)!;
    if (b === a) b = c[(c.indexOf(a) + 1) % c.length];
    return b.active * a.weight < a.active * b.weight ? b : a;
  }

  update(): void {}
}
