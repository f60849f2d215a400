/** The registry of load-balancing strategies, by the names the spec uses. */
import { ErrorCodes, SentraError } from '../../../errors.js';
import { IpHashBalancer } from './ip-hash.js';
import { LeastConnectionsBalancer } from './least-connections.js';
import { PowerOfTwoBalancer } from './power-of-two.js';
import { RandomBalancer } from './random.js';
import { RoundRobinBalancer } from './round-robin.js';
import type { Balancer } from './types.js';

export type { Balancer, PickContext } from './types.js';

const registry = new Map<string, () => Balancer>([
  ['round_robin', () => new RoundRobinBalancer()],
  ['least_connections', () => new LeastConnectionsBalancer()],
  ['ip_hash', () => new IpHashBalancer()],
  ['random', () => new RandomBalancer()],
  ['power_of_two', () => new PowerOfTwoBalancer()],
]);

/** Other spellings people use for the same strategies. */
const ALIASES: Record<string, string> = {
  roundrobin: 'round_robin',
  rr: 'round_robin',
  weighted_round_robin: 'round_robin',
  least_conn: 'least_connections',
  leastconn: 'least_connections',
  iphash: 'ip_hash',
  consistent_hash: 'ip_hash',
  p2c: 'power_of_two',
  two_random_choices: 'power_of_two',
};

/** Names of every registered strategy. */
export function balancerNames(): string[] {
  return [...registry.keys()];
}

/** Resolves a (possibly aliased, any-case, dash or underscore) name to a registered one. */
export function canonicalBalancerName(name: string): string {
  const n = String(name).trim().toLowerCase().replace(/-/g, '_');
  const canonical = ALIASES[n] ?? n;
  if (!registry.has(canonical)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `unknown load-balancing algorithm ${JSON.stringify(name)}; use one of ${balancerNames().join(', ')}`,
      { details: { algorithm: name, known: balancerNames() } },
    );
  }
  return canonical;
}

export function createBalancer(name: string): Balancer {
  return registry.get(canonicalBalancerName(name))!();
}

/** Registers a strategy under a new name (plug-ins). */
export function registerBalancer(name: string, factory: () => Balancer): void {
  registry.set(name, factory);
}
