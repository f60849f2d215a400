/**
 * Golden values for every CIC column, computed by hand (the derivation is in the comments),
 * never copied from our output: a crafted 13-packet TCP session written with PcapWriter, the
 * one-packet flows of the tcp-control corpus, and two-packet flows of the two-way corpus
 * (whose windows, ports and times come from tshark, an independent reader).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIC_COLUMNS, cicValues } from '../../src/flow/cic.js';
import { processCapture } from '../../src/flow/process.js';
import type { FlowTableOptions } from '../../src/flow/table.js';
import { PcapWriter } from '../../src/packet/file/pcap-writer.js';
import { runCommand } from '../../src/sys/exec.js';
import { corpusPath } from '../helpers/corpus.js';
import { type Seg, tcpFrame } from './craft.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-flow-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Row = Record<string, string | number>;

async function cicRows(file: string, opts: Partial<FlowTableOptions> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  await processCapture(file, {
    ...opts,
    onFlow: (f) => {
      const v = cicValues(f.table, f.slot);
      const r: Row = {};
      CIC_COLUMNS.forEach((c, i) => {
        r[c] = v[i];
      });
      rows.push(r);
    },
  });
  return rows;
}

function expectRow(got: Row, want: Row): void {
  expect(Object.keys(want).sort()).toEqual([...CIC_COLUMNS].sort());
  for (const c of CIC_COLUMNS) {
    const w = want[c];
    const g = got[c];
    if (typeof w === 'number' && !Number.isInteger(w)) {
      expect(typeof g, c).toBe('number');
      expect(Math.abs((g as number) - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${c}: ${g} vs ${w}`).toBe(true);
    } else {
      expect([c, g]).toEqual([c, w]);
    }
  }
}

const T0 = 1_700_000_000; // 14/11/2023 22:13:20 UTC

/*
 * The session (t in µs after T0; F = client->server, B = server->client):
 *   1  0        F SYN      win 1000 hdr 32 len 0
 *   2  100      B SYN ACK  win 2000 hdr 32 len 0
 *   3  300      F ACK      win 1001 hdr 20 len 0
 *   4  1000     F PSH ACK  win 1002       len 100   \
 *   5  1200     F ACK      win 1003       len 200    | a forward bulk: 4 payload packets, each
 *   6  1500     F ACK      win 1004       len 300    | < 1 s apart: 1000 bytes in 1000 µs
 *   7  2000     F PSH ACK  win 1005       len 400   /
 *   8  2100     B ACK      win 2001       len 0
 *   9  2002100  B PSH ACK  win 2002       len 50    (2 s gap: second subflow)
 *  10  9000000  F URG ACK  win 1006       len 10    (6.9979 s gap: third subflow, > 5 s: idle)
 *  11  9000500  B FIN ACK  win 2003       len 0
 *  12  9001000  F FIN ACK  win 1007       len 0
 *  13  9001200  B ACK      win 2004       len 0     (ACK after both FINs: the flow ends)
 */
const SESSION: Seg[] = [
  { t: 0, fwd: true, flags: 'S', win: 1000, hdr: 32, payload: 0 },
  { t: 100, fwd: false, flags: 'SA', win: 2000, hdr: 32, payload: 0 },
  { t: 300, fwd: true, flags: 'A', win: 1001, hdr: 20, payload: 0 },
  { t: 1000, fwd: true, flags: 'PA', win: 1002, hdr: 20, payload: 100 },
  { t: 1200, fwd: true, flags: 'A', win: 1003, hdr: 20, payload: 200 },
  { t: 1500, fwd: true, flags: 'A', win: 1004, hdr: 20, payload: 300 },
  { t: 2000, fwd: true, flags: 'PA', win: 1005, hdr: 20, payload: 400 },
  { t: 2100, fwd: false, flags: 'A', win: 2001, hdr: 20, payload: 0 },
  { t: 2002100, fwd: false, flags: 'PA', win: 2002, hdr: 20, payload: 50 },
  { t: 9000000, fwd: true, flags: 'UA', win: 1006, hdr: 20, payload: 10 },
  { t: 9000500, fwd: false, flags: 'FA', win: 2003, hdr: 20, payload: 0 },
  { t: 9001000, fwd: true, flags: 'FA', win: 1007, hdr: 20, payload: 0 },
  { t: 9001200, fwd: false, flags: 'A', win: 2004, hdr: 20, payload: 0 },
];

const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

// forward lengths 0,0,100,200,300,400,10,0 (8 packets, 1010 bytes); backward 0,0,50,0,0 (5, 50)
// flow IATs: 100,200,700,200,300,500,100,2000000,6997900,500,500,200 (12, sum 9001200)
// forward IATs: 300,700,200,300,500,8998000,1000 (sum 9001000); backward: 2000,2002000,6998400,700... see below
const SESSION_ROW: Row = {
  'Flow ID': '10.1.0.1-10.1.0.2-40000-80-6',
  'Src IP': '10.1.0.1',
  'Src Port': 40000,
  'Dst IP': '10.1.0.2',
  'Dst Port': 80,
  Protocol: 6,
  Timestamp: '14/11/2023 22:13:20',
  'Flow Duration': 9001200,
  'Tot Fwd Pkts': 8,
  'Tot Bwd Pkts': 5,
  'TotLen Fwd Pkts': 1010,
  'TotLen Bwd Pkts': 50,
  'Fwd Pkt Len Max': 400,
  'Fwd Pkt Len Min': 0,
  'Fwd Pkt Len Mean': 1010 / 8,
  'Fwd Pkt Len Std': sd([0, 0, 100, 200, 300, 400, 10, 0]),
  'Bwd Pkt Len Max': 50,
  'Bwd Pkt Len Min': 0,
  'Bwd Pkt Len Mean': 10,
  'Bwd Pkt Len Std': sd([0, 0, 50, 0, 0]),
  'Flow Byts/s': 1060 / 9.0012,
  'Flow Pkts/s': 13 / 9.0012,
  'Flow IAT Mean': 9001200 / 12,
  'Flow IAT Std': sd([100, 200, 700, 200, 300, 500, 100, 2000000, 6997900, 500, 500, 200]),
  'Flow IAT Max': 6997900,
  'Flow IAT Min': 100,
  'Fwd IAT Tot': 9001000,
  'Fwd IAT Mean': 9001000 / 7,
  'Fwd IAT Std': sd([300, 700, 200, 300, 500, 8998000, 1000]),
  'Fwd IAT Max': 8998000,
  'Fwd IAT Min': 200,
  // backward packets at 100, 2100, 2002100, 9000500, 9001200
  'Bwd IAT Tot': 9001100,
  'Bwd IAT Mean': 9001100 / 4,
  'Bwd IAT Std': sd([2000, 2000000, 6998400, 700]),
  'Bwd IAT Max': 6998400,
  'Bwd IAT Min': 700,
  'Fwd PSH Flags': 2,
  'Bwd PSH Flags': 1,
  'Fwd URG Flags': 1,
  'Bwd URG Flags': 0,
  'Fwd Header Len': 32 + 7 * 20,
  'Bwd Header Len': 32 + 4 * 20,
  'Fwd Pkts/s': 8 / 9.0012,
  'Bwd Pkts/s': 5 / 9.0012,
  'Pkt Len Min': 0,
  'Pkt Len Max': 400,
  'Pkt Len Mean': 1060 / 13,
  'Pkt Len Std': sd([0, 0, 100, 200, 300, 400, 10, 0, 0, 0, 50, 0, 0]),
  'Pkt Len Var': sd([0, 0, 100, 200, 300, 400, 10, 0, 0, 0, 50, 0, 0]) ** 2,
  'FIN Flag Cnt': 2,
  'SYN Flag Cnt': 2,
  'RST Flag Cnt': 0,
  'PSH Flag Cnt': 3,
  'ACK Flag Cnt': 12,
  'URG Flag Cnt': 1,
  'CWE Flag Count': 0,
  'ECE Flag Cnt': 0,
  'Down/Up Ratio': 5 / 8,
  'Pkt Size Avg': 1060 / 13,
  'Fwd Seg Size Avg': 1010 / 8,
  'Bwd Seg Size Avg': 10,
  'Fwd Byts/b Avg': 1000,
  'Fwd Pkts/b Avg': 4,
  'Fwd Blk Rate Avg': 1000 / 0.001,
  'Bwd Byts/b Avg': 0,
  'Bwd Pkts/b Avg': 0,
  'Bwd Blk Rate Avg': 0,
  // three subflows (gaps of 2 s and 6.9979 s)
  'Subflow Fwd Pkts': 8 / 3,
  'Subflow Fwd Byts': 1010 / 3,
  'Subflow Bwd Pkts': 5 / 3,
  'Subflow Bwd Byts': 50 / 3,
  'Init Fwd Win Byts': 1000,
  'Init Bwd Win Byts': 2000,
  'Fwd Act Data Pkts': 5,
  'Fwd Seg Size Min': 20,
  // active 0..2002100 then, after the 6997900 µs idle gap, 9000000..9001200
  'Active Mean': (2002100 + 1200) / 2,
  'Active Std': sd([2002100, 1200]),
  'Active Max': 2002100,
  'Active Min': 1200,
  'Idle Mean': 6997900,
  'Idle Std': 0,
  'Idle Max': 6997900,
  'Idle Min': 6997900,
  Label: 'No Label',
};

async function writeSession(file: string, segs: Seg[]): Promise<void> {
  const w = await PcapWriter.open(file, { nanosecond: false });
  for (const s of segs) {
    const fr = tcpFrame(s);
    w.writeBytes(T0 + Math.floor(s.t / 1e6), (s.t % 1e6) * 1000, fr, 0, fr.length, fr.length);
  }
  await w.close();
}

describe('CIC columns: hand-computed golden values', () => {
  it('a crafted 13-packet TCP session: every column', async () => {
    const file = path.join(tmp, 'session.pcap');
    await writeSession(file, SESSION);
    const rows = await cicRows(file);
    expect(rows).toHaveLength(1);
    expectRow(rows[0], SESSION_ROW);
  });

  it('the same session seen from its SYN-ACK on: turned around, the server stays the responder', async () => {
    const file = path.join(tmp, 'synack.pcap');
    await writeSession(file, SESSION.slice(1));
    const rows = await cicRows(file);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    expect([r['Src IP'], r['Src Port'], r['Dst IP'], r['Dst Port']]).toEqual([
      '10.1.0.1',
      40000,
      '10.1.0.2',
      80,
    ]);
    expect([r['Tot Fwd Pkts'], r['Tot Bwd Pkts']]).toEqual([7, 5]);
    // the SYN-ACK is the responder's first packet: its window is the backward initial window
    expect([r['Init Fwd Win Byts'], r['Init Bwd Win Byts']]).toEqual([1001, 2000]);
  });
});

const ONE_WAY = 'tcp-control/one_way';
const LETTERS: Record<string, string> = {
  F: 'FIN Flag Cnt',
  S: 'SYN Flag Cnt',
  R: 'RST Flag Cnt',
  P: 'PSH Flag Cnt',
  A: 'ACK Flag Cnt',
  U: 'URG Flag Cnt',
};

interface TsharkPkt {
  sec: number;
  usec: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  win: number;
  hdr: number;
  len: number;
}

async function tsharkPackets(file: string): Promise<TsharkPkt[]> {
  const r = await runCommand([
    'tshark', '-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'tcp.srcport',
    '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'tcp.window_size_value', '-e', 'tcp.hdr_len', '-e', 'tcp.len',
  ]); // biome-ignore format: argv pairs
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => {
      const [t, src, sp, dst, dp, win, hdr, len] = l.split('\t');
      const [s, frac] = t.split('.');
      return {
        sec: Number(s),
        usec: Math.floor(Number((frac ?? '0').padEnd(9, '0')) / 1000),
        src,
        sport: Number(sp),
        dst,
        dport: Number(dp),
        win: Number(win),
        hdr: Number(hdr),
        len: Number(len),
      };
    });
}

const tsharkCache = new Map<string, Promise<TsharkPkt[]>>();

/** tshark is slow to start: read every file up front, four at a time. */
async function prefetch(files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i += 4) {
    const batch = files.slice(i, i + 4).map((f) => {
      const pr = tsharkPackets(f);
      tsharkCache.set(f, pr);
      return pr;
    });
    await Promise.all(batch);
  }
}

function packetsOf(file: string): Promise<TsharkPkt[]> {
  return tsharkCache.get(file) ?? tsharkPackets(file);
}

function ts(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Every column of a flow holding exactly one packet with no payload, sent by its initiator. */
function onePacketRow(p: TsharkPkt, flags: string, turned: boolean): Row {
  const row: Row = {};
  for (const c of CIC_COLUMNS) row[c] = 0;
  // both addresses are 10.0.0.x; the lower last byte comes first in CICFlowMeter's Flow ID
  const [cli, cport, srv, sport] = turned
    ? [p.dst, p.dport, p.src, p.sport]
    : [p.src, p.sport, p.dst, p.dport];
  const lowFirst = Number(cli.split('.')[3]) < Number(srv.split('.')[3]);
  Object.assign(row, {
    'Flow ID': lowFirst ? `${cli}-${srv}-${cport}-${sport}-6` : `${srv}-${cli}-${sport}-${cport}-6`,
    'Src IP': cli,
    'Src Port': cport,
    'Dst IP': srv,
    'Dst Port': sport,
    Protocol: 6,
    Timestamp: ts(p.sec),
    'Tot Fwd Pkts': turned ? 0 : 1,
    'Tot Bwd Pkts': turned ? 1 : 0,
    'Fwd PSH Flags': !turned && flags.includes('P') ? 1 : 0,
    'Bwd PSH Flags': turned && flags.includes('P') ? 1 : 0,
    'Fwd URG Flags': !turned && flags.includes('U') ? 1 : 0,
    'Bwd URG Flags': turned && flags.includes('U') ? 1 : 0,
    'Fwd Header Len': turned ? 0 : p.hdr,
    'Bwd Header Len': turned ? p.hdr : 0,
    // one subflow: the packet counts are the totals
    'Subflow Fwd Pkts': turned ? 0 : 1,
    'Subflow Bwd Pkts': turned ? 1 : 0,
    'Init Fwd Win Byts': turned ? -1 : p.win,
    'Init Bwd Win Byts': turned ? p.win : -1,
    'Fwd Seg Size Min': turned ? 0 : p.hdr,
    Label: 'No Label',
  });
  for (const [ch, col] of Object.entries(LETTERS)) row[col] = flags.includes(ch) ? 1 : 0;
  return row;
}

describe('CIC columns: one-packet flows of tcp-control/one_way (every flag combination)', () => {
  const files = readdirSync(corpusPath(ONE_WAY)).filter((f) => f.endsWith('.pcap'));
  beforeAll(() => prefetch(files.map((f) => corpusPath(ONE_WAY, f))), 120_000);
  it('holds the one-way captures', () => expect(files.length).toBeGreaterThan(60));
  for (const name of files) {
    const flags = name.replace(/^one_way_|\.pcap$/g, '').replace('None', '');
    it(`${name}: every column; rates 0 rather than NaN/Infinity`, async () => {
      const file = corpusPath(ONE_WAY, name);
      const [p] = await packetsOf(file);
      expect(p.len).toBe(0);
      const rows = await cicRows(file);
      expect(rows).toHaveLength(1);
      const turned = flags.includes('S') && flags.includes('A');
      expectRow(rows[0], onePacketRow(p, flags, turned));
    });
  }
});

describe('CIC columns: two-packet flows of tcp-control/two_way', () => {
  const dirs = readdirSync(corpusPath('tcp-control/two_way')).filter((d) => d.startsWith('orig_sent_'));
  const picked: string[] = [];
  beforeAll(() => prefetch(picked), 120_000);
  for (const d of dirs) {
    const origFlags = d.replace('orig_sent_', '').replace('None', '');
    if (origFlags.includes('S') && origFlags.includes('A')) continue; // turned around: covered above
    const name = readdirSync(corpusPath('tcp-control/two_way', d)).sort()[0];
    picked.push(corpusPath('tcp-control/two_way', d, name));
    it(`${d}/${name}: times, counts, windows and flags of both directions`, async () => {
      const file = corpusPath('tcp-control/two_way', d, name);
      const [a, b] = await packetsOf(file);
      const respFlags = name.replace(/^two_way_[A-Za-z]+_|\.pcap$/g, '').replace('None', '');
      const rows = await cicRows(file, { tcpTeardown: false });
      expect(rows).toHaveLength(1);
      const r = rows[0];
      const dur = (b.sec - a.sec) * 1e6 + (b.usec - a.usec);
      expect(r['Flow Duration']).toBe(dur);
      expect([r['Tot Fwd Pkts'], r['Tot Bwd Pkts']]).toEqual([1, 1]);
      expect([r['Flow IAT Mean'], r['Flow IAT Max'], r['Flow IAT Min'], r['Flow IAT Std']]).toEqual([
        dur,
        dur,
        dur,
        0,
      ]);
      expect([r['Fwd IAT Tot'], r['Bwd IAT Tot']]).toEqual([0, 0]);
      expect(r['Flow Pkts/s']).toBeCloseTo(2 / (dur / 1e6), 6);
      expect([r['Init Fwd Win Byts'], r['Init Bwd Win Byts']]).toEqual([a.win, b.win]);
      expect([r['Fwd Header Len'], r['Bwd Header Len']]).toEqual([a.hdr, b.hdr]);
      expect(r['Down/Up Ratio']).toBe(1);
      for (const [ch, col] of Object.entries(LETTERS)) {
        expect([col, r[col]]).toEqual([
          col,
          (origFlags.includes(ch) ? 1 : 0) + (respFlags.includes(ch) ? 1 : 0),
        ]);
      }
    });
  }
});
