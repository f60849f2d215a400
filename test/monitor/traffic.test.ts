/**
 * ConversationTable (the monitor's stop-gap conversation aggregate) against tshark's
 * conversation statistics (`-z conv,tcp`, `-z conv,udp`) on a corpus capture, and its bound.
 */
import { describe, expect, it } from 'vitest';
import { ConversationTable } from '../../src/monitor/index.js';
import { Decoder } from '../../src/packet/decoder.js';
import { readCapture } from '../../src/packet/file/reader.js';
import { corpusPath } from '../helpers/corpus.js';
import { run } from '../helpers/netns.js';

async function feed(file: string, table: ConversationTable): Promise<void> {
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
    out.set([t[0], t[2]].sort().join(' '), Number(t[9]));
  }
  return out;
}

describe('ConversationTable', () => {
  it('conversations and their packet counts equal tshark -z conv on a corpus capture', async () => {
    const file = corpusPath('lab', 'lab-basic.pcap');
    const table = new ConversationTable(100_000);
    await feed(file, table);
    for (const proto of ['tcp', 'udp'] as const) {
      const ref = await tsharkConv(file, proto);
      const mine = new Map<string, number>();
      for (const f of table.flows({ protocol: proto })) {
        mine.set([`${f.src_ip}:${f.src_port}`, `${f.dst_ip}:${f.dst_port}`].sort().join(' '), f.packets);
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

  it('stays within its bound and keeps the heaviest conversations', async () => {
    const file = corpusPath('lab', 'lab-basic.pcap');
    const full = new ConversationTable(100_000);
    await feed(file, full);
    const n = full.flows().length;
    expect(n).toBeGreaterThan(8);
    const small = new ConversationTable(8);
    await feed(file, small);
    expect(small.size).toBeLessThanOrEqual(8);
    expect(small.evicted).toBeGreaterThan(0);
    // the heaviest conversation is long-lived and large: it survives every eviction intact
    const top = full.flows()[0];
    const kept = small
      .flows()
      .find((f) => f.src_ip === top.src_ip && f.src_port === top.src_port && f.dst_port === top.dst_port);
    expect(kept?.bytes).toBe(top.bytes);
  });
});
