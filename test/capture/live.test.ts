/**
 * LiveCapture against tcpdump on the same interface, filter and time, in namespaces this test
 * creates. The capture opens the interface inside namespace `b` through the `netns` option
 * (the addon enters the namespace only to create the packet socket), so the test process
 * itself captures there and tcpdump runs beside it under `ip netns exec`. One test also
 * captures on a veth end left in the root namespace, without `netns`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureStats, LiveCapture } from '../../src/capture/index.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { LinkType, type PacketRecord } from '../../src/packet/record.js';
import { cleanupStaleNamespaces, freeSubnet24, NetnsLab, run, waitFor } from '../helpers/netns.js';
import { readPcapFile, sleep, startTcpdump, type TwoHosts, twoHosts } from './lab.js';

interface Captured {
  tsSec: number;
  tsNsec: number;
  capLen: number;
  origLen: number;
  data: Uint8Array;
}

/** Collects copies of every packet a capture delivers. */
function collect(cap: LiveCapture): Captured[] {
  const out: Captured[] = [];
  cap.onPacket((r: PacketRecord) => {
    out.push({
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      capLen: r.capLen,
      origLen: r.origLen,
      data: r.data.slice(),
    });
  });
  return out;
}

/** Waits until the capture has handed every packet it copied to JS, and nothing new came. */
async function drained(cap: LiveCapture, minDelivered = 0): Promise<CaptureStats> {
  let last = -1;
  let stable = 0;
  await waitFor(
    () => {
      const s = cap.stats();
      const done = s.delivered + s.droppedBuffer === s.captured && s.delivered >= minDelivered;
      stable = done && s.captured === last ? stable + 1 : 0;
      last = s.captured;
      return stable >= 4;
    },
    20_000,
    'capture to drain',
  );
  return cap.stats();
}

function expectSentraError(fn: () => unknown, code: string): SentraError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SentraError);
    expect((e as SentraError).code).toBe(code);
    return e as SentraError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

const lab = new NetnsLab();
let h: TwoHosts;
let tmp: string;

beforeAll(async () => {
  await cleanupStaleNamespaces();
  h = await twoHosts(lab);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-capture-'));
});

afterAll(async () => {
  await lab.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('LiveCapture against tcpdump (veth between two namespaces)', () => {
  it('captures the same ICMP packets as tcpdump: count, order, bytes, lengths and timestamps', async () => {
    const file = path.join(tmp, 'icmp.pcap');
    const filter = 'icmp';
    const td = await startTcpdump(lab, h.b, 'eth0', filter, file);
    const cap = LiveCapture.open('eth0', { netns: h.b, filter, immediate: true });
    try {
      expect(cap.linkType).toBe(LinkType.ETHERNET);
      expect(cap.nanosecond).toBe(true);
      const got = collect(cap);
      const before = Date.now() / 1000;
      await lab.exec(h.a, ['ping', '-c', '40', '-i', '0.01', '-s', '200', h.ipB], { timeoutMs: 30_000 });
      const after = Date.now() / 1000;
      const stats = await drained(cap, 80);
      await sleep(200);
      const tdStats = await td.stop();
      const ref = readPcapFile(file);

      // 40 requests + 40 replies, seen by both captures
      expect(ref.packets.length).toBe(80);
      expect(tdStats.captured).toBe(80);
      expect(got.length).toBe(ref.packets.length);
      expect(stats.delivered).toBe(80);
      expect(stats.captured).toBe(80);
      expect(stats.droppedKernel).toBe(0);
      expect(stats.droppedBuffer).toBe(0);
      // both sockets receive the same skb: same bytes, lengths and kernel timestamp
      for (let i = 0; i < got.length; i++) {
        const r = ref.packets[i];
        const g = got[i];
        expect(g.origLen).toBe(r.origLen);
        expect(g.capLen).toBe(r.capLen);
        expect(Buffer.from(g.data).equals(Buffer.from(r.data))).toBe(true);
        const dt = Math.abs(g.tsSec - r.tsSec + (g.tsNsec - r.tsNsec) / 1e9);
        expect(dt).toBeLessThan(0.001);
        expect(g.tsSec + g.tsNsec / 1e9).toBeGreaterThanOrEqual(before - 1);
        expect(g.tsSec + g.tsNsec / 1e9).toBeLessThanOrEqual(after + 1);
        expect(g.tsNsec).toBeLessThan(1e9);
      }
      // ping -s 200: 14 Ethernet + 20 IP + 8 ICMP + 200 data
      expect(got.every((p) => p.origLen === 242)).toBe(true);
    } finally {
      cap.close();
    }
  });

  it('captures the same TCP transfer as tcpdump with a port filter', async () => {
    const file = path.join(tmp, 'tcp.pcap');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const filter = `tcp port ${port}`;
    const payload = path.join(tmp, 'payload.bin');
    await run(['dd', 'if=/dev/urandom', `of=${payload}`, 'bs=64k', 'count=16', 'status=none']);
    const server = lab.spawn(h.b, ['socat', '-u', `TCP-LISTEN:${port},reuseaddr`, 'OPEN:/dev/null']);
    await waitFor(async () => {
      const { stdout } = await lab.exec(h.b, ['ss', '-Htln', 'sport', '=', `:${port}`]);
      return stdout.trim() !== '';
    });
    // In immediate mode libpcap uses TPACKET_V2, whose ring slots are snaplen-sized: with
    // tcpdump's default snaplen a 16 MiB ring holds only ~64 packets, and on a loaded CI
    // machine the oracle itself dropped some. A 64 KiB snaplen still covers the largest GSO
    // packet a veth passes; the 64 MiB ring holds ~1000 of them.
    const td = await startTcpdump(lab, h.b, 'eth0', filter, file, ['-s', '65535', '-B', '65536']);
    const cap = LiveCapture.open('eth0', { netns: h.b, filter, bufferSize: 16 * 1024 * 1024 });
    // Pace the sender (the qdisc goes with namespace `a`) so that neither capture has to keep
    // up with an unbounded burst on a machine shared with other jobs.
    await lab.exec(h.a, [
      'tc',
      'qdisc',
      'add',
      'dev',
      'eth0',
      'root',
      'tbf',
      'rate',
      '100mbit',
      'burst',
      '64kb',
      'latency',
      '100ms',
    ]);
    try {
      const got = collect(cap);
      await lab.exec(h.a, ['socat', '-u', `OPEN:${payload}`, `TCP:${h.ipB}:${port}`], { timeoutMs: 30_000 });
      await waitFor(() => server.exitCode !== null, 10_000, 'server to finish');
      await sleep(300);
      const stats = await drained(cap);
      const tdStats = await td.stop();
      const ref = readPcapFile(file);
      // the oracle is only an oracle if it lost nothing itself
      expect(tdStats.dropped).toBe(0);
      expect(ref.packets.length).toBeGreaterThan(10);
      expect(tdStats.captured).toBe(ref.packets.length);
      expect(got.length).toBe(ref.packets.length);
      expect(stats.droppedKernel + stats.droppedBuffer).toBe(0);
      const ourBytes = got.reduce((s, p) => s + p.origLen, 0);
      const refBytes = ref.packets.reduce((s, p) => s + p.origLen, 0);
      expect(ourBytes).toBe(refBytes);
      // 1 MiB of payload crossed the wire
      expect(ourBytes).toBeGreaterThan(1024 * 1024);
      // Two sockets may interleave the two directions differently (the outgoing ACKs
      // reach the taps from another CPU), but within one direction the order is the wire's.
      const byDirection = (pkts: { data: Uint8Array; origLen: number }[]) => {
        const dirs = new Map<string, number[]>();
        for (const p of pkts) {
          const src = Buffer.from(p.data.subarray(6, 12)).toString('hex');
          const list = dirs.get(src) ?? [];
          list.push(p.origLen);
          dirs.set(src, list);
        }
        return Object.fromEntries([...dirs].sort(([a], [b]) => a.localeCompare(b)));
      };
      expect(byDirection(got)).toEqual(byDirection(ref.packets));
    } finally {
      cap.close();
    }
  });

  it('cuts packets at snaplen but reports their length on the wire', async () => {
    const cap = LiveCapture.open('eth0', { netns: h.b, filter: 'icmp', snaplen: 64, immediate: true });
    try {
      const got = collect(cap);
      await lab.exec(h.a, ['ping', '-c', '5', '-i', '0.01', '-s', '500', h.ipB]);
      await drained(cap, 10);
      expect(got.length).toBe(10);
      for (const p of got) {
        expect(p.capLen).toBe(64);
        expect(p.data.length).toBe(64);
        expect(p.origLen).toBe(14 + 20 + 8 + 500);
      }
    } finally {
      cap.close();
    }
  });

  it('counts consistently: received = captured + dropped by the kernel, captured = delivered + dropped by Sentra', async () => {
    const cap = LiveCapture.open('eth0', { netns: h.b, filter: 'icmp', immediate: true });
    try {
      let n = 0;
      cap.onPacket(() => {
        n++;
      });
      // the kernel counts packets that arrived between opening and installing the filter
      // (libpcap then filters those in user space), so compare differences
      const s0 = cap.stats();
      await lab.exec(h.a, ['ping', '-c', '10', '-i', '0.01', h.ipB]);
      const s1 = await drained(cap, 20);
      expect(s1.received - s0.received).toBe(20);
      expect(s1.delivered).toBe(20);
      expect(s1.captured).toBe(20);
      expect(s1.droppedKernel + s1.droppedBuffer).toBe(0);
      expect(n).toBe(s1.delivered);
      await lab.exec(h.a, ['ping', '-c', '5', '-i', '0.01', h.ipB]);
      const s2 = await drained(cap, 30);
      expect(s2.received - s0.received).toBe(30);
      expect(s2.delivered).toBe(30);
    } finally {
      cap.close();
    }
  });

  it('setFilter replaces the filter of a running capture', async () => {
    const cap = LiveCapture.open('eth0', { netns: h.b, filter: 'udp', immediate: true });
    try {
      const got = collect(cap);
      await lab.exec(h.a, ['ping', '-c', '3', '-i', '0.01', h.ipB]);
      await sleep(200);
      expect(got.length).toBe(0);
      cap.setFilter('icmp');
      expect(cap.filter).toBe('icmp');
      await lab.exec(h.a, ['ping', '-c', '3', '-i', '0.01', h.ipB]);
      await drained(cap, 6);
      expect(got.length).toBe(6);
    } finally {
      cap.close();
    }
  });

  it('captures on a veth end in the root namespace (no netns option)', async () => {
    const net = await freeSubnet24();
    const c = await lab.ns('c');
    const { b: rootIf } = await lab.veth(
      { ns: c, ifname: 'eth0', addr4: `${net}.2/24` },
      { ns: null, addr4: `${net}.1/24` },
    );
    const file = path.join(tmp, 'root.pcap');
    const td = await startTcpdump(lab, null, rootIf, 'icmp', file);
    const cap = LiveCapture.open(rootIf, { filter: 'icmp', immediate: true });
    try {
      const got = collect(cap);
      // from the root namespace to the namespace's address over the lab's veth
      await run(['ping', '-c', '10', '-i', '0.01', '-I', rootIf, `${net}.2`]);
      await drained(cap, 20);
      await sleep(100);
      const tds = await td.stop();
      const ref = readPcapFile(file);
      expect(tds.captured).toBe(20);
      expect(ref.packets.length).toBe(20);
      expect(got.length).toBe(20);
      for (let i = 0; i < 20; i++)
        expect(Buffer.from(got[i].data).equals(Buffer.from(ref.packets[i].data))).toBe(true);
    } finally {
      cap.close();
    }
  });
});

describe('LiveCapture errors', () => {
  it('a missing interface is NOT_FOUND, in the root namespace and inside one', () => {
    const e1 = expectSentraError(() => LiveCapture.open('nosuchif0'), ErrorCodes.NOT_FOUND);
    expect(e1.message).toContain('nosuchif0');
    expect(e1.details.interface).toBe('nosuchif0');
    const e2 = expectSentraError(() => LiveCapture.open('wlan9', { netns: h.b }), ErrorCodes.NOT_FOUND);
    expect(e2.message).toContain(h.b);
  });

  it('a missing namespace is NOT_FOUND', () => {
    expectSentraError(
      () => LiveCapture.open('eth0', { netns: 'snt-no-such-namespace' }),
      ErrorCodes.NOT_FOUND,
    );
  });

  it("a bad filter is FILTER_SYNTAX with libpcap's own message, as tcpdump prints it", async () => {
    const bad = 'tcp port 99999';
    const e = expectSentraError(
      () => LiveCapture.open('eth0', { netns: h.b, filter: bad }),
      ErrorCodes.FILTER_SYNTAX,
    );
    const td = await lab
      .exec(h.b, ['tcpdump', '-i', 'eth0', '-d', bad])
      .then(() => '')
      .catch((err: { stderr?: string }) => err.stderr ?? '');
    const libpcapMsg = /tcpdump: (.*)/.exec(td)?.[1]?.trim();
    expect(libpcapMsg).toBeTruthy();
    expect(e.message).toContain(libpcapMsg!);
    const e2 = expectSentraError(
      () => LiveCapture.open('eth0', { netns: h.b, filter: 'tcp and and' }),
      ErrorCodes.FILTER_SYNTAX,
    );
    expect(e2.message).toContain('syntax error');
  });

  it('setFilter with a bad filter keeps the capture and its old filter', async () => {
    const cap = LiveCapture.open('eth0', { netns: h.b, filter: 'icmp', immediate: true });
    try {
      const got = collect(cap);
      expectSentraError(() => cap.setFilter('icmp and ('), ErrorCodes.FILTER_SYNTAX);
      expect(cap.filter).toBe('icmp');
      await lab.exec(h.a, ['ping', '-c', '2', '-i', '0.01', h.ipB]);
      await drained(cap, 4);
      expect(got.length).toBe(4);
    } finally {
      cap.close();
    }
  });

  it('bad options are INVALID_ARGUMENT; use after close is INVALID_STATE; close is idempotent', () => {
    expectSentraError(() => LiveCapture.open(''), ErrorCodes.INVALID_ARGUMENT);
    expectSentraError(() => LiveCapture.open('eth0', { snaplen: 0 }), ErrorCodes.INVALID_ARGUMENT);
    expectSentraError(() => LiveCapture.open('eth0', { snaplen: 300000 }), ErrorCodes.INVALID_ARGUMENT);
    expectSentraError(
      () => LiveCapture.open('eth0', { timeoutMs: 1.5 as number, netns: h.b }),
      ErrorCodes.INVALID_ARGUMENT,
    );
    const cap = LiveCapture.open('eth0', { netns: h.b });
    cap.onPacket(() => {});
    cap.close();
    cap.close();
    expect(cap.isClosed).toBe(true);
    expectSentraError(() => cap.setFilter('tcp'), ErrorCodes.INVALID_STATE);
    expectSentraError(() => cap.inject(new Uint8Array(60)), ErrorCodes.INVALID_STATE);
    expect(cap.stats().delivered).toBe(0);
  });
});

describe('LiveCapture lifecycle inside a process', () => {
  it('close() from inside the callback stops delivery at once', async () => {
    const cap = LiveCapture.open('eth0', { netns: h.b, filter: 'icmp', immediate: true });
    let n = 0;
    const closed = new Promise<void>((r) => cap.once('close', () => r()));
    cap.onPacket(() => {
      n++;
      cap.close();
    });
    await lab.exec(h.a, ['ping', '-c', '5', '-i', '0.01', h.ipB]);
    await closed;
    await sleep(100);
    expect(n).toBe(1);
    expect(cap.stats().delivered).toBe(1);
  });

  it('reports an interface that disappears as an error event and closes', async () => {
    const c = await lab.ns('gone');
    const d = await lab.ns('gone2');
    await lab.veth({ ns: c, ifname: 'eth0' }, { ns: d, ifname: 'eth0' });
    const cap = LiveCapture.open('eth0', { netns: c });
    cap.onPacket(() => {});
    const failed = new Promise<SentraError>((r) => cap.once('error', r));
    await run(['ip', '-n', c, 'link', 'del', 'eth0']);
    const e = await failed;
    expect(e.code).toBe(ErrorCodes.CAPTURE_FAILED);
    expect(e.message).toContain('eth0');
    expect(cap.isClosed).toBe(true);
  });
});

describe('LiveCapture under a flood', () => {
  it('keeps the event loop responsive and its counters consistent', async () => {
    const cap = LiveCapture.open('eth0', { netns: h.b, filter: 'icmp' });
    try {
      let n = 0;
      let bytes = 0;
      cap.onPacket((r) => {
        n++;
        bytes += r.origLen;
      });
      let ticks = 0;
      let maxGap = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 5);
      // ping -f: as fast as replies come back; bounded by count and deadline
      const flood = lab.exec(h.a, ['ping', '-f', '-q', '-c', '30000', '-w', '30', h.ipB], {
        timeoutMs: 40_000,
      });
      const t0 = performance.now();
      await flood;
      const floodMs = performance.now() - t0;
      const s = await drained(cap);
      clearInterval(timer);
      // the timer kept firing all along: a loop blocked by the capture would stall for about the
      // whole flood (bounds relative to the flood's length, which grows on a loaded machine)
      expect(ticks).toBeGreaterThan(floodMs / 50);
      expect(maxGap).toBeLessThan(Math.max(1000, floodMs / 2));
      expect(s.captured + s.droppedKernel).toBeLessThanOrEqual(s.received);
      expect(s.delivered + s.droppedBuffer).toBe(s.captured);
      expect(n).toBe(s.delivered);
      expect(s.received).toBeGreaterThan(1000);
      expect(bytes).toBe(n * 98);
    } finally {
      cap.close();
    }
  });
});

describe('LiveCapture with a slow consumer', () => {
  /** Runs a 2000-echo flood against a callback that spends ~100 µs per packet. */
  async function slowRun(backpressure: boolean): Promise<CaptureStats> {
    const cap = LiveCapture.open('eth0', {
      netns: h.b,
      filter: 'icmp',
      snaplen: 128,
      batchBytes: 32 * 1024,
      queueBytes: 64 * 1024, // two batches of ~280 packets
      bufferSize: 16 * 1024 * 1024,
      backpressure,
    });
    try {
      cap.onPacket(() => {
        const until = performance.now() + 0.1;
        while (performance.now() < until) {
          /* a consumer slower than the wire */
        }
      });
      await lab.exec(h.a, ['ping', '-f', '-q', '-c', '2000', '-w', '30', h.ipB], { timeoutMs: 40_000 });
      return await drained(cap);
    } finally {
      cap.close();
    }
  }

  it('with backpressure (default), packets wait in the kernel buffer: nothing is lost', async () => {
    const s = await slowRun(true);
    expect(s.waitedForJs).toBeGreaterThan(0);
    expect(s.droppedBuffer).toBe(0);
    expect(s.droppedKernel).toBe(0);
    expect(s.delivered).toBe(4000);
  });

  it('without backpressure, Sentra drops what JS cannot take and counts it apart from the kernel', async () => {
    const s = await slowRun(false);
    expect(s.waitedForJs).toBe(0);
    expect(s.droppedBuffer).toBeGreaterThan(0);
    expect(s.delivered + s.droppedBuffer).toBe(s.captured);
    expect(s.captured + s.droppedKernel).toBe(4000);
  });
});
