/**
 * tshark parity on the lab capture: for every TCP and UDP conversation, the frames and bytes
 * in each direction equal `tshark -q -z conv,tcp` / `conv,udp`. tshark's conversations are
 * one per address/port pair over the whole capture, so flows are made without TCP teardown and
 * with timeouts longer than the capture. tshark prints large byte counts rounded ("1050 kB");
 * for those rows the exact bytes come from `tshark -T fields -e frame.len` per direction.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { flowJson } from '../../src/flow/jsonl.js';
import { processCapture } from '../../src/flow/process.js';
import { runCommand } from '../../src/sys/exec.js';
import { corpusPath } from '../helpers/corpus.js';

interface Conv {
  a: string;
  b: string;
  /** frames and bytes from b to a ("<-") and from a to b ("->"). */
  framesBA: number;
  bytesBA: string;
  framesAB: number;
  bytesAB: string;
}

const file = corpusPath('lab', 'lab-basic.pcap');

async function tsharkConv(proto: 'tcp' | 'udp'): Promise<Conv[]> {
  const r = await runCommand(['tshark', '-n', '-q', '-z', `conv,${proto}`, '-r', file]);
  const out: Conv[] = [];
  const re = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+ \S+)\s+(\d+)\s+(\d+ \S+)\s+\d+\s+\d+ \S+/;
  for (const line of r.stdout.split('\n')) {
    const m = re.exec(line.trim());
    if (m) out.push({ a: m[1], b: m[2], framesBA: +m[3], bytesBA: m[4], framesAB: +m[5], bytesAB: m[6] });
  }
  return out;
}

/** Exact frame bytes per direction "src:port>dst:port" from tshark's per-packet fields. */
async function tsharkBytes(proto: 'tcp' | 'udp'): Promise<Map<string, number>> {
  const r = await runCommand([
    'tshark', '-n', '-r', file, '-Y', `${proto} && !icmp && !icmpv6`, '-T', 'fields',
    '-e', 'ip.src', '-e', 'ipv6.src', '-e', `${proto}.srcport`, '-e', 'ip.dst', '-e', 'ipv6.dst',
    '-e', `${proto}.dstport`, '-e', 'frame.len',
  ]); // biome-ignore format: argv pairs
  const m = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [s4, s6, sp, d4, d6, dp, len] = line.split('\t');
    const src = s4 || s6;
    const dst = d4 || d6;
    const k = `${src}:${sp}>${dst}:${dp}`;
    m.set(k, (m.get(k) ?? 0) + Number(len));
  }
  return m;
}

function ep(ip: string, port: number): string {
  // tshark writes IPv6 endpoints without brackets: "fd77::3:47748"
  return `${ip}:${port}`;
}

function bytesOf(shown: string, exact: number | undefined): number {
  const [n, unit] = shown.split(' ');
  if (unit === 'bytes') return Number(n);
  if (exact === undefined) throw new Error(`no exact byte count for a conversation shown as ${shown}`);
  return exact;
}

describe('tshark conversation parity on lab-basic.pcap', () => {
  // "a:port>b:port" -> [frames, bytes] from our flows
  const ours = new Map<string, [number, number]>();
  beforeAll(async () => {
    await processCapture(file, {
      idleTimeout: 1e6,
      activeTimeout: 1e7,
      tcpTeardown: false,
      bytes: 'link',
      onFlow: (f) => {
        const j = flowJson(f.table, f.slot);
        if (j.protocol !== 6 && j.protocol !== 17) return;
        const s = ep(j.src_ip, j.src_port);
        const d = ep(j.dst_ip, j.dst_port);
        const add = (k: string, fr: number, by: number) => {
          const v = ours.get(k) ?? [0, 0];
          ours.set(k, [v[0] + fr, v[1] + by]);
        };
        add(`${s}>${d}`, j.src2dst_packets, j.src2dst_bytes);
        add(`${d}>${s}`, j.dst2src_packets, j.dst2src_bytes);
      },
    });
  });

  for (const proto of ['tcp', 'udp'] as const) {
    it(`every ${proto.toUpperCase()} conversation: frames and bytes per direction`, async () => {
      const convs = await tsharkConv(proto);
      const exact = await tsharkBytes(proto);
      expect(convs.length).toBeGreaterThan(proto === 'tcp' ? 100 : 10);
      let checked = 0;
      for (const c of convs) {
        const ab = `${c.a}>${c.b}`;
        const ba = `${c.b}>${c.a}`;
        const oAB = ours.get(ab) ?? [0, 0];
        const oBA = ours.get(ba) ?? [0, 0];
        expect([ab, oAB[0]]).toEqual([ab, c.framesAB]);
        expect([ba, oBA[0]]).toEqual([ba, c.framesBA]);
        expect([ab, oAB[1]]).toEqual([ab, bytesOf(c.bytesAB, exact.get(ab))]);
        expect([ba, oBA[1]]).toEqual([ba, bytesOf(c.bytesBA, exact.get(ba))]);
        checked++;
      }
      expect(checked).toBe(convs.length);
    });
  }
});
