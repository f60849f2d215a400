/**
 * The pcapng file format (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html):
 * sections (SHB) with their own byte order, interfaces (IDB) with their own link type and
 * timestamp resolution, and packets in EPB, SPB or the obsolete OPB. Other blocks (name
 * resolution, statistics, secrets, custom) are skipped.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { CaptureRecord } from './capture-record.js';
import { MAX_BLOCK_LEN, MAX_CAPLEN } from './limits.js';
import type { CaptureInterface, PacketHandler, ParserEvents, RecordParser } from './parser.js';

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const OPT_END = 0;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

const TWO32 = 4294967296;

/** How to turn a 64-bit timestamp of one interface into seconds + nanoseconds. */
interface TsConverter {
  /** Units per second when it is 10^n with n <= 9 (exact integer arithmetic), else 0. */
  decimal: number;
  /** Nanoseconds per unit when `decimal` is set. */
  nsPerUnit: number;
  /** The if_tsresol byte, for the general (BigInt) path. */
  resol: number;
  offset: number;
  /**
   * The second of the previous packet, to skip the division for the next packets of the same
   * second: its timestamp's high word, the low word where that second starts, and the second.
   */
  lastHi: number;
  lastLo: number;
  lastSec: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function corrupt(offset: number, packets: number, why: string): SentraError {
  return new SentraError(ErrorCodes.PCAP_CORRUPT, `corrupt pcapng block at byte ${offset}: ${why}`, {
    details: { offset, packets },
  });
}

export class PcapngBlockParser implements RecordParser {
  need = 12;
  stopped = false;
  packets = 0;
  private le = true;
  private section = -1;
  /** Interfaces of the current section, indexed by their local id. */
  private local: CaptureInterface[] = [];
  private conv: TsConverter[] = [];
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | null = null;

  constructor(
    private readonly rec: CaptureRecord,
    private readonly onPacket: PacketHandler,
    private readonly all: CaptureInterface[],
    private readonly events: ParserEvents,
  ) {}

  parse(buf: Uint8Array, pos: number, end: number, base: number): number {
    if (this.viewOf !== buf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewOf = buf;
    }
    const dv = this.view;
    const rec = this.rec;
    rec.buffer = buf;
    for (;;) {
      if (end - pos < 12) {
        this.need = 12;
        return pos;
      }
      const type = dv.getUint32(pos, this.le);
      if (type === PCAPNG_SHB_TYPE) {
        const bom = dv.getUint32(pos + 8, true);
        if (bom === BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else throw corrupt(base + pos, this.packets, 'section header with an unknown byte-order magic');
      } else if (this.section < 0) {
        throw corrupt(base + pos, this.packets, 'the file does not begin with a section header block');
      }
      const le = this.le;
      const len = dv.getUint32(pos + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_LEN) {
        throw corrupt(base + pos, this.packets, `invalid block length ${len}`);
      }
      if (end - pos < len) {
        this.need = len;
        return pos;
      }
      if (dv.getUint32(pos + len - 4, le) !== len) {
        throw corrupt(
          base + pos,
          this.packets,
          'the block length at its end differs from the one at its start',
        );
      }
      if (type === EPB || type === OPB) {
        if (len < 32) throw corrupt(base + pos, this.packets, 'packet block shorter than its header');
        const epb = type === EPB;
        const ifId = epb ? dv.getUint32(pos + 8, le) : dv.getUint16(pos + 8, le);
        const capLen = dv.getUint32(pos + 20, le);
        if (capLen > len - 32 || capLen > MAX_CAPLEN) {
          throw corrupt(base + pos, this.packets, `captured length ${capLen} does not fit the block`);
        }
        if (ifId >= this.local.length) {
          throw corrupt(base + pos, this.packets, `packet of undeclared interface ${ifId}`);
        }
        this.setTime(ifId, dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le));
        rec.capLen = capLen;
        rec.origLen = dv.getUint32(pos + 24, le);
        rec.offset = pos + 28;
        const iface = this.local[ifId];
        rec.linkType = iface.linkType;
        rec.ifIndex = iface.index;
        pos += len;
        this.packets++;
        this.onPacket(rec);
        if (this.events.signal?.aborted) {
          this.stopped = true;
          return pos;
        }
        continue;
      }
      if (type === SPB) {
        if (len < 16) throw corrupt(base + pos, this.packets, 'simple packet block shorter than its header');
        if (this.local.length === 0) {
          throw corrupt(base + pos, this.packets, 'simple packet block before any interface');
        }
        const iface = this.local[0];
        const origLen = dv.getUint32(pos + 8, le);
        // the captured part is the original length cut to the snaplen, and must fit the block
        const capLen = iface.snaplen > 0 && origLen > iface.snaplen ? iface.snaplen : origLen;
        if (capLen > len - 16 || capLen > MAX_CAPLEN) {
          throw corrupt(
            base + pos,
            this.packets,
            `simple packet block too short for ${capLen} bytes of packet`,
          );
        }
        rec.tsSec = 0;
        rec.tsNsec = 0;
        rec.capLen = capLen;
        rec.origLen = origLen;
        rec.offset = pos + 12;
        rec.linkType = iface.linkType;
        rec.ifIndex = iface.index;
        pos += len;
        this.packets++;
        this.onPacket(rec);
        if (this.events.signal?.aborted) {
          this.stopped = true;
          return pos;
        }
        continue;
      }
      if (type === PCAPNG_SHB_TYPE) this.readSectionHeader(dv, pos, len, base);
      else if (type === IDB) this.readInterface(buf, dv, pos, len, base);
      pos += len;
    }
  }

  private setTime(ifId: number, hi: number, lo: number): void {
    const c = this.conv[ifId];
    const rec = this.rec;
    const d = c.decimal;
    if (d >= 10_000) {
      if (hi === c.lastHi && lo >= c.lastLo && lo - c.lastLo < d) {
        rec.tsSec = c.lastSec;
        rec.tsNsec = ((lo - c.lastLo) * c.nsPerUnit) | 0;
        return;
      }
      // One float division estimates the seconds to within 1 (v / d < 2^51 for d >= 10^4);
      // the remainder, below d <= 1e9 < 2^32, is then exact modulo 2^32 and shows the error.
      let sec = Math.floor((hi * TWO32 + lo) / d);
      let rem = (lo - Math.imul(sec, d)) >>> 0;
      if (rem >= d) {
        if (rem >= TWO32 - d) {
          sec -= 1;
          rem = rem + d - TWO32;
        } else {
          sec += 1;
          rem -= d;
        }
      }
      rec.tsSec = sec + c.offset;
      rec.tsNsec = (rem * c.nsPerUnit) | 0;
      if (lo >= rem) {
        c.lastHi = hi;
        c.lastLo = lo - rem;
        c.lastSec = sec + c.offset;
      }
      return;
    }
    if (d !== 0) {
      // coarse resolutions: exact 64-bit division by d in three steps, each below 2^53
      const qh = Math.floor(hi / d);
      const t1 = (hi - qh * d) * 65536 + (lo >>> 16);
      const q1 = Math.floor(t1 / d);
      const t2 = (t1 - q1 * d) * 65536 + (lo & 0xffff);
      const q2 = Math.floor(t2 / d);
      rec.tsSec = qh * TWO32 + q1 * 65536 + q2 + c.offset;
      rec.tsNsec = ((t2 - q2 * d) * c.nsPerUnit) | 0;
      return;
    }
    // binary or sub-nanosecond resolutions are rare: BigInt keeps them exact
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const r = c.resol;
    const per = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
    rec.tsSec = Number(v / per) + c.offset;
    rec.tsNsec = Number(((v % per) * 1_000_000_000n) / per);
  }

  private readSectionHeader(dv: DataView, pos: number, len: number, base: number): void {
    if (len < 28) throw corrupt(base + pos, this.packets, 'section header block shorter than 28 bytes');
    const major = dv.getUint16(pos + 12, this.le);
    if (major !== 1) {
      throw corrupt(
        base + pos,
        this.packets,
        `unsupported pcapng version ${major}.${dv.getUint16(pos + 14, this.le)}`,
      );
    }
    this.section++;
    this.local = [];
    this.conv = [];
  }

  private readInterface(buf: Uint8Array, dv: DataView, pos: number, len: number, base: number): void {
    if (len < 20)
      throw corrupt(base + pos, this.packets, 'interface description block shorter than 20 bytes');
    const le = this.le;
    const iface: CaptureInterface = {
      index: this.all.length,
      section: this.section,
      idInSection: this.local.length,
      linkType: dv.getUint16(pos + 8, le),
      snaplen: dv.getUint32(pos + 12, le),
      tsUnitsPerSecond: 1e6,
      tsOffset: 0,
    };
    let resol = 6;
    // options: code u16, length u16, value padded to 4 bytes
    let o = pos + 16;
    const optEnd = pos + len - 4;
    while (o + 4 <= optEnd) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      if (code === OPT_END) break;
      const v = o + 4;
      if (v + olen > optEnd) break; // a damaged option list: keep what was read, like Wireshark
      if (code === IF_TSRESOL && olen >= 1) resol = buf[v];
      else if (code === IF_TSOFFSET && olen >= 8) {
        iface.tsOffset = Number(le ? dv.getBigInt64(v, true) : dv.getBigInt64(v, false));
      } else if (code === IF_NAME) iface.name = utf8.decode(buf.subarray(v, v + olen)).replace(/\0+$/, '');
      else if (code === IF_DESCRIPTION) {
        iface.description = utf8.decode(buf.subarray(v, v + olen)).replace(/\0+$/, '');
      }
      o = v + ((olen + 3) & ~3);
    }
    const decimal = (resol & 0x80) === 0 && resol <= 9 ? 10 ** resol : 0;
    iface.tsUnitsPerSecond = resol & 0x80 ? 2 ** (resol & 0x7f) : 10 ** resol;
    this.conv.push({
      decimal,
      nsPerUnit: decimal === 0 ? 0 : 10 ** (9 - resol),
      resol,
      offset: iface.tsOffset,
      lastHi: -1,
      lastLo: 0,
      lastSec: 0,
    });
    this.local.push(iface);
    this.all.push(iface);
    this.events.onInterface?.(iface);
  }
}
