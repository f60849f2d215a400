/**
 * Capture sessions (`capture_start` ...) against tcpdump on the same interface and filter, in
 * two namespaces this test creates; the saved pcap checked with tshark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureRegistry, captureAnalyzePacket } from '../../src/capture/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { cleanupStaleNamespaces, NetnsLab, run, waitFor } from '../helpers/netns.js';
import { readPcapFile, sleep, startTcpdump, type TwoHosts, twoHosts } from './lab.js';

const lab = new NetnsLab();
const reg = new CaptureRegistry();
let h: TwoHosts;
let tmp: string;

beforeAll(async () => {
  await cleanupStaleNamespaces();
  h = await twoHosts(lab);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-sessions-'));
});

afterAll(async () => {
  reg.closeAll();
  await lab.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function tsharkFields(file: string, fields: string[]): Promise<string[][]> {
  const args = ['tshark', '-n', '-r', file, '-T', 'fields', '-E', 'separator=|'];
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run(args);
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'));
}

describe('capture sessions', () => {
  it('count equals tcpdump, summaries and saved pcap match tshark', async () => {
    const filter = 'icmp or tcp port 5001';
    const ref = path.join(tmp, 'ref.pcap');
    const td = await startTcpdump(lab, h.b, 'eth0', filter, ref);
    const info = reg.start('eth0', filter, { netns: h.b, immediate: true });
    expect(info.id).toMatch(/^capture-\d+$/);
    expect(info.status).toBe('running');
    try {
      const srv = lab.spawn(h.b, ['socat', '-u', 'TCP-LISTEN:5001,reuseaddr', 'OPEN:/dev/null']);
      await waitFor(async () => (await lab.exec(h.b, ['ss', '-tln'])).stdout.includes(':5001'), 10_000);
      await lab.exec(h.a, ['ping', '-c', '20', '-i', '0.01', h.ipB], { timeoutMs: 20_000 });
      await lab.exec(h.a, ['sh', '-c', `head -c 200000 /dev/zero | socat -u - TCP:${h.ipB}:5001`], {
        timeoutMs: 20_000,
      });
      await sleep(300);
      const tdStats = await td.stop();
      srv.kill();
      const tdPackets = readPcapFile(ref).packets.length;
      expect(tdPackets).toBe(tdStats.captured);
      await waitFor(() => reg.info(info.id).packets_captured === tdPackets, 10_000, 'session to catch up');
      const now = reg.info(info.id);
      expect(now.packets_captured).toBe(tdPackets);
      expect(now.packets_buffered).toBe(tdPackets);
      expect(now.packets_dropped).toBe(0);

      // the saved file: tcpdump's packets (as a multiset: two sockets on two CPUs may see the
      // two directions of a transfer interleaved differently), and tshark opens it
      const saved = path.join(tmp, 'saved.pcap');
      const res = await reg.save(info.id, saved);
      expect(res.packets).toBe(tdPackets);
      const hexes = (file: string) =>
        readPcapFile(file)
          .packets.map((p) => Buffer.from(p.data).toString('hex'))
          .sort();
      expect(hexes(saved)).toEqual(hexes(ref));
      const epochs = async (file: string) =>
        (await tsharkFields(file, ['frame.time_epoch'])).map((r) => Number(r[0])).sort((x, y) => x - y);
      const tsMine = await epochs(saved);
      const tsRef = await epochs(ref);
      expect(tsMine.length).toBe(tsRef.length);
      // two sockets, two kernel timestamps of the same skb: equal within a millisecond
      for (let i = 0; i < tsRef.length; i++) expect(Math.abs(tsMine[i] - tsRef[i])).toBeLessThan(0.001);

      // summaries, in ring order, against tshark's decoding of the same frames (the saved file)
      const pk = reg.packets(info.id, 100_000);
      expect(pk.length).toBe(tdPackets);
      const tf = await tsharkFields(saved, [
        'ip.src',
        'ip.dst',
        'tcp.srcport',
        'tcp.dstport',
        'frame.len',
        'frame.time_epoch',
        'frame.protocols',
      ]);
      expect(tf.length).toBe(pk.length);
      for (let i = 0; i < pk.length; i++) {
        const [src, dst, sp, dp, len, epoch, protos] = tf[i];
        expect(pk[i].src_ip).toBe(src);
        expect(pk[i].dst_ip).toBe(dst);
        expect(pk[i].src_port).toBe(sp === '' ? 0 : Number(sp));
        expect(pk[i].dst_port).toBe(dp === '' ? 0 : Number(dp));
        expect(pk[i].length).toBe(Number(len));
        expect(pk[i].protocol).toBe(protos.includes(':tcp') ? 'TCP' : 'ICMP');
        expect(`${pk[i].ts_sec}.${String(pk[i].ts_nsec).padStart(9, '0')}`).toBe(epoch);
      }
      const icmp = pk.filter((p) => p.protocol === 'ICMP').length;
      expect(icmp).toBe(40);
      // the last-N view
      const last3 = reg.packets(info.id, 3);
      expect(last3.map((p) => p.data)).toEqual(pk.slice(-3).map((p) => p.data));

      // full analysis: tshark's field values for the same frame
      const k = pk.findIndex((p) => p.protocol === 'TCP' && p.dst_port === 5001);
      const a = captureAnalyzePacket(pk[k]);
      expect(a.src_ip).toBe(h.ipA);
      expect(a.protocol).toBe('TCP');
      expect(a.layers.slice(0, 3)).toEqual(['eth', 'ip', 'tcp']);
      const [seq, flags, ttl] = (await tsharkFields(saved, ['tcp.seq_raw', 'tcp.flags', 'ip.ttl']))[k];
      expect(a.fields['tcp.seq_raw']).toBe(seq);
      expect(a.fields['tcp.flags']).toBe(flags);
      expect(a.ttl).toBe(Number(ttl));
    } finally {
      const stopped = reg.stop(info.id);
      expect(stopped.status).toBe('stopped');
    }
    // still readable after stop
    expect(reg.packets(info.id, 1).length).toBe(1);
  }, 60_000);

  it('a small ring keeps the newest packets and counts the dropped ones', async () => {
    const info = reg.start('eth0', 'icmp', { netns: h.b, immediate: true, maxPackets: 10 });
    try {
      await lab.exec(h.a, ['ping', '-c', '15', '-i', '0.01', h.ipB], { timeoutMs: 20_000 });
      await waitFor(() => reg.info(info.id).packets_captured === 30, 10_000, 'capture');
      const i = reg.info(info.id);
      expect(i.packets_buffered).toBe(10);
      expect(i.packets_dropped).toBe(20);
      const pk = reg.packets(info.id, 100);
      expect(pk.length).toBe(10);
      // newest kept: the last reply is the 15th echo reply
      const last = captureAnalyzePacket(pk[9]);
      expect(last.fields['icmp.type']).toBe('0');
    } finally {
      reg.stop(info.id);
    }
  }, 30_000);

  it('errors: unknown id, bad filter, bad interface, bad packet', () => {
    expect(() => reg.packets('capture-999', 1)).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND }),
    );
    expect(() => reg.start('eth0', 'tcp port', { netns: h.b })).toThrow(
      expect.objectContaining({ code: ErrorCodes.FILTER_SYNTAX }),
    );
    expect(() => reg.start('nosuch0', '', { netns: h.b })).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND }),
    );
    expect(() => captureAnalyzePacket({ data: 'xyz' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
  });
});
