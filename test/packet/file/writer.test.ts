import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../../src/packet/file/pcap-writer.js';
import { readCapture, readCaptureBuffer } from '../../../src/packet/file/reader.js';
import { runCommand } from '../../../src/sys/exec.js';
import { CORPUS_ROOT, corpusFiles, corpusPath } from '../../helpers/corpus.js';
import { udpFrame } from '../craft.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Sink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.chunks.push(chunk);
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Reads `bytes` and writes every packet back with the same file header, in memory. */
async function roundTrip(bytes: Uint8Array): Promise<Buffer> {
  const sink = new Sink();
  let w: PcapWriter | undefined;
  readCaptureBuffer(bytes, (rec) => w!.write(rec), {
    onPcapHeader: (h) => {
      w = new PcapWriter(sink, { header: h });
    },
  });
  await w!.close();
  return sink.bytes();
}

describe('pcap writer', () => {
  it('round trip: every pcap file of the corpus is reproduced byte for byte', async () => {
    const files = ['lab', 'nfstream', 'attacks', 'tcp-control', 'cicflowmeter', 'suricata-verify'].flatMap(
      (d) => corpusFiles(d),
    );
    let pcaps = 0;
    const differ: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(f);
      if (bytes.readUInt32LE(0) === 0x0a0d0d0a) continue; // pcapng: not a pcap round trip
      pcaps++;
      const out = await roundTrip(bytes);
      if (!out.equals(bytes)) differ.push(path.relative(CORPUS_ROOT, f));
    }
    expect(pcaps).toBeGreaterThan(4000);
    // Known exception: a fuzzed file whose microsecond field is >= 1,000,000; the reader carries
    // the excess into the seconds (records promise tsNsec < 1e9), so it cannot be rewritten as is.
    expect(differ).toEqual(['nfstream/pcaps/fuzz-2021-06-07-c6c72a0a56.pcap']);
  });

  it('capinfos accepts what it writes to a file, with the same packet count and times', async () => {
    const src = corpusPath('lab', 'lab-basic.pcap');
    const out = path.join(dir, 'lab-copy.pcap');
    const header = readCaptureBuffer(readFileSync(src).subarray(0, 24), () => {}).pcapHeader;
    const w = await PcapWriter.open(out, { header });
    await readCapture(src, (rec) => w.write(rec));
    await w.close();
    const ours = await runCommand(['capinfos', '-M', '-c', '-a', '-e', '-T', '-r', out]);
    const theirs = await runCommand(['capinfos', '-M', '-c', '-a', '-e', '-T', '-r', src]);
    expect(ours.stdout.split('\t').slice(1)).toEqual(theirs.stdout.split('\t').slice(1));
    expect(readFileSync(out).equals(readFileSync(src))).toBe(true);
  });

  for (const [bigEndian, nanosecond] of [
    [false, false],
    [true, true],
  ]) {
    it(`writes ${bigEndian ? 'big' : 'little'}-endian ${nanosecond ? 'ns' : 'µs'} files that tshark reads with the same times`, async () => {
      const out = path.join(dir, `w-${bigEndian}-${nanosecond}.pcap`);
      const w = await PcapWriter.open(out, {
        bigEndian,
        nanosecond,
        linkType: 1,
        snaplen: 40,
        truncate: true,
      });
      w.writeBytes(1_700_000_000, 123_456_789, udpFrame(1), 0, 46, 46);
      w.writeBytes(1_700_000_001, 5_000, udpFrame(2, 100), 0, 142, 142);
      await w.close();
      const r = await runCommand([
        'tshark',
        '-r',
        out,
        '-T',
        'fields',
        '-e',
        'frame.time_epoch',
        '-e',
        'frame.cap_len',
        '-e',
        'frame.len',
      ]);
      const frac1 = nanosecond ? '123456789' : '123456000';
      expect(r.stdout.trim().split('\n')).toEqual([
        `1700000000.${frac1}\t40\t46`,
        `1700000001.000005000\t40\t142`,
      ]);
      const info = await runCommand(['capinfos', '-M', '-T', '-r', '-c', out]);
      expect(info.stdout.trim().endsWith('\t2')).toBe(true);
    });
  }

  it('refuses a packet of another link type', () => {
    const w = new PcapWriter(new Sink(), { linkType: 1 });
    expect(() => w.writeBytes(0, 0, udpFrame(1), 14, 32, 32, 101)).toThrow(/one link type/);
  });
});
