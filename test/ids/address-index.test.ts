import { describe, expect, it } from 'vitest';
import { AddressIndex } from '../../src/ids/prefilter/address-index.js';

const bytes = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

describe('AddressIndex', () => {
  it('finds the rules whose ranges hold an address, repeated and alternating lookups included', () => {
    let seed = 5;
    const r = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    // ranges within a small space so that they overlap, touch and leave gaps
    const entries = Array.from({ length: 60 }, (_, rule) => {
      const from = Math.floor(r() * 400);
      return { from, to: from + Math.floor(r() * 30), rule: rule % 40 };
    });
    // one range at the top of the space: addresses above 2^31
    entries.push({ from: 0xfffffff0, to: 0xffffffff, rule: 41 });
    const idx = new AddressIndex(entries);
    const naive = (v: number) =>
      [...new Set(entries.filter((e) => e.from <= v && v <= e.to).map((e) => e.rule))].sort((a, b) => a - b);
    const got = (v: number) => [...(idx.lookup(bytes(v)) ?? [])].sort((a, b) => a - b);
    const addrs = [0xfffffff5, 0xffffffff, 0xffffffef];
    for (let i = 0; i < 2000; i++) {
      // runs of the same address, two addresses in turn, and new ones
      const k = r();
      addrs.push(
        k < 0.3 ? addrs[addrs.length - 1] : k < 0.6 ? addrs[addrs.length - 2] : Math.floor(r() * 450),
      );
    }
    for (const v of addrs) expect(got(v)).toEqual(naive(v));
    expect(idx.lookup(new Uint8Array(16))).toBeNull();
  });
});
