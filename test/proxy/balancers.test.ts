/** Load-balancing strategies on their own (no sockets): the picks they make. */
import { describe, expect, it } from 'vitest';
import { Backend } from '../../src/proxy/reverse/backend.js';
import {
  balancerNames,
  canonicalBalancerName,
  createBalancer,
} from '../../src/proxy/reverse/balancers/index.js';
import type { PickContext } from '../../src/proxy/reverse/balancers/types.js';

function backends(weights: number[]): Backend[] {
  return weights.map((w, i) => new Backend(`backend-${i + 1}`, `http://10.0.0.${i + 1}:80`, w));
}

function ctx(list: Backend[], clientIp = '192.0.2.1'): PickContext {
  for (const b of list) b.pickMark = 7;
  return { candidates: list, mark: 7, clientIp };
}

describe('balancer registry', () => {
  it('has the five strategies of the spec and resolves aliases', () => {
    expect(balancerNames().sort()).toEqual([
      'ip_hash',
      'least_connections',
      'power_of_two',
      'random',
      'round_robin',
    ]);
    expect(canonicalBalancerName('least_conn')).toBe('least_connections');
    expect(canonicalBalancerName('Round-Robin')).toBe('round_robin');
    expect(() => canonicalBalancerName('fastest')).toThrow(/unknown load-balancing algorithm/);
  });
});

describe('round_robin (smooth weighted)', () => {
  it('interleaves as nginx does: weights 5,1,1 give a a b a c a a', () => {
    const list = backends([5, 1, 1]);
    const rr = createBalancer('round_robin');
    rr.update(list);
    const c = ctx(list);
    const seq = Array.from({ length: 7 }, () => rr.pick(c)!.id.slice(-1));
    // nginx's comment in ngx_http_upstream_round_robin.c: { a, a, b, a, c, a, a }
    expect(seq.join(' ')).toBe('1 1 2 1 3 1 1');
  });

  it('gives exact shares over a full cycle', () => {
    const list = backends([3, 2, 1]);
    const rr = createBalancer('round_robin');
    rr.update(list);
    const counts = [0, 0, 0];
    for (let i = 0; i < 600; i++) counts[Number(rr.pick(ctx(list))!.id.slice(-1)) - 1]++;
    expect(counts).toEqual([300, 200, 100]);
  });
});

describe('least_connections', () => {
  it('picks the fewest in flight per weight', () => {
    const list = backends([1, 1, 2]);
    list[0].active = 3;
    list[1].active = 1;
    list[2].active = 3; // 1.5 per weight
    expect(createBalancer('least_connections').pick(ctx(list))!.id).toBe('backend-2');
    list[1].active = 2; // 2 per weight > 1.5
    expect(createBalancer('least_connections').pick(ctx(list))!.id).toBe('backend-3');
  });

  it('shares ties by weight', () => {
    const list = backends([2, 1]);
    const lc = createBalancer('least_connections');
    const counts = [0, 0];
    for (let i = 0; i < 300; i++) counts[Number(lc.pick(ctx(list))!.id.slice(-1)) - 1]++;
    expect(counts).toEqual([200, 100]);
  });
});

describe('random and power_of_two', () => {
  it('random follows the weights', () => {
    const list = backends([3, 1]);
    const r = createBalancer('random');
    let first = 0;
    for (let i = 0; i < 20_000; i++) if (r.pick(ctx(list))!.id === 'backend-1') first++;
    expect(first / 20_000).toBeGreaterThan(0.72);
    expect(first / 20_000).toBeLessThan(0.78);
  });

  it('power_of_two never picks the busier of two', () => {
    const list = backends([1, 1]);
    list[0].active = 5;
    const p2 = createBalancer('power_of_two');
    for (let i = 0; i < 100; i++) expect(p2.pick(ctx(list))!.id).toBe('backend-2');
  });
});

describe('ip_hash (consistent)', () => {
  const clients = Array.from({ length: 2000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.7`);

  it('is sticky and spreads clients roughly by weight', () => {
    const list = backends([1, 1, 1]);
    const h = createBalancer('ip_hash');
    h.update(list);
    const counts = new Map<string, number>();
    for (const ip of clients) {
      const a = h.pick(ctx(list, ip))!;
      expect(h.pick(ctx(list, ip))).toBe(a);
      counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
    }
    for (const n of counts.values()) expect(n).toBeGreaterThan(2000 / 3 / 1.5);
  });

  it('moves only about 1/n of the clients, all to the new backend, when one is added', () => {
    const list = backends([1, 1, 1]);
    const h = createBalancer('ip_hash');
    h.update(list);
    const before = new Map(clients.map((ip) => [ip, h.pick(ctx(list, ip))!.id]));
    const grown = [...list, new Backend('backend-4', 'http://10.0.0.4:80', 1)];
    h.update(grown);
    let moved = 0;
    for (const ip of clients) {
      const now = h.pick(ctx(grown, ip))!.id;
      if (now !== before.get(ip)) {
        moved++;
        expect(now).toBe('backend-4');
      }
    }
    expect(moved / clients.length).toBeGreaterThan(0.1);
    expect(moved / clients.length).toBeLessThan(0.4);
  });

  it('sends an unhealthy backend’s clients to the next one and only those', () => {
    const list = backends([1, 1, 1]);
    const h = createBalancer('ip_hash');
    h.update(list);
    const before = new Map(clients.map((ip) => [ip, h.pick(ctx(list, ip))!.id]));
    const healthy = [list[0], list[2]];
    for (const b of list) b.pickMark = 0;
    for (const b of healthy) b.pickMark = 9;
    for (const ip of clients) {
      const now = h.pick({ candidates: healthy, mark: 9, clientIp: ip })!.id;
      if (before.get(ip) !== 'backend-2') expect(now).toBe(before.get(ip));
      else expect(now).not.toBe('backend-2');
    }
  });
});
