import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../../src/errors.js';
import { MAX_CAPLEN } from '../../../src/packet/file/limits.js';
import { type ReadSummary, readCapture, readCaptureBuffer } from '../../../src/packet/file/reader.js';
import { runCommand } from '../../../src/sys/exec.js';
import { corpusPath } from '../../helpers/corpus.js';
import { type Crafted, craftPcap, craftPcapng, udpFrame } from '../craft.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  epoch: string;
  ifIndex: number;
  capLen: number;
  origLen: number;
  linkType: number;
  first: number;
  fileOff: number;
}

function collect(s: Seen[]) {
  return (rec: {
    tsSec: number;
    tsNsec: number;
    ifIndex: number;
    capLen: number;
    origLen: number;
    linkType: number;
    buffer: Uint8Array;
    offset: number;
  }) => {
    s.push({
      epoch: `${rec.tsSec}.${String(rec.tsNsec).padStart(9, '0')}`,
      ifIndex: rec.ifIndex,
      capLen: rec.capLen,
      origLen: rec.origLen,
      linkType: rec.linkType,
      first: rec.buffer[rec.offset],
      fileOff: rec.offset,
    });
  };
}

/** What tshark sees in the same file: the oracle for timestamps, interfaces and lengths. */
async function tsharkView(bytes: Uint8Array): Promise<string[][]> {
  const f = path.join(dir, `t-${Math.random().toString(36).slice(2)}.cap`);
  writeFileSync(f, bytes);
  if (process.env.KEEP) writeFileSync('/tmp/pk/last.cap', bytes);
  const r = await runCommand([
    'tshark',
    '-r',
    f,
    '-o',
    'frame.show_file_off:TRUE',
    '-T',
    'fields',
    '-e',
    'frame.time_epoch',
    '-e',
    'frame.interface_id',
    '-e',
    'frame.cap_len',
    '-e',
    'frame.len',
    '-e',
    'frame.file_off',
  ]);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

async function expectSameAsTshark(c: Crafted, expectedLinkTypes: number[], recordHeaderLen: number) {
  const seen: Seen[] = [];
  readCaptureBuffer(c.bytes, collect(seen));
  const ts = await tsharkView(c.bytes);
  expect(seen.length).toBe(ts.length);
  seen.forEach((s, i) => {
    const [epoch, ifId, cap, len, off] = ts[i];
    expect(s.epoch).toBe(epoch);
    expect(String(s.ifIndex)).toBe(ifId === '' ? '0' : ifId);
    expect(String(s.capLen)).toBe(cap);
    expect(String(s.origLen)).toBe(len);
    expect(s.fileOff).toBe(Number(off) + recordHeaderLen);
    expect(s.linkType).toBe(expectedLinkTypes[i]);
  });
  return seen;
}

const frames = [udpFrame(1), udpFrame(2, 30), udpFrame(3, 1)];

describe('pcap reader', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian ${nano ? 'nanosecond' : 'microsecond'} files like tshark`, async () => {
        const c = craftPcap({
          le,
          nano,
          linkType: 1,
          packets: frames.map((data, i) => ({
            sec: 1_700_000_000 + i,
            frac: nano ? 123_456_789 + i : 654_321 + i,
            data,
            origLen: i === 1 ? 1500 : undefined,
          })),
        });
        const seen = await expectSameAsTshark(c, [1, 1, 1], 16);
        expect(seen.map((s) => s.first)).toEqual([0, 0, 0]);
        expect(seen[1].origLen).toBe(1500);
      });
    }
  }

  it('reports the link type and snaplen of the header', () => {
    for (const lt of [0, 1, 101, 108, 113, 228, 229, 276]) {
      const c = craftPcap({ le: true, nano: false, linkType: lt, snaplen: 96, packets: [] });
      const s = readCaptureBuffer(c.bytes, () => {});
      expect(s.format).toBe('pcap');
      expect(s.interfaces[0].linkType).toBe(lt);
      expect(s.interfaces[0].snaplen).toBe(96);
      expect(s.pcapHeader?.linkType).toBe(lt);
    }
  });

  it('stops right after the packet during which the signal was aborted', () => {
    const c = craftPcap({
      le: true,
      nano: false,
      linkType: 1,
      packets: frames.map((data) => ({ sec: 1, frac: 0, data })),
    });
    let n = 0;
    const ac = new AbortController();
    const s = readCaptureBuffer(
      c.bytes,
      () => {
        if (++n === 2) ac.abort();
      },
      { signal: ac.signal },
    );
    expect(n).toBe(2);
    expect(s.stopped).toBe(true);
    expect(s.packets).toBe(2);
  });
});

describe('pcapng reader', () => {
  it('reads several interfaces with different link types and if_tsresol, like tshark', async () => {
    const raw = udpFrame(9).subarray(14);
    const c = craftPcapng([
      { kind: 'shb', le: true },
      { kind: 'idb', linkType: 1, snaplen: 65535, name: 'eth0' },
      { kind: 'idb', linkType: 101, tsresol: 9 },
      { kind: 'unknown', type: 0x42, body: new Uint8Array([1, 2, 3, 4, 5]) },
      { kind: 'idb', linkType: 1, tsresol: 3 },
      { kind: 'epb', ifId: 0, ts: 1_700_000_000_123_456n, data: frames[0] },
      { kind: 'epb', ifId: 1, ts: 1_700_000_001_987_654_321n, data: raw },
      { kind: 'unknown', type: 5, body: new Uint8Array(40) }, // interface statistics block
      { kind: 'epb', ifId: 2, ts: 1_700_000_002_345n, data: frames[1], origLen: 2000 },
      { kind: 'opb', ifId: 0, ts: 1_700_000_003_000_001n, data: frames[2] },
    ]);
    const seen = await expectSameAsTshark(c, [1, 101, 1, 1], 28);
    expect(seen.map((s) => s.first)).toEqual([0, 0x45, 0, 0]);
  });

  it('reads binary if_tsresol (2^-n) and if_tsoffset like tshark', async () => {
    const c = craftPcapng([
      { kind: 'shb', le: true },
      { kind: 'idb', linkType: 1, tsresol: 0x80 | 20, tsoffset: 100n },
      { kind: 'epb', ifId: 0, ts: (1_700_000_000n << 20n) + 524_288n, data: frames[0] },
    ]);
    const seen = await expectSameAsTshark(c, [1], 28);
    expect(seen[0].epoch).toBe('1700000100.500000000');
  });

  it('reads several sections with different byte orders; interface numbers continue', async () => {
    const c = craftPcapng([
      { kind: 'shb', le: true },
      { kind: 'idb', linkType: 1 },
      { kind: 'epb', ifId: 0, ts: 1_700_000_000_000_001n, data: frames[0] },
      { kind: 'shb', le: false },
      { kind: 'idb', linkType: 101, tsresol: 9, snaplen: 20 },
      { kind: 'idb', linkType: 1 },
      { kind: 'epb', ifId: 1, ts: 1_700_000_000_000_002n, data: frames[1] },
      { kind: 'epb', ifId: 0, ts: 1_700_000_000_000_000_003n, data: udpFrame(3).subarray(14) },
      { kind: 'spb', data: frames[2].subarray(0, 20), origLen: frames[2].length },
    ]);
    const seen: Seen[] = [];
    const s = readCaptureBuffer(c.bytes, collect(seen));
    expect(s.interfaces.map((i) => [i.index, i.section, i.linkType])).toEqual([
      [0, 0, 1],
      [1, 1, 101],
      [2, 1, 1],
    ]);
    expect(seen.map((p) => p.ifIndex)).toEqual([0, 2, 1, 1]);
    expect(seen.map((p) => p.linkType)).toEqual([1, 1, 101, 101]);
    expect(seen[2].epoch).toBe('1700000000.000000003');
    // the SPB belongs to interface 0 of its section and has no timestamp
    expect(seen[3]).toMatchObject({ capLen: 20, origLen: frames[2].length, epoch: '0.000000000' });
    // tshark numbers interfaces within their section (frame.interface_id); ours are global and
    // map back to tshark's through the interface list; an SPB has no timestamp (tshark: empty)
    const ts = await tsharkView(c.bytes);
    expect(ts.map((r) => [r[0], r[1]])).toEqual(
      seen.map((p) => [
        p.epoch === '0.000000000' ? '' : p.epoch,
        String(s.interfaces[p.ifIndex].idInSection),
      ]),
    );
  });
});

describe('pcapng timestamps', () => {
  // the oracle is BigInt arithmetic on the same 64-bit values
  function expectExact(resol: number, values: bigint[]) {
    const c = craftPcapng([
      { kind: 'shb', le: true },
      { kind: 'idb', linkType: 1, tsresol: resol },
      ...values.map((ts) => ({ kind: 'epb' as const, ifId: 0, ts, data: new Uint8Array(1) })),
    ]);
    const per = 10n ** BigInt(resol);
    const got: string[] = [];
    readCaptureBuffer(c.bytes, (rec) => got.push(`${rec.tsSec}.${rec.tsNsec}`));
    expect(got).toEqual(values.map((v) => `${v / per}.${(v % per) * 10n ** BigInt(9 - resol)}`));
  }

  for (const resol of [3, 4, 6, 9]) {
    it(`converts 10^-${resol} s units exactly, for any 64-bit value and for runs within a second`, () => {
      let seed = 12345 + resol;
      const next = () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return BigInt(seed);
      };
      const per = 10n ** BigInt(resol);
      // any 64-bit value whose seconds a JS number holds exactly (below 2^53)
      const random = Array.from(
        { length: 2000 },
        () => (((next() << 32n) | next()) & 0xffffffffffffffffn) % (per << 53n),
      );
      // consecutive packets (the reader caches the current second) across a 2^32 boundary
      let v = (77n << 32n) + (1n << 32n) - 3n * per + 17n;
      const runs: bigint[] = [];
      for (let i = 0; i < 3000; i++) {
        v += next() % (per / 40n + 1n);
        runs.push(v);
      }
      expectExact(resol, [...random, ...runs]);
    });
  }
});

describe('damaged files', () => {
  const pcap = craftPcap({
    le: true,
    nano: false,
    linkType: 1,
    packets: frames.map((data, i) => ({ sec: 1_700_000_000, frac: i, data })),
  });
  const ng = craftPcapng([
    { kind: 'shb', le: false },
    { kind: 'idb', linkType: 1 },
    { kind: 'epb', ifId: 0, ts: 1n, data: frames[0] },
    { kind: 'unknown', type: 0x99, body: new Uint8Array(8) },
    { kind: 'epb', ifId: 0, ts: 2n, data: frames[1] },
    { kind: 'spb', data: frames[2] },
  ]);

  function expectTruncation(c: Crafted, headerLen: number) {
    for (let cut = 0; cut < c.bytes.length; cut++) {
      // the unit (file header, record, block) the cut falls in, and the packets before it
      const complete = c.starts.filter((_s, i) => (c.starts[i + 1] ?? c.bytes.length) <= cut);
      const inside =
        cut < headerLen ? 0 : c.starts.find((s, i) => s <= cut && cut < (c.starts[i + 1] ?? Infinity));
      const packetsBefore = complete.filter((s) => c.isPacket[c.starts.indexOf(s)]).length;
      let delivered = 0;
      let err: unknown;
      try {
        readCaptureBuffer(c.bytes.subarray(0, cut), () => {
          delivered++;
        });
      } catch (e) {
        err = e;
      }
      const atBoundary = cut >= headerLen && c.starts.includes(cut);
      if (atBoundary) {
        expect(err, `cut at ${cut}`).toBeUndefined();
      } else {
        expect(err, `cut at ${cut}`).toBeInstanceOf(SentraError);
        expect((err as SentraError).code).toBe(ErrorCodes.PCAP_TRUNCATED);
        expect((err as SentraError).details.offset, `cut at ${cut}`).toBe(inside);
      }
      expect(delivered, `cut at ${cut}`).toBe(packetsBefore);
    }
  }

  it('pcap cut at every byte: every whole record is delivered, then PCAP_TRUNCATED at the cut record', () => {
    expectTruncation(pcap, 24);
  });

  it('pcapng cut at every byte: every whole block is delivered, then PCAP_TRUNCATED at the cut block', () => {
    // the SHB is the "header" here: a cut inside it truncates at offset 0
    expectTruncation(ng, ng.starts[1]);
  });

  it('a cut file read from a stream in tiny chunks fails the same way', async () => {
    const cut = pcap.starts[2] + 5;
    const chunks: Buffer[] = [];
    for (let i = 0; i < cut; i += 3) chunks.push(Buffer.from(pcap.bytes.subarray(i, Math.min(cut, i + 3))));
    let n = 0;
    const err = await readCapture(Readable.from(chunks), () => {
      n++;
    }).catch((e) => e);
    expect(n).toBe(2);
    expect(err).toMatchObject({ code: ErrorCodes.PCAP_TRUNCATED, details: { offset: pcap.starts[2] } });
  });

  it('a record longer than the maximum is PCAP_CORRUPT at its offset, after the packets before it', () => {
    const bad = pcap.bytes.slice();
    new DataView(bad.buffer).setUint32(pcap.starts[1] + 8, MAX_CAPLEN + 1, true);
    let n = 0;
    expect(() =>
      readCaptureBuffer(bad, () => {
        n++;
      }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PCAP_CORRUPT,
        details: expect.objectContaining({ offset: pcap.starts[1] }),
      }),
    );
    expect(n).toBe(1);
  });

  it('a pcapng block whose two lengths differ is PCAP_CORRUPT at its offset', () => {
    const bad = ng.bytes.slice();
    const blk = ng.starts[4];
    const len = new DataView(bad.buffer).getUint32(blk + 4, false);
    new DataView(bad.buffer).setUint32(blk + len - 4, len + 4, false);
    let n = 0;
    expect(() =>
      readCaptureBuffer(bad, () => {
        n++;
      }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PCAP_CORRUPT,
        details: expect.objectContaining({ offset: blk }),
      }),
    );
    expect(n).toBe(1);
  });

  it('a packet of an undeclared interface is PCAP_CORRUPT', () => {
    const c = craftPcapng([
      { kind: 'shb', le: true },
      { kind: 'idb', linkType: 1 },
      { kind: 'epb', ifId: 3, ts: 1n, data: frames[0] },
    ]);
    expect(() => readCaptureBuffer(c.bytes, () => {})).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PCAP_CORRUPT,
        details: expect.objectContaining({ offset: c.starts[2] }),
      }),
    );
  });

  it('a file that is neither pcap nor pcapng is PCAP_BAD_MAGIC at offset 0', () => {
    const text = new TextEncoder().encode('hello, this is not a capture');
    expect(() => readCaptureBuffer(text, () => {})).toThrow(
      expect.objectContaining({
        code: ErrorCodes.PCAP_BAD_MAGIC,
        details: expect.objectContaining({ offset: 0 }),
      }),
    );
  });
});

describe('streaming', () => {
  it('reads a corpus file through tiny stream chunks and 4 KiB file reads identically', async () => {
    const f = corpusPath('cicflowmeter', 'test.pcap');
    const whole: Seen[] = [];
    readCaptureBuffer(readFileSync(f), collect(whole));
    const fromFile: Seen[] = [];
    const s1 = await readCapture(f, collect(fromFile), { chunkSize: 4096 });
    const fromStream: Seen[] = [];
    const bytes = readFileSync(f);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    const s2: ReadSummary = await readCapture(Readable.from(chunks), collect(fromStream));
    const strip = (a: Seen[]) => a.map(({ fileOff, ...rest }) => rest);
    expect(strip(fromFile)).toEqual(strip(whole));
    expect(strip(fromStream)).toEqual(strip(whole));
    expect(s1.packets).toBe(3292);
    expect(s2.bytes).toBe(bytes.length);
  });

  it('grows its buffer for a record larger than a read and still streams', async () => {
    const big = new Uint8Array(200_000);
    big.set(udpFrame(1));
    const c = craftPcap({ le: true, nano: false, linkType: 1, packets: [{ sec: 1, frac: 0, data: big }] });
    const seen: Seen[] = [];
    await readCapture(Readable.from([Buffer.from(c.bytes)]), collect(seen), { chunkSize: 4096 });
    expect(seen[0].capLen).toBe(200_000);
  });

  it('reports a missing file as SENTRA_ERR_IO with the path', async () => {
    const err = await readCapture(path.join(dir, 'nope.pcap'), () => {}).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCodes.IO });
    expect(err.message).toContain('nope.pcap');
  });
});
