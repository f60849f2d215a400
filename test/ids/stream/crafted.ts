/** A crafted TCP session with out-of-order, overlapping, retransmitted and wrapping segments. */
import { Writable } from 'node:stream';
import { PcapWriter } from '../../../src/packet/file/pcap-writer.js';
import { F, type Seg, tcpFrame } from './tcp-frames.js';

/** Client ISN just below 2^32: the client's sequence numbers wrap after 15 bytes. */
export const ISN_C = 0xfffffff0;
export const ISN_S = 0x7ffffff0;

const c = (off: number) => (ISN_C + 1 + off) >>> 0;
const s = (off: number) => (ISN_S + 1 + off) >>> 0;
const A = 'A'.repeat(10);
const B = 'B'.repeat(10);
const C = 'C'.repeat(10);
const D = 'D'.repeat(10);

/** The segments, in capture order, with what each tests. */
export const CRAFTED: Seg[] = [
  { dir: 0, flags: F.SYN, seq: ISN_C, ack: 0 },
  { dir: 1, flags: F.SYN | F.ACK, seq: ISN_S, ack: c(0) },
  { dir: 0, flags: F.ACK, seq: c(0), ack: s(0) },
  { dir: 0, flags: F.ACK | F.PSH, seq: c(0), ack: s(0), data: A }, // in order
  { dir: 0, flags: F.ACK | F.PSH, seq: c(20), ack: s(0), data: C }, // out of order (seq wrapped)
  { dir: 0, flags: F.ACK | F.PSH, seq: c(0), ack: s(0), data: A }, // retransmission
  { dir: 0, flags: F.ACK | F.PSH, seq: c(5), ack: s(0), data: `xxxxx${B.slice(5)}` }, // overlaps delivered bytes with other values
  { dir: 0, flags: F.ACK | F.PSH, seq: c(10), ack: s(0), data: `${B}YYYYYYYYYY` }, // fills the hole, overlaps buffered C with other values
  { dir: 0, flags: F.ACK | F.PSH, seq: c(30), ack: s(0), data: D },
  { dir: 1, flags: F.ACK | F.PSH, seq: s(5), ack: c(40), data: 'WORLD' }, // server: out of order
  { dir: 1, flags: F.ACK | F.PSH, seq: s(0), ack: c(40), data: 'HELLO' },
  { dir: 0, flags: F.ACK | F.FIN, seq: c(40), ack: s(10) },
  { dir: 1, flags: F.ACK | F.FIN, seq: s(10), ack: c(41) },
  { dir: 0, flags: F.ACK, seq: c(41), ack: s(11) },
];

/** What each direction must reassemble to (first copy of every byte kept). */
export const CRAFTED_EXPECTED: [string, string] = [`${A}${'B'.repeat(10)}${C}${D}`, 'HELLOWORLD'];

/** The crafted session as pcap bytes. */
export async function craftedPcap(segs: Seg[] = CRAFTED): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const w = new PcapWriter(out);
  segs.forEach((seg, i) => {
    const data = tcpFrame(seg);
    w.write({
      linkType: 1,
      tsSec: 1_700_000_000 + i,
      tsNsec: 0,
      capLen: data.length,
      origLen: data.length,
      data,
      ifIndex: 0,
    });
  });
  await w.close();
  return Buffer.concat(chunks);
}
