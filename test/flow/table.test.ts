/**
 * FlowTable behaviour on crafted packets: one flow for both directions, the direction and
 * counts `update` reports, expiry (idle, active, TCP teardown) in the documented order, live
 * `tick`, eviction when full, fragments, ICMP keys, VLANs, IPv6, byte modes, fixed memory.
 */
import { describe, expect, it } from 'vitest';
import { flowJson } from '../../src/flow/jsonl.js';
import { Direction, FLOW_BYTES } from '../../src/flow/layout.js';
import { type EndedFlow, FlowTable, type FlowTableOptions } from '../../src/flow/table.js';
import { Decoder } from '../../src/packet/decoder.js';
import { CLIENT, icmpEcho, ipv4Frame, ipv6UdpFrame, SERVER, tcpFrame, udpFrame, udpHeader } from './craft.js';

const T0 = 1_700_000_000;

interface Ended {
  id: number;
  reason: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  packets: number;
  bytes: number;
  s2d: number;
  d2s: number;
  vlan: number;
}

function harness(opts: FlowTableOptions = {}) {
  const ended: Ended[] = [];
  const table = new FlowTable({
    ...opts,
    onFlow: (f: EndedFlow) => {
      const j = flowJson(f.table, f.slot);
      ended.push({
        id: j.id,
        reason: j.end_reason,
        src: j.src_ip,
        sport: j.src_port,
        dst: j.dst_ip,
        dport: j.dst_port,
        packets: j.bidirectional_packets,
        bytes: j.bidirectional_bytes,
        s2d: j.src2dst_packets,
        d2s: j.dst2src_packets,
        vlan: j.vlan_id,
      });
    },
  });
  const dec = new Decoder();
  const feed = (frame: Uint8Array, tSec: number) => {
    const s = Math.floor(tSec);
    const p = dec.decodeBytes(frame, 0, frame.length, frame.length, 1, T0 + s, Math.round((tSec - s) * 1e9));
    return table.update(p);
  };
  return { table, ended, feed };
}

const udp = (fwd: boolean, cport = 50000, payload = 10) => udpFrame(fwd, payload, cport);

describe('FlowTable', () => {
  it('one flow for both directions; update reports direction, counts, start and a stable id', () => {
    const { table, feed } = harness();
    const a = feed(udp(true), 0);
    expect(a).not.toBeNull();
    expect([a?.id, a?.direction, a?.isNew, a?.toServerPackets, a?.toClientPackets]).toEqual([
      1,
      Direction.TO_SERVER,
      true,
      1,
      0,
    ]);
    const b = feed(udp(false), 0.5);
    expect([b?.id, b?.direction, b?.isNew, b?.toServerPackets, b?.toClientPackets]).toEqual([
      1,
      Direction.TO_CLIENT,
      false,
      1,
      1,
    ]);
    expect(b?.toServerBytes).toBe(14 + 20 + 8 + 10);
    expect(b?.startUs).toBe(T0 * 1e6);
    expect(b?.lastUs).toBe(T0 * 1e6 + 500_000);
    const c = feed(udp(true, 50001), 0.6);
    expect([c?.id, c?.isNew]).toEqual([2, true]);
    expect(table.size).toBe(2);
  });

  it('a non-IP frame belongs to no flow', () => {
    const { table, feed } = harness();
    const arp = Uint8Array.from([
      255,
      255,
      255,
      255,
      255,
      255,
      2,
      0,
      0,
      0,
      0,
      1,
      0x08,
      0x06,
      ...new Array(28).fill(0),
    ]);
    expect(feed(arp, 0)).toBeNull();
    expect(table.stats().skipped).toBe(1);
  });

  it('idle flows leave oldest last packet first, before the packet that finds them idle', () => {
    const { table, ended, feed } = harness({ idleTimeout: 10 });
    feed(udp(true, 1000), 0); // flow 1
    feed(udp(true, 2000), 1); // flow 2
    feed(udp(true, 3000), 2); // flow 3
    feed(udp(false, 1000), 3); // flow 1 is now the most recent
    feed(udp(true, 4000), 12.5); // flows 2 (last 1 s) and 3 (last 2 s) have been idle 10 s
    expect(ended.map((e) => [e.sport, e.reason])).toEqual([
      [2000, 'idle'],
      [3000, 'idle'],
    ]);
    table.tick((T0 + 13) * 1e6); // live: no packet, time passes; flow 1 (last 3 s) goes
    expect(ended.map((e) => e.sport)).toEqual([2000, 3000, 1000]);
    table.flush();
    expect(ended.map((e) => [e.sport, e.reason])).toContainEqual([4000, 'end']);
  });

  it('a packet after the idle timeout starts a new flow with a new id', () => {
    const { ended, feed } = harness({ idleTimeout: 10 });
    feed(udp(true), 0);
    const s = feed(udp(false), 20);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: 1, reason: 'idle', packets: 1 });
    // the new flow's initiator is the sender of its first packet
    expect([s?.id, s?.isNew, s?.direction]).toEqual([2, true, Direction.TO_SERVER]);
  });

  it('active timeout: a flow lasting that long ends at its next packet', () => {
    const { ended, feed } = harness({ idleTimeout: 100, activeTimeout: 30 });
    for (let t = 0; t <= 40; t += 10) feed(udp(true), t);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: 1, reason: 'active', packets: 3 }); // 0, 10, 20; 30 starts flow 2
  });

  it('TCP teardown: FIN from both sides then the last ACK closes the flow, which leaves after the linger; RST ends it; switchable off', () => {
    const seq = (fl: string[]) =>
      fl.map((f, i) => tcpFrame({ t: 0, fwd: i % 2 === 0, flags: f, win: 100, hdr: 20, payload: 0 }));
    const more = seq(['S', 'SA', 'A', 'FA', 'FA', 'A']);
    const { table, ended, feed } = harness();
    const frames = [
      tcpFrame({ t: 0, fwd: true, flags: 'S', win: 1, hdr: 20, payload: 0 }),
      tcpFrame({ t: 0, fwd: false, flags: 'SA', win: 1, hdr: 20, payload: 0 }),
      tcpFrame({ t: 0, fwd: true, flags: 'A', win: 1, hdr: 20, payload: 0 }),
      tcpFrame({ t: 0, fwd: true, flags: 'FA', win: 1, hdr: 20, payload: 0 }),
      tcpFrame({ t: 0, fwd: false, flags: 'FA', win: 1, hdr: 20, payload: 0 }),
    ];
    frames.forEach((f, i) => {
      feed(f, i * 0.01);
    });
    expect(ended).toHaveLength(0); // both FINs seen, waiting for the last ACK
    const last = feed(tcpFrame({ t: 0, fwd: true, flags: 'A', win: 1, hdr: 20, payload: 0 }), 0.06);
    expect(last?.closed).toBe(true);
    // a late window update joins the closed flow instead of making a one-packet flow
    const late = feed(tcpFrame({ t: 0, fwd: false, flags: 'A', win: 9, hdr: 20, payload: 0 }), 1.0);
    expect([late?.id, late?.closed, late?.isNew]).toEqual([1, true, false]);
    expect(ended).toHaveLength(0);
    table.tick((T0 + 2.06) * 1e6); // 2 s after the close: the linger is over
    expect(ended).toEqual([expect.objectContaining({ reason: 'fin', packets: 7, s2d: 4, d2s: 3 })]);

    const r = harness();
    r.feed(tcpFrame({ t: 0, fwd: true, flags: 'S', win: 1, hdr: 20, payload: 0 }), 0);
    const rst = r.feed(tcpFrame({ t: 0, fwd: false, flags: 'RA', win: 1, hdr: 20, payload: 0 }), 0.1);
    // an RST ends the flow at once
    expect([rst?.closed, rst?.ended]).toEqual([true, true]);
    expect(r.ended).toEqual([expect.objectContaining({ id: 1, reason: 'rst', packets: 2 })]);
    const again = r.feed(tcpFrame({ t: 0, fwd: true, flags: 'S', win: 1, hdr: 20, payload: 0 }), 0.2);
    expect([again?.id, again?.isNew, again?.closed]).toEqual([2, true, false]);

    const off = harness({ tcpTeardown: false });
    [...frames, ...more].forEach((f, i) => {
      off.feed(f, i * 0.01);
    });
    expect(off.ended).toHaveLength(0);
    off.table.flush();
    expect(off.ended).toEqual([expect.objectContaining({ reason: 'end', packets: 11 })]);
  });

  it('a flow first seen at its SYN-ACK is turned around: the SYN-ACK sender is the server', () => {
    const { table, ended, feed } = harness();
    const s = feed(tcpFrame({ t: 0, fwd: false, flags: 'SA', win: 1, hdr: 20, payload: 0 }), 0);
    expect(s?.direction).toBe(Direction.TO_CLIENT);
    feed(tcpFrame({ t: 0, fwd: true, flags: 'A', win: 1, hdr: 20, payload: 0 }), 0.1);
    table.flush();
    expect(ended[0]).toMatchObject({
      src: '10.1.0.1',
      sport: 40000,
      dst: '10.1.0.2',
      dport: 80,
      s2d: 1,
      d2s: 1,
    });
  });

  it('bounded: beyond maxFlows the flow idle the longest is evicted and counted', () => {
    const { table, ended, feed } = harness({ maxFlows: 3 });
    feed(udp(true, 1), 0);
    feed(udp(true, 2), 1);
    feed(udp(true, 3), 2);
    feed(udp(false, 1), 3); // flow 1 touched: flow 2 is now the oldest idle
    feed(udp(true, 4), 4);
    expect(ended.map((e) => [e.sport, e.reason])).toEqual([[2, 'evicted']]);
    expect(table.size).toBe(3);
    expect(table.stats().evicted).toBe(1);
  });

  it('flush empties the table oldest last packet first', () => {
    const { table, ended, feed } = harness();
    feed(udp(true, 1), 0);
    feed(udp(true, 2), 1);
    feed(udp(true, 1), 2);
    table.flush();
    expect(ended.map((e) => e.sport)).toEqual([2, 1]);
    expect(table.size).toBe(0);
  });

  it('IP fragments: later fragments join the flow of their first fragment', () => {
    const { table, ended, feed } = harness();
    // a 24-byte UDP datagram split: first fragment 8 + 8 bytes (UDP header + 8), then 8 more at offset 16
    const first = ipv4Frame({
      src: CLIENT,
      dst: SERVER,
      proto: 17,
      id: 77,
      mf: true,
      l4: udpHeader(5000, 53, 8, 24),
    });
    const second = ipv4Frame({
      src: CLIENT,
      dst: SERVER,
      proto: 17,
      id: 77,
      fragOffset: 16,
      l4: new Array(8).fill(1),
    });
    const stray = ipv4Frame({
      src: CLIENT,
      dst: SERVER,
      proto: 17,
      id: 78,
      fragOffset: 16,
      l4: new Array(8).fill(1),
    });
    feed(first, 0);
    feed(second, 0.001);
    feed(stray, 0.002);
    table.flush();
    expect(ended.map((e) => [e.sport, e.dport, e.packets])).toEqual([
      [5000, 53, 2],
      [0, 0, 1],
    ]);
    expect(table.stats().fragmentsAttributed).toBe(1);
    expect(table.stats().fragmentsUnattributed).toBe(1);
  });

  it('ICMP echo: request and reply share a flow keyed by the identifier', () => {
    const { table, ended, feed } = harness();
    feed(icmpEcho(true, 7, 1, 8), 0);
    feed(icmpEcho(false, 7, 1, 8), 0.01);
    feed(icmpEcho(true, 8, 1, 8), 0.02);
    table.flush();
    expect(ended.map((e) => [e.sport, e.packets, e.s2d, e.d2s])).toEqual([
      [7, 2, 1, 1],
      [8, 1, 1, 0],
    ]);
  });

  it('VLAN is part of the key; IPv6 flows are tracked', () => {
    const { table, ended, feed } = harness();
    const l4 = udpHeader(1111, 2222, 4);
    feed(ipv4Frame({ src: CLIENT, dst: SERVER, proto: 17, l4, vlan: 10 }), 0);
    feed(ipv4Frame({ src: SERVER, dst: CLIENT, proto: 17, l4: udpHeader(2222, 1111, 4), vlan: 10 }), 0.1);
    feed(ipv4Frame({ src: CLIENT, dst: SERVER, proto: 17, l4, vlan: 20 }), 0.2);
    const a6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
    const b6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 2];
    feed(ipv6UdpFrame(a6, b6, 3333, 53, 4), 0.3);
    feed(ipv6UdpFrame(b6, a6, 53, 3333, 4), 0.4);
    table.flush();
    expect(ended.map((e) => [e.vlan, e.packets, e.src])).toEqual([
      [10, 2, '10.1.0.1'],
      [20, 1, '10.1.0.1'],
      [0, 2, '2001:db8::1'],
    ]);
  });

  it('bytes count the link frame, the IP packet or the payload', () => {
    for (const [mode, want] of [
      ['link', 14 + 20 + 8 + 10],
      ['ip', 20 + 8 + 10],
      ['payload', 10],
    ] as const) {
      const { feed } = harness({ bytes: mode });
      expect(feed(udp(true), 0)?.toServerBytes).toBe(want);
    }
  });

  it('fixed memory per flow, at most 1 KB, and many flows in the table', () => {
    expect(FLOW_BYTES).toBeLessThanOrEqual(1024);
    const { table, feed } = harness();
    for (let i = 0; i < 20000; i++) feed(udp(true, 1 + (i % 60000)), i * 0.0001);
    expect(table.size).toBe(20000);
    const st = table.stats();
    expect(st.bytesPerFlow).toBe(FLOW_BYTES);
    expect(st.bytesHeld / st.active).toBeLessThan(1100);
    table.flush();
    expect(table.size).toBe(0);
  });

  it('rejects bad options with a typed error', () => {
    expect(() => new FlowTable({ idleTimeout: 0 })).toThrow(/timeouts must be positive/);
    expect(() => new FlowTable({ maxFlows: 0 })).toThrow(/maxFlows/);
    expect(() => new FlowTable({ bytes: 'bits' as never })).toThrow(/link, ip or payload/);
  });
});
