/**
 * Capture files rotated the way tcpdump rotates them (`-C`, `-G`, `-W`), with tcpdump's file
 * names: `-C` alone gives FILE, FILE1, FILE2 ...; with `-W N` the numbers are zero-padded to the
 * width of N, start at FILE0 and wrap after N files; `-G` passes FILE through strftime(3) at each
 * rotation (local time), and with `-C` as well the numbering restarts for each time slice.
 */
import { createWriteStream } from 'node:fs';
import { ErrorCodes, SentraError } from '../errors.js';
import { PcapWriter } from '../packet/file/pcap-writer.js';
import type { PacketRecord } from '../packet/record.js';

export interface RotationOptions {
  /** -C: start a new file once the current one is larger than this many bytes (tcpdump: MB × 1,000,000). */
  maxFileBytes?: number;
  /** -G: start a new file every this many seconds (name through strftime). */
  rotateSeconds?: number;
  /** -W: with maxFileBytes, keep this many files (names wrap); with rotateSeconds only, stop after this many. */
  fileCount?: number;
  linkType: number;
  snaplen: number;
  nanosecond: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime(3) for the conversions used in capture file names (local time, as tcpdump). */
export function strftime(fmt: string, d: Date): string {
  return fmt.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getFullYear());
      case 'y':
        return pad2(d.getFullYear() % 100);
      case 'm':
        return pad2(d.getMonth() + 1);
      case 'd':
        return pad2(d.getDate());
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'H':
        return pad2(d.getHours());
      case 'I':
        return pad2(d.getHours() % 12 || 12);
      case 'M':
        return pad2(d.getMinutes());
      case 'S':
        return pad2(d.getSeconds());
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'j': {
        const start = new Date(d.getFullYear(), 0, 1);
        return String(Math.floor((d.getTime() - start.getTime()) / 86_400_000) + 1).padStart(3, '0');
      }
      case 'a':
        return DAYS[d.getDay()];
      case 'b':
      case 'h':
        return MONTHS[d.getMonth()];
      case 'p':
        return d.getHours() < 12 ? 'AM' : 'PM';
      case 'F':
        return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
      case 'T':
        return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      case '%':
        return '%';
      default:
        return m;
    }
  });
}

/** tcpdump's MakeFilename: `name`, or `name` + count (zero-padded to `width` when -W is given). */
export function rotatedName(name: string, count: number, width: number): string {
  if (count === 0 && width === 0) return name;
  return width > 0 ? name + String(count).padStart(width, '0') : name + String(count);
}

/** Writes packets to rotating pcap files; `files` lists every name created, in order. */
export class RotatingPcapWriter {
  readonly files: string[] = [];
  packets = 0;
  private writer: PcapWriter | null = null;
  private count = 0;
  private timeFiles = 0;
  private sliceStart = 0;
  private sliceName = '';
  private readonly width: number;
  private readonly closing: Promise<void>[] = [];
  /** Set when -G with -W has made its last file: the caller should stop. */
  done = false;

  constructor(
    private readonly template: string,
    private readonly o: RotationOptions,
  ) {
    if (o.maxFileBytes !== undefined && !(o.maxFileBytes > 0)) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'the file size limit must be positive');
    }
    if (o.rotateSeconds !== undefined && !(o.rotateSeconds >= 1)) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'the rotation interval must be at least 1 second');
    }
    this.width = o.fileCount !== undefined && o.maxFileBytes !== undefined ? String(o.fileCount).length : 0;
  }

  /** Creates the first file (tcpdump creates it before the first packet). */
  async open(now = Date.now()): Promise<void> {
    this.sliceStart = Math.floor(now / 1000);
    this.sliceName = this.o.rotateSeconds ? strftime(this.template, new Date(now)) : this.template;
    this.timeFiles = 1;
    await this.openFile(rotatedName(this.sliceName, 0, this.width));
  }

  private async openFile(name: string): Promise<void> {
    this.writer = await PcapWriter.open(name, this.writerOptions());
    this.files.push(name);
  }

  private writerOptions() {
    return { linkType: this.o.linkType, snaplen: this.o.snaplen, nanosecond: this.o.nanosecond };
  }

  /** Rotation on the packet path: the stream opens in the background (same folder as the first). */
  private rotateTo(name: string): void {
    if (this.writer) this.closing.push(this.writer.close());
    this.writer = new PcapWriter(createWriteStream(name), this.writerOptions(), true);
    this.files.push(name);
  }

  /**
   * Writes one packet, rotating first when due (as tcpdump checks: time slice first, then
   * size). Returns false once `-G` with `-W` has made its last file (the caller should stop).
   */
  write(rec: PacketRecord, now = Date.now()): boolean {
    if (this.done || !this.writer) return false;
    const o = this.o;
    if (o.rotateSeconds && Math.floor(now / 1000) - this.sliceStart >= o.rotateSeconds) {
      if (o.fileCount !== undefined && o.maxFileBytes === undefined && this.timeFiles >= o.fileCount) {
        this.done = true;
        return false;
      }
      this.sliceStart = Math.floor(now / 1000);
      this.sliceName = strftime(this.template, new Date(now));
      this.timeFiles++;
      this.count = 0;
      this.rotateTo(rotatedName(this.sliceName, 0, this.width));
    }
    if (o.maxFileBytes !== undefined && this.writer!.bytes > o.maxFileBytes) {
      this.count++;
      if (o.fileCount !== undefined && this.count >= o.fileCount) this.count = 0;
      this.rotateTo(rotatedName(this.sliceName, this.count, this.width));
    }
    this.packets++;
    this.writer!.write(rec);
    return true;
  }

  /** Closes every file (and reports a write error of any of them). */
  async close(): Promise<void> {
    await Promise.all(this.closing);
    if (this.writer) await this.writer.close();
    this.writer = null;
  }
}
