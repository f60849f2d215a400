/**
 * TrafficTable (the monitor's flows, made by the flow engine's FlowTable) against tshark's
 * conversation statistics (`-z conv,tcp`, `-z conv,udp`) on a corpus capture, and its bounds.
 */
import { describe, expect, it } from 'vitest';
import { TrafficTable } from '../../src/monitor/index.js';
import { Decoder } from '../../src/packet/decoder.js';
import { readCapture } from '../../src/packet/file/reader.js';
import { corpusPath } from '../helpers/corpus.js';
import { run } from '../helpers/netns.js';

async function feed(file: string, table: TrafficTable): Promise<void> {
  const d = new Decoder();
  await readCapture(file, (rec) => table.add(d.decode(rec)));
}

/** tshark's conversations: "a:pa <-> b:pb" (sorted ends) → total frames. */
async function tsharkConv(file: string, proto: 'tcp' | 'udp'): Promise<Map<string, number>> {
  const { stdout } = await run(['tshark', '-n', '-q', '-r', file, '-z', `conv,${proto}`]);
  const out = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t[1] !== '<->') continue;
    const k = [t[0], t[2]].sort().join(' ');
    out.set(k, (out.get(k) ?? 0) + Number(t[9]));
  }
  return out;
}

describe('TrafficTable', () => {
  it('flows, summed per address/port pair, equal tshark -z conv on a corpus capture', async () => {
    const file = corpusPath('lab', 'lab-basic.pcap');
    // default flow rules (TCP teardown, timeouts): a pair's flows together are tshark's conversation
    const table = new TrafficTable({ maxFlows: 100_000 });
    await feed(file, table);
    for (const proto of ['tcp', 'udp'] as const) {
      const ref = await tsharkConv(file, proto);
      const mine = new Map<string, number>();
      for (const f of table.flows({ protocol: proto })) {
        const k = [`${f.src_ip}:${f.src_port}`, `${f.dst_ip}:${f.dst_port}`].sort().join(' ');
        mine.set(k, (mine.get(k) ?? 0) + f.packets);
      }
      expect(ref.size).toBeGreaterThan(0);
      expect(mine).toEqual(ref);
    }
    const all = table.flows();
    for (let i = 1; i < all.length; i++) expect(all[i - 1].bytes).toBeGreaterThanOrEqual(all[i].bytes);
    for (const f of all) {
      expect(f.bytes).toBe(f.bytes_sent + f.bytes_received);
      expect(f.packets).toBe(f.packets_sent + f.packets_received);
    }
    const pr = table.protocols();
    const { stdout } = await run(['tshark', '-n', '-r', file, '-T', 'fields', '-e', 'frame.protocols']);
    const lines = stdout.split('\n').filter((l) => l);
    expect(pr.total).toBe(lines.length);
    expect(pr.TCP).toBe(lines.filter((l) => /:tcp(:|$)/.test(l)).length);
    expect(pr.UDP).toBe(lines.filter((l) => /:udp(:|$)/.test(l)).length);
  });

  it('stays within its bounds and keeps the heaviest flow', async () => {
    const file = corpusPath('lab', 'lab-basic.pcap');
    const full = new TrafficTable({ maxFlows: 100_000 });
    await feed(file, full);
    const all = full.flows();
    expect(all.length).toBeGreaterThan(32);
    expect(full.dropped).toBe(0);
    const small = new TrafficTable({ maxFlows: 8 });
    await feed(file, small);
    // at most 8 flows in the table and fewer than 16 ended records kept
    expect(small.flowStats().peakActive).toBeLessThanOrEqual(8);
    expect(small.size).toBeLessThan(8 + 16);
    expect(small.dropped).toBeGreaterThan(0);
    expect(small.flowStats().flows).toBeGreaterThanOrEqual(all.length);
    // the heaviest flow of the capture is among those kept, with the same counts
    const top = all[0];
    const kept = small
      .flows()
      .find((f) => f.src_ip === top.src_ip && f.src_port === top.src_port && f.dst_port === top.dst_port);
    expect(kept).toEqual(top);
  });
});
