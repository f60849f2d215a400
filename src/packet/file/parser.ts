/**
 * The format-independent part of reading a capture file: detect pcap or pcapng from the first
 * bytes, then hand the rest to the format's record parser. Sans-I/O: the caller feeds windows
 * of a buffer and refills it; this never reads a file itself.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { PacketRecord } from '../record.js';
import { CaptureRecord } from './capture-record.js';
import {
  isPcapMagic,
  PCAP_HEADER_LEN,
  type PcapHeader,
  PcapRecordParser,
  parsePcapHeader,
  pcapInterface,
} from './pcap-format.js';
import { PCAPNG_SHB_TYPE, PcapngBlockParser } from './pcapng-format.js';

/**
 * Called once per packet with the reader's one reused record (valid only during the call). Its
 * return value is ignored; to stop early, abort the `signal` given to the reader (checked after
 * every packet).
 */
export type PacketHandler = (rec: PacketRecord & { buffer: Uint8Array; offset: number }) => void;

/** An interface of the capture: the single link of a pcap file, or a pcapng IDB. */
export interface CaptureInterface {
  /** Global interface number, as in `PacketRecord.ifIndex` (counted across pcapng sections). */
  index: number;
  /** Section number (0 for pcap and for the first pcapng section). */
  section: number;
  /** Interface number within its section, as pcapng blocks and tshark's frame.interface_id count. */
  idInSection: number;
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (1e6 for pcap µs, 1e9 for pcap ns, from if_tsresol in pcapng). */
  tsUnitsPerSecond: number;
  /** if_tsoffset: seconds added to every timestamp of this interface. */
  tsOffset: number;
  /** if_name, if present. */
  name?: string;
  /** if_description, if present. */
  description?: string;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** One step of a format: parse as many whole records of `buf[pos, end)` as there are. */
export interface RecordParser {
  /** After `parse` returned: bytes needed at the returned position before it can go on. */
  need: number;
  /** The signal was aborted during a handler call. */
  stopped: boolean;
  /** Packets delivered so far. */
  packets: number;
  /** `base` is the file offset of `buf[0]`; returns the position of the first unparsed byte. */
  parse(buf: Uint8Array, pos: number, end: number, base: number): number;
}

export interface ParserEvents {
  /** The pcap file header (pcap files only). */
  onPcapHeader?: (h: PcapHeader) => void;
  /** Each interface, when it is declared (once for pcap, per IDB for pcapng). */
  onInterface?: (iface: CaptureInterface) => void;
  /** Checked after every packet: once aborted, parsing stops after that packet. */
  signal?: AbortSignal;
}

const PCAP_MAGIC_PROBE = 4;

/** Detects the format, then parses records; reports truncation when the input ends. */
export class CaptureParser implements RecordParser {
  need = PCAP_MAGIC_PROBE;
  format: CaptureFormat | undefined;
  pcapHeader: PcapHeader | undefined;
  readonly interfaces: CaptureInterface[] = [];
  private inner: RecordParser | null = null;
  readonly record = new CaptureRecord();

  constructor(
    private readonly onPacket: PacketHandler,
    private readonly events: ParserEvents = {},
  ) {}

  get stopped(): boolean {
    return this.inner?.stopped === true;
  }

  get packets(): number {
    return this.inner === null ? 0 : this.inner.packets;
  }

  parse(buf: Uint8Array, pos: number, end: number, base: number): number {
    if (this.inner === null) {
      if (end - pos < PCAP_MAGIC_PROBE) {
        this.need = PCAP_MAGIC_PROBE;
        return pos;
      }
      if (isPcapMagic(buf, pos)) {
        if (end - pos < PCAP_HEADER_LEN) {
          this.need = PCAP_HEADER_LEN;
          return pos;
        }
        const h = parsePcapHeader(buf, pos);
        this.format = 'pcap';
        this.pcapHeader = h;
        const iface = pcapInterface(h);
        this.interfaces.push(iface);
        this.events.onPcapHeader?.(h);
        this.events.onInterface?.(iface);
        this.inner = new PcapRecordParser(h, this.record, this.onPacket, this.events.signal ?? null);
        pos += PCAP_HEADER_LEN;
      } else if (
        (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0 ===
        PCAPNG_SHB_TYPE
      ) {
        this.format = 'pcapng';
        this.inner = new PcapngBlockParser(this.record, this.onPacket, this.interfaces, this.events);
      } else {
        const hex = Array.from(buf.subarray(pos, pos + 4), (x) => x.toString(16).padStart(2, '0')).join('');
        throw new SentraError(
          ErrorCodes.PCAP_BAD_MAGIC,
          `not a pcap or pcapng file: it begins with 0x${hex} (pcap begins with a1b2c3d4 or a1b23c4d in either byte order, pcapng with 0a0d0d0a)`,
          { details: { offset: base + pos, magic: hex, packets: 0 } },
        );
      }
    }
    const next = this.inner.parse(buf, pos, end, base);
    this.need = this.inner.need;
    return next;
  }

  /**
   * Called when the input ended with `pos` being the first unparsed byte (file offset
   * `offset`) and `end - pos` bytes left over: throws PCAP_TRUNCATED if anything is missing.
   */
  finish(leftover: number, offset: number): void {
    if (this.stopped) return;
    if (this.inner === null) {
      throw new SentraError(
        ErrorCodes.PCAP_TRUNCATED,
        leftover === 0 && offset === 0
          ? 'the capture file is empty'
          : `the capture file ends at byte ${offset + leftover}, inside its file header`,
        { details: { offset, packets: 0, need: this.need, have: leftover } },
      );
    }
    if (leftover > 0) {
      throw new SentraError(
        ErrorCodes.PCAP_TRUNCATED,
        `the capture file is truncated: the ${this.format === 'pcap' ? 'record' : 'block'} at byte ${offset} needs ${this.need} bytes but only ${leftover} remain (${this.packets} packets were read before it)`,
        { details: { offset, packets: this.packets, need: this.need, have: leftover } },
      );
    }
  }
}
