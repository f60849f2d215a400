/**
 * The classic pcap file format (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html):
 * a 24-byte file header, then records of a 16-byte header and the captured bytes. Both byte
 * orders, microsecond and nanosecond magics.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { CaptureRecord } from './capture-record.js';
import { MAX_CAPLEN } from './limits.js';
import type { CaptureInterface, PacketHandler, RecordParser } from './parser.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** The pcap file header, every field kept so that a writer can reproduce it byte for byte. */
export interface PcapHeader {
  /** Timestamps are in nanoseconds (magic a1b23c4d) rather than microseconds (a1b2c3d4). */
  nanosecond: boolean;
  /** Multi-byte fields are big-endian (the file was written on a big-endian machine). */
  bigEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  /** GMT-to-local correction; always 0 in practice. */
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  /** LINKTYPE_* value (lower 16 bits of the link-type field). */
  linkType: number;
  /** The whole link-type field as stored, including the FCS bits above the link type. */
  linkTypeField: number;
}

/** Whether these 4 bytes (as a little-endian u32) are a pcap magic in either byte order. */
export function isPcapMagic(b: Uint8Array, at: number): boolean {
  const le = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  const be = (b[at + 3] | (b[at + 2] << 8) | (b[at + 1] << 16) | (b[at] << 24)) >>> 0;
  return le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS;
}

/** The one interface a classic pcap file describes, from its file header. */
export function pcapInterface(h: PcapHeader): CaptureInterface {
  return {
    index: 0,
    section: 0,
    idInSection: 0,
    linkType: h.linkType,
    snaplen: h.snaplen,
    tsUnitsPerSecond: h.nanosecond ? 1e9 : 1e6,
    tsOffset: 0,
  };
}

/** Parses the 24-byte file header at `at` (the caller checked the magic and the length). */
export function parsePcapHeader(b: Uint8Array, at: number): PcapHeader {
  const dv = new DataView(b.buffer, b.byteOffset + at, PCAP_HEADER_LEN);
  const magicLe = dv.getUint32(0, true);
  const le = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
  const magic = dv.getUint32(0, le);
  const linkTypeField = dv.getUint32(20, le);
  return {
    nanosecond: magic === PCAP_MAGIC_NS,
    bigEndian: !le,
    versionMajor: dv.getUint16(4, le),
    versionMinor: dv.getUint16(6, le),
    thiszone: dv.getInt32(8, le),
    sigfigs: dv.getUint32(12, le),
    snaplen: dv.getUint32(16, le),
    linkType: linkTypeField & 0xffff,
    linkTypeField,
  };
}

/** Serialises a file header (the inverse of {@link parsePcapHeader}). */
export function encodePcapHeader(h: PcapHeader): Uint8Array {
  const out = new Uint8Array(PCAP_HEADER_LEN);
  const dv = new DataView(out.buffer);
  const le = !h.bigEndian;
  dv.setUint32(0, h.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US, le);
  dv.setUint16(4, h.versionMajor, le);
  dv.setUint16(6, h.versionMinor, le);
  dv.setInt32(8, h.thiszone, le);
  dv.setUint32(12, h.sigfigs, le);
  dv.setUint32(16, h.snaplen, le);
  dv.setUint32(20, h.linkTypeField, le);
  return out;
}

/** Record parser for the body of a pcap file (everything after the file header). */
export class PcapRecordParser implements RecordParser {
  need = PCAP_RECORD_HEADER_LEN;
  stopped = false;
  packets = 0;
  private readonly le: boolean;
  private readonly nano: boolean;
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | null = null;

  constructor(
    readonly header: PcapHeader,
    private readonly rec: CaptureRecord,
    private readonly onPacket: PacketHandler,
    private readonly signal: AbortSignal | null,
  ) {
    this.le = !header.bigEndian;
    this.nano = header.nanosecond;
    rec.linkType = header.linkType;
    rec.ifIndex = 0;
  }

  parse(buf: Uint8Array, pos: number, end: number, base: number): number {
    if (this.viewOf !== buf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewOf = buf;
    }
    const dv = this.view;
    const le = this.le;
    const rec = this.rec;
    const onPacket = this.onPacket;
    const signal = this.signal;
    const scale = this.nano ? 1 : 1000;
    rec.buffer = buf;
    for (;;) {
      if (end - pos < PCAP_RECORD_HEADER_LEN) {
        this.need = PCAP_RECORD_HEADER_LEN;
        return pos;
      }
      const capLen = dv.getUint32(pos + 8, le);
      if (capLen > MAX_CAPLEN) {
        throw new SentraError(
          ErrorCodes.PCAP_CORRUPT,
          `corrupt pcap record at byte ${base + pos}: captured length ${capLen} exceeds the maximum of ${MAX_CAPLEN}`,
          { details: { offset: base + pos, packets: this.packets, capLen } },
        );
      }
      if (end - pos - PCAP_RECORD_HEADER_LEN < capLen) {
        this.need = PCAP_RECORD_HEADER_LEN + capLen;
        return pos;
      }
      let sec = dv.getUint32(pos, le);
      let nsec = dv.getUint32(pos + 4, le) * scale;
      if (nsec >= 1_000_000_000) {
        // out-of-range fraction (seen in the wild): carry it into the seconds
        sec += Math.floor(nsec / 1_000_000_000);
        nsec %= 1_000_000_000;
      }
      rec.tsSec = sec;
      rec.tsNsec = nsec;
      rec.capLen = capLen;
      rec.origLen = dv.getUint32(pos + 12, le);
      rec.offset = pos + PCAP_RECORD_HEADER_LEN;
      pos += PCAP_RECORD_HEADER_LEN + capLen;
      this.packets++;
      onPacket(rec);
      if (signal?.aborted) {
        this.stopped = true;
        return pos;
      }
    }
  }
}
