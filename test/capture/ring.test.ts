/**
 * PacketRing against a plain array model: random packet sizes, random interleavings of push
 * and shift, both overflow policies. The model cannot predict where byte fragmentation forces
 * an eviction, so the byte-bounded checks assert the invariants instead: FIFO order, exact
 * bytes and fields, bounds, and that what is held is always a contiguous run of what was
 * accepted (the newest run for drop-oldest).
 */
import { describe, expect, it } from 'vitest';
import { PacketRing } from '../../src/capture/ring.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { newPacketRecord, type PacketRecord } from '../../src/packet/record.js';

/** A deterministic PRNG (mulberry32) so that a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Packet number `seq`: its bytes encode seq so that any mix-up shows. */
function packet(seq: number, len: number): PacketRecord {
  const rec = newPacketRecord();
  const data = new Uint8Array(len);
  for (let i = 0; i < len; i++) data[i] = (seq * 31 + i) & 0xff;
  rec.data = data;
  rec.capLen = len;
  rec.origLen = len + (seq % 7);
  rec.tsSec = 1_700_000_000 + seq;
  rec.tsNsec = (seq * 7919) % 1_000_000_000;
  rec.linkType = seq % 2 === 0 ? 1 : 101;
  rec.ifIndex = seq % 3;
  return rec;
}

function expectSame(got: PacketRecord, want: PacketRecord): void {
  expect(got.capLen).toBe(want.capLen);
  expect(got.origLen).toBe(want.origLen);
  expect(got.tsSec).toBe(want.tsSec);
  expect(got.tsNsec).toBe(want.tsNsec);
  expect(got.linkType).toBe(want.linkType);
  expect(got.ifIndex).toBe(want.ifIndex);
  expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
}

describe('PacketRing', () => {
  it('bounded by count only: keeps exactly the newest N (drop-oldest) or the first N (drop-newest)', () => {
    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      const ring = new PacketRing({ maxPackets: 5, maxBytes: 1 << 20, overflow });
      const all = Array.from({ length: 12 }, (_, i) => packet(i, 10 + i));
      for (const p of all) ring.push(p);
      expect(ring.size).toBe(5);
      expect(ring.dropped).toBe(7);
      const want = overflow === 'drop-oldest' ? all.slice(7) : all.slice(0, 5);
      expect(ring.accepted).toBe(overflow === 'drop-oldest' ? 12 : 5);
      const out = newPacketRecord();
      for (const w of want) {
        expect(ring.shift(out)).toBe(true);
        expectSame(out, w);
      }
      expect(ring.shift(out)).toBe(false);
      expect(ring.bytes).toBe(0);
    }
  });

  it('bounded by bytes: equal-sized packets fill it exactly', () => {
    const ring = new PacketRing({ maxPackets: 1000, maxBytes: 1000 });
    for (let i = 0; i < 10; i++) expect(ring.push(packet(i, 100))).toBe(true);
    expect(ring.bytes).toBe(1000);
    expect(ring.dropped).toBe(0);
    expect(ring.push(packet(10, 100))).toBe(true); // evicts packet 0
    expect(ring.dropped).toBe(1);
    const out = newPacketRecord();
    ring.peek(0, out);
    expectSame(out, packet(1, 100));
    ring.peek(9, out);
    expectSame(out, packet(10, 100));
    expect(ring.peek(10, out)).toBe(false);
  });

  it('drops a packet larger than the whole ring, whatever the policy', () => {
    const ring = new PacketRing({ maxPackets: 4, maxBytes: 64 });
    ring.push(packet(0, 10));
    expect(ring.push(packet(1, 65))).toBe(false);
    expect(ring.dropped).toBe(1);
    expect(ring.size).toBe(1);
  });

  it('holds zero-length packets', () => {
    const ring = new PacketRing({ maxPackets: 4, maxBytes: 4 });
    for (let i = 0; i < 6; i++) ring.push(packet(i, 0));
    expect(ring.size).toBe(4);
    expect(ring.dropped).toBe(2);
    const out = newPacketRecord();
    ring.shift(out);
    expectSame(out, packet(2, 0));
  });

  for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
    it(`random push/shift sequences keep FIFO order, contents and bounds (${overflow})`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const rand = rng(seed);
        const maxPackets = 1 + Math.floor(rand() * 40);
        const maxBytes = 200 + Math.floor(rand() * 3000);
        const ring = new PacketRing({ maxPackets, maxBytes, overflow });
        const model: PacketRecord[] = []; // what the ring must hold, oldest first
        const accepted: number[] = []; // seq numbers accepted, in order
        let seq = 0;
        let dropped = 0;
        const out = newPacketRecord();
        for (let step = 0; step < 600; step++) {
          if (rand() < 0.7) {
            const len = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * 400);
            const p = packet(seq, len);
            const before = ring.size;
            const ok = ring.push(p);
            if (ok) {
              // evictions make room, oldest first
              const evicted = before + 1 - ring.size;
              for (let k = 0; k < evicted; k++) model.shift();
              dropped += evicted;
              model.push(p);
              accepted.push(seq);
            } else {
              dropped++;
              if (overflow === 'drop-oldest') expect(len).toBeGreaterThan(maxBytes);
              expect(ring.size).toBe(before);
            }
            seq++;
          } else {
            const had = ring.shift(out);
            expect(had).toBe(model.length > 0);
            if (had) expectSame(out, model.shift()!);
          }
          expect(ring.size).toBe(model.length);
          expect(ring.size).toBeLessThanOrEqual(maxPackets);
          expect(ring.bytes).toBe(model.reduce((s, p) => s + p.data.length, 0));
          expect(ring.bytes).toBeLessThanOrEqual(maxBytes);
          expect(ring.dropped).toBe(dropped);
        }
        // what is held is the model, in order, byte for byte
        ring.forEach((rec, i) => {
          expectSame(rec, model[i]);
        });
        if (overflow === 'drop-oldest' && model.length > 0) {
          // the newest accepted packets, without a gap
          const heldSeqs = model.map((p) => p.tsSec - 1_700_000_000);
          expect(heldSeqs[heldSeqs.length - 1]).toBe(accepted[accepted.length - 1]);
        }
      }
    });
  }

  it('clear() empties it and optionally resets the counters', () => {
    const ring = new PacketRing({ maxPackets: 2, maxBytes: 100 });
    for (let i = 0; i < 5; i++) ring.push(packet(i, 10));
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.dropped).toBe(3);
    ring.clear({ counters: true });
    expect(ring.dropped).toBe(0);
    expect(ring.accepted).toBe(0);
    ring.push(packet(9, 10));
    const out = newPacketRecord();
    ring.shift(out);
    expectSame(out, packet(9, 10));
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    for (const o of [
      { maxPackets: 0, maxBytes: 10 },
      { maxPackets: 1.5, maxBytes: 10 },
      { maxPackets: 1, maxBytes: 0 },
      { maxPackets: 1, maxBytes: 10, overflow: 'drop-all' as 'drop-oldest' },
    ]) {
      try {
        new PacketRing(o);
        throw new Error('accepted bad options');
      } catch (e) {
        expect(e).toBeInstanceOf(SentraError);
        expect((e as SentraError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
      }
    }
  });
});
