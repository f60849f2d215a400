/**
 * Latency probes through a known 50 ms one-way delay. The issue asks for `tc netem`; this
 * machine's kernel has no sch_netem (that test in monitor.test.ts skips itself here), so this
 * file adds the delay with a user-space relay instead: a namespace joins two veths and forwards
 * frames towards the target with LiveCapture + inject, holding each until 50 ms after its
 * kernel timestamp; the target answers over a direct veth. Both ICMP echo and TCP connect
 * cross it, so both must read 50 ms ± 10 %.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCapture } from '../../src/capture/index.js';
import { LatencyMonitor, latencyStats, parsePingReplies, probeLatency } from '../../src/monitor/index.js';
import { cleanupStaleNamespaces, freeSubnet24, NetnsLab, run, waitFor } from '../helpers/netns.js';

const lab = new NetnsLab();
const caps: LiveCapture[] = [];
let target = '';

beforeAll(async () => {
  await cleanupStaleNamespaces();
  const net = await freeSubnet24();
  const relay = await lab.ns('relay');
  const t = await lab.ns('target');
  // towards the target: root -> r0 | relay | r1 -> target eth0 (the delayed way)
  const toRelay = await lab.veth({ ns: relay, ifname: 'r0' }, { ns: null, addr4: `${net}.1/24` });
  await lab.veth({ ns: relay, ifname: 'r1' }, { ns: t, ifname: 'eth0', addr4: `${net}.2/24` });
  // back from the target: a direct veth, so replies cross no user-space code
  const back = await lab.veth({ ns: t, ifname: 'eth1' }, { ns: null });
  await lab.exec(t, ['ip', 'route', 'add', `${net}.1/32`, 'dev', 'eth1']);
  // the relay copies frames as they are: checksums must be complete, not left to offload
  await run(['ethtool', '-K', toRelay.b, 'tx', 'off']);
  void back;
  target = `${net}.2`;
  const toTarget = LiveCapture.open('r0', { netns: relay, filter: 'inbound', immediate: true });
  const fromTarget = LiveCapture.open('r1', { netns: relay, filter: 'inbound', immediate: true });
  caps.push(toTarget, fromTarget);
  toTarget.onPacket((rec) => {
    const frame = rec.data.slice(0, rec.capLen);
    // hold until 50 ms after the kernel's arrival timestamp, so the capture's own delivery
    // delay is not added on top
    const waited = Date.now() - (rec.tsSec * 1000 + rec.tsNsec / 1e6);
    setTimeout(
      () => {
        if (!fromTarget.isClosed) fromTarget.inject(frame);
      },
      Math.max(0, 50 - waited),
    );
  });
  // only the target's ARP answers come back this way (its IP replies take eth1)
  fromTarget.onPacket((rec) => {
    toTarget.inject(rec.data.slice(0, rec.capLen));
  });
  // resolve the neighbour first: the measurements are of the path, not of ARP's first retry
  await run(['ping', '-c', '2', '-W', '3', target], { timeoutMs: 15_000 }).catch(() => undefined);
  lab.spawn(t, ['socat', 'TCP-LISTEN:7007,reuseaddr,fork', 'EXEC:/bin/true']);
  await waitFor(
    async () => (await lab.exec(t, ['ss', '-tln'])).stdout.includes(':7007 '),
    10_000,
    'listener',
  );
});

afterAll(async () => {
  for (const c of caps) c.close();
  await lab.destroy();
});

describe('latency through a 50 ms delay', () => {
  // the relay runs in this process: on a loaded machine its timers can run late, hence retries
  it('ICMP echo reads 50 ms ± 10 % with no loss', { retry: 2, timeout: 30_000 }, async () => {
    const s = await probeLatency(target, { count: 10, intervalMs: 100 });
    expect(s.method).toBe('icmp');
    expect(s.sent).toBe(10);
    expect(s.received).toBe(10);
    expect(s.loss).toBe(0);
    expect(s.median!).toBeGreaterThanOrEqual(45);
    expect(s.median!).toBeLessThanOrEqual(55);
    expect(s.avg!).toBeGreaterThanOrEqual(45);
    expect(s.avg!).toBeLessThanOrEqual(55);
    expect(s.min!).toBeLessThanOrEqual(s.median!);
    expect(s.max!).toBeGreaterThanOrEqual(s.median!);
    expect(s.samples.length).toBe(10);
  });

  it('TCP connect reads 50 ms ± 10 %; a closed port counts as loss', {
    retry: 2,
    timeout: 30_000,
  }, async () => {
    const s = await probeLatency(target, { method: 'tcp', port: 7007, count: 8, intervalMs: 50 });
    expect(s.received).toBe(8);
    expect(s.median!).toBeGreaterThanOrEqual(45);
    expect(s.median!).toBeLessThanOrEqual(55);
    const closed = await probeLatency(target, { method: 'tcp', port: 7008, count: 2, intervalMs: 10 });
    expect(closed.loss).toBe(100);
    expect(closed.median).toBeNull();
  });

  it('LatencyMonitor probes on an interval', async () => {
    const m = new LatencyMonitor([{ target, options: { count: 3, intervalMs: 50 } }], 500).start();
    try {
      await waitFor(() => m.stats().length === 1, 10_000, 'first round');
      expect(m.stats()[0].received).toBe(3);
    } finally {
      m.stop();
    }
  }, 20_000);
});

describe('latency statistics (pure)', () => {
  it('min, max, avg, median, jitter, loss', () => {
    const s = latencyStats([10, 20, 30, 20], 5, { target: 'x', method: 'icmp', port: null });
    expect(s).toMatchObject({ sent: 5, received: 4, loss: 20, min: 10, max: 30, avg: 20, median: 20 });
    expect(s.jitter).toBeCloseTo((10 + 10 + 10) / 3);
  });
  it('ping output: one sample per sequence number, duplicates ignored', () => {
    const out = [
      '64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=50.3 ms',
      '64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=50.9 ms (DUP!)',
      '64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=51.1 ms',
    ].join('\n');
    expect(parsePingReplies(out)).toEqual([50.3, 51.1]);
  });
  it('bad targets and options are refused', async () => {
    await expect(probeLatency('-f')).rejects.toMatchObject({ code: 'SENTRA_ERR_INVALID_ARGUMENT' });
    await expect(probeLatency('10.0.0.1', { method: 'tcp' })).rejects.toMatchObject({
      code: 'SENTRA_ERR_INVALID_PORT',
    });
    await expect(probeLatency('10.0.0.1', { count: 0 })).rejects.toMatchObject({
      code: 'SENTRA_ERR_INVALID_ARGUMENT',
    });
  });
});
