/**
 * Filter parity with tcpdump, frame by frame: a capture is copied once with each packet's
 * timestamp replaced by its frame number (filters never look at timestamps), tcpdump writes the
 * packets an expression selects with `-w`, and the frame numbers read back from that file are
 * compared with those our compiled filter selects from the same copy.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileFilter } from '../../../src/packet/filter/index.js';
import { PcapWriter, readCapture, readCaptureBuffer } from '../../../src/packet/index.js';
import { runCommand } from '../../../src/sys/exec.js';

export interface NumberedCapture {
  /** The copy with timestamps = frame numbers (1-based). */
  file: string;
  linkType: number;
  bigEndian: boolean;
  packets: number;
  /** The copy's bytes, for our side of the comparison. */
  bytes: Uint8Array;
  /** Frames cut short by the snapshot length (captured length < length on the wire). */
  truncated: Set<number>;
}

let work: string | null = null;
let seq = 0;

/** The temporary folder of this test file, made on first use. */
export function workDir(): string {
  work ??= mkdtempSync(path.join(tmpdir(), 'sentra-filter-'));
  return work;
}

/** Removes the temporary files of this test file. */
export function cleanupParity(): void {
  if (work !== null) rmSync(work, { recursive: true, force: true });
  work = null;
}

/** Copies `src` (pcap or single-link-type pcapng) to a pcap whose timestamps are frame numbers. */
export async function numberCapture(src: string): Promise<NumberedCapture> {
  const file = path.join(workDir(), `n${seq++}-${path.basename(src).replace(/\.\w+$/, '')}.pcap`);
  let writer: PcapWriter | null = null;
  let bigEndian = false;
  let frame = 0;
  const truncated = new Set<number>();
  await readCapture(
    src,
    (rec) => {
      // the writer is made at the first packet, once the byte order and link type are known
      writer ??= new PcapWriter(
        createWriteStream(file),
        { linkType: rec.linkType, bigEndian, snaplen: 262144 },
        true,
      );
      if (rec.linkType !== writer.header.linkType) throw new Error(`${src}: several link types`);
      frame++;
      if (rec.capLen < rec.origLen) truncated.add(frame);
      rec.tsSec = frame;
      rec.tsNsec = 0;
      writer.write(rec);
    },
    { onPcapHeader: (h) => (bigEndian = h.bigEndian) },
  );
  if (writer === null) throw new Error(`${src}: no packets`);
  const w: PcapWriter = writer;
  await w.close();
  return {
    file,
    linkType: w.header.linkType,
    bigEndian,
    packets: frame,
    bytes: readFileSync(file),
    truncated,
  };
}

export interface TcpdumpResult {
  frames: number[];
  /** tcpdump refused the expression as matching nothing ("expression rejects all packets"). */
  rejectsAll: boolean;
}

/** Frame numbers tcpdump selects from a numbered capture. */
export async function tcpdumpFrames(cap: NumberedCapture, expr: string): Promise<TcpdumpResult> {
  const out = path.join(workDir(), `sel${seq++}.pcap`);
  const r = await runCommand(['tcpdump', '-r', cap.file, '-w', out, '--', expr], {
    okCodes: [1],
    packageHint: 'tcpdump',
    timeoutMs: 60_000,
  });
  if (r.code !== 0) {
    if (r.stderr.includes('expression rejects all packets')) return { frames: [], rejectsAll: true };
    throw new Error(`tcpdump refused ${JSON.stringify(expr)}: ${r.stderr.trim()}`);
  }
  const frames: number[] = [];
  await readCapture(out, (rec) => {
    frames.push(rec.tsSec);
  });
  rmSync(out, { force: true });
  return { frames, rejectsAll: false };
}

/** Frame numbers our compiled filter selects from a numbered capture. */
export function sentraFrames(cap: NumberedCapture, expr: string): number[] {
  const f = compileFilter(expr, cap.linkType, { bigEndian: cap.bigEndian });
  const frames: number[] = [];
  readCaptureBuffer(cap.bytes, (rec) => {
    if (f.matchRecord(rec)) frames.push(rec.tsSec);
  });
  return frames;
}

/** tcpdump's compile error for an expression on this capture's link type, or null if it compiles. */
export async function tcpdumpCompileError(cap: NumberedCapture, expr: string): Promise<string | null> {
  const r = await runCommand(['tcpdump', '-d', '-r', cap.file, '--', expr], {
    okCodes: [1],
    timeoutMs: 30_000,
  });
  if (r.code === 0) return null;
  const line = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('tcpdump: '))
    .pop();
  return line ? line.slice('tcpdump: '.length) : r.stderr.trim();
}

/**
 * The whole comparison for one expression: when tcpdump refuses to compile it (other than as
 * matching nothing), our compiler must refuse it too, with libpcap's reason in the message;
 * otherwise both must select the same frames.
 */
export async function compareWithTcpdump(
  cap: NumberedCapture,
  expr: string,
): Promise<{ ours: number[] | string; theirs: number[] | string }> {
  const refusal = await tcpdumpCompileError(cap, expr);
  if (refusal !== null && refusal !== 'expression rejects all packets') {
    try {
      sentraFrames(cap, expr);
      return { ours: 'compiled', theirs: refusal };
    } catch (e) {
      const msg = (e as Error).message;
      return { ours: msg.endsWith(`: ${refusal}`) ? refusal : msg, theirs: refusal };
    }
  }
  const theirs = await tcpdumpFrames(cap, expr);
  return { ours: sentraFrames(cap, expr), theirs: theirs.frames };
}
