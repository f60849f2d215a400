/**
 * Robustness: more than a million mutated packets from the corpus — bit flips, truncations,
 * length fields set to extremes — go through the decoder, the application-layer parsers and
 * both formatters. Nothing may throw, every offset must stay inside the frame, and the run
 * must end (vitest's timeout catches a hang). Damaged capture files must fail with a PCAP_*
 * SentraError and nothing else. The random generator is seeded: a failure names its seed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { Decoder } from '../../src/packet/decoder.js';
import { readCaptureBuffer } from '../../src/packet/file/reader.js';
import { packetFields } from '../../src/packet/format/fields.js';
import { summaryLine } from '../../src/packet/format/summary.js';
import { Layer } from '../../src/packet/layers/constants.js';
import type { Packet } from '../../src/packet/packet.js';
import { corpusFiles } from '../helpers/corpus.js';

/** xorshift32: small, fast, reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

interface Frame {
  bytes: Uint8Array;
  linkType: number;
  /** Offsets of length fields found by decoding the original: [offset, size in bytes]. */
  lengths: [number, number][];
}

const FOLDERS = ['lab', 'nfstream', 'attacks', 'tcp-control', 'cicflowmeter', 'suricata-verify'];

/** Where the length-like fields of a decoded packet are, to set them to extremes later. */
function lengthFields(p: Packet): [number, number][] {
  const out: [number, number][] = [];
  for (let q: Packet | null = p; q !== null; q = q.inner) {
    const base = q.frameOffset;
    if (q.ipVersion === 4) out.push([q.l3Offset - base, 1], [q.l3Offset + 2 - base, 2]);
    if (q.ipVersion === 6) out.push([q.l3Offset + 4 - base, 2]);
    if (q.ipVersion === 6 && q.ipHeaderLen > 40) out.push([q.l3Offset + 41 - base, 1]);
    if (q.layers & Layer.TCP) out.push([q.l4Offset + 12 - base, 1]);
    if (q.layers & Layer.UDP) out.push([q.l4Offset + 4 - base, 2]);
    if (q.layers & Layer.TCP && q.ipVersion === 4 && q.ipHeaderLen > 20)
      out.push([q.l3Offset + 21 - base, 1]);
    if (q.payloadCapLen > 12) {
      const o = q.payloadOffset - base;
      // DNS section counts, TLS record and handshake lengths, DNS/TLS length bytes
      out.push([o, 2], [o + 3, 2], [o + 4, 2], [o + 6, 2], [o + 8, 2], [o + 10, 2], [o + 12, 1]);
    }
  }
  return out.filter(([o, n]) => o >= 0 && o + n <= p.capLen);
}

function loadFrames(): Frame[] {
  const dec = new Decoder();
  const frames: Frame[] = [];
  for (const f of FOLDERS.flatMap((d) => corpusFiles(d))) {
    try {
      readCaptureBuffer(readFileSync(f), (rec) => {
        const bytes = rec.buffer.slice(rec.offset, rec.offset + rec.capLen);
        const p = dec.decodeBytes(bytes, 0, bytes.length, bytes.length, rec.linkType);
        frames.push({ bytes, linkType: rec.linkType, lengths: lengthFields(p) });
      });
    } catch {
      // damaged corpus files still give their packets before the damage
    }
  }
  return frames;
}

/** Every offset of every level lies inside the frame; returns a description of the first breach. */
function checkBounds(p: Packet, frameEnd: number): string | null {
  for (let q: Packet | null = p; q !== null; q = q.inner) {
    if (q.end > frameEnd || q.end < q.frameOffset) return `end ${q.end} outside the frame (${frameEnd})`;
    if (q.payloadCapLen < 0) return `negative payloadCapLen ${q.payloadCapLen}`;
    if (
      q.payloadCapLen > 0 &&
      (q.payloadOffset < q.frameOffset || q.payloadOffset + q.payloadCapLen > q.end)
    ) {
      return `payload [${q.payloadOffset}, +${q.payloadCapLen}) outside [${q.frameOffset}, ${q.end})`;
    }
    if (q.depth > 4) return `depth ${q.depth}`;
  }
  return null;
}

const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x8000, 0xfffe];

describe('decoder robustness', () => {
  it('1,000,000+ mutated corpus packets: no exception escapes, offsets stay in the frame', () => {
    const frames = loadFrames();
    expect(frames.length).toBeGreaterThan(130_000);
    const seed = Number(process.env.SENTRA_FUZZ_SEED ?? 20261122);
    const rand = rng(seed);
    const dec = new Decoder();
    const scratch = new Uint8Array(70_000);
    const target = 1_050_000;
    let done = 0;
    let malformed = 0;
    const failures: string[] = [];
    for (let i = 0; done < target; i++) {
      const fr = frames[i % frames.length];
      const len = fr.bytes.length;
      scratch.set(fr.bytes, 0);
      let cap = len;
      const kind = i % 4;
      let what = '';
      if (kind === 0) {
        // flip 1 to 4 random bits
        const n = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < n && len > 0; k++) {
          const at = Math.floor(rand() * len);
          scratch[at] ^= 1 << Math.floor(rand() * 8);
        }
        what = `flip ${n} bits`;
      } else if (kind === 1) {
        cap = Math.floor(rand() * len);
        what = `truncate to ${cap}`;
      } else if (kind === 2 && fr.lengths.length > 0) {
        const [at, size] = fr.lengths[Math.floor(rand() * fr.lengths.length)];
        const v = EXTREMES[Math.floor(rand() * EXTREMES.length)];
        if (size === 1) scratch[at] = v & 0xff;
        else {
          scratch[at] = (v >>> 8) & 0xff;
          scratch[at + 1] = v & 0xff;
        }
        what = `length field at ${at} = ${v}`;
      } else {
        // overwrite a random run of bytes
        const at = Math.floor(rand() * len);
        const n = Math.min(len - at, 1 + Math.floor(rand() * 16));
        for (let k = 0; k < n; k++) scratch[at + k] = Math.floor(rand() * 256);
        cap = rand() < 0.3 ? Math.floor(rand() * len) : len;
        what = `overwrite ${n} bytes at ${at}, cap ${cap}`;
      }
      try {
        const p = dec.decodeBytes(scratch, 0, cap, len, fr.linkType);
        const breach = checkBounds(p, cap);
        if (breach !== null) throw new Error(breach);
        if (p.malformed !== 0) malformed++;
        for (let q: Packet | null = p; q !== null; q = q.inner) {
          q.dns();
          q.httpMessages();
          q.tlsClientHello();
          q.sshBanner();
        }
        packetFields(p);
        summaryLine(p);
      } catch (e) {
        if (failures.length < 10) {
          failures.push(
            `seed ${seed} mutation ${i} (frame ${i % frames.length}, ${what}): ${(e as Error).stack}`,
          );
        }
      }
      done++;
    }
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThanOrEqual(1_000_000);
    // the mutations do reach the error paths
    expect(malformed).toBeGreaterThan(50_000);
  }, 900_000);

  it('damaged capture files fail only with PCAP_TRUNCATED, PCAP_CORRUPT or PCAP_BAD_MAGIC', () => {
    const files = [
      ...corpusFiles('nfstream').slice(0, 40),
      ...corpusFiles('suricata-verify').filter((f) => f.endsWith('.pcapng')),
      ...corpusFiles('attacks'),
    ];
    const rand = rng(7);
    const allowed = new Set<string>([
      ErrorCodes.PCAP_TRUNCATED,
      ErrorCodes.PCAP_CORRUPT,
      ErrorCodes.PCAP_BAD_MAGIC,
    ]);
    let damaged = 0;
    let runs = 0;
    for (const f of files) {
      const orig = readFileSync(f);
      for (let k = 0; k < 100; k++) {
        const b = Uint8Array.from(orig.subarray(0, Math.min(orig.length, 4096)));
        // damage the headers: the first bytes of the file and of a few records or blocks
        const n = 1 + Math.floor(rand() * 6);
        for (let j = 0; j < n; j++) {
          const at = rand() < 0.5 ? Math.floor(rand() * 64) : Math.floor(rand() * b.length);
          b[at] = rand() < 0.5 ? b[at] ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
        }
        runs++;
        try {
          readCaptureBuffer(b, () => {});
        } catch (e) {
          if (!(e instanceof SentraError) || !allowed.has(e.code)) {
            throw new Error(`${f} mutation ${k}: ${(e as Error).stack}`);
          }
          expect(typeof e.details.offset).toBe('number');
          damaged++;
        }
      }
    }
    expect(runs).toBeGreaterThan(4000);
    expect(damaged).toBeGreaterThan(runs / 2);
  }, 300_000);
});
