/**
 * A bounded FIFO of captured packets with a drop counter: what a capture session keeps between
 * `capture_start` and `capture_get_packets` / `capture_save_pcap`. Bounded twice, by packet
 * count and by bytes, both allocated once up front: pushing copies the packet's bytes into one
 * preallocated byte ring and its header fields into typed arrays, so a long capture never
 * grows memory or allocates per packet.
 *
 * When full, `drop-oldest` (default) evicts the oldest packets to make room, like a flight
 * recorder; `drop-newest` refuses the new packet, keeping the start of the capture. Either way
 * `dropped` counts every packet that is not (or no longer) in the ring.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { newPacketRecord, type PacketRecord } from '../packet/record.js';

export type RingOverflow = 'drop-oldest' | 'drop-newest';

export interface PacketRingOptions {
  /** Most packets held at once. */
  maxPackets: number;
  /** Most packet bytes (captured lengths) held at once; allocated up front. */
  maxBytes: number;
  /** What to do when full (default `drop-oldest`). */
  overflow?: RingOverflow;
}

export class PacketRing {
  readonly maxPackets: number;
  readonly maxBytes: number;
  readonly overflow: RingOverflow;

  private readonly buf: Uint8Array;
  private readonly offset: Uint32Array;
  private readonly capLen: Uint32Array;
  private readonly origLen: Uint32Array;
  private readonly tsSec: Float64Array;
  private readonly tsNsec: Uint32Array;
  private readonly linkType: Uint32Array;
  private readonly ifIndex: Uint32Array;
  private head = 0; // index of the oldest packet
  private count = 0;
  private wr = 0; // byte offset where the next packet goes
  private storedBytes = 0;
  private droppedCount = 0;
  private acceptedCount = 0;
  private readonly scratch: PacketRecord = newPacketRecord();

  constructor(options: PacketRingOptions) {
    const { maxPackets, maxBytes } = options;
    if (!Number.isInteger(maxPackets) || maxPackets < 1 || maxPackets > 2 ** 28) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'maxPackets must be a whole number from 1 to 2^28', {
        details: { maxPackets },
      });
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > 2 ** 32 - 1) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'maxBytes must be a whole number from 1 to 2^32-1', {
        details: { maxBytes },
      });
    }
    const overflow = options.overflow ?? 'drop-oldest';
    if (overflow !== 'drop-oldest' && overflow !== 'drop-newest') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, "overflow must be 'drop-oldest' or 'drop-newest'");
    }
    this.maxPackets = maxPackets;
    this.maxBytes = maxBytes;
    this.overflow = overflow;
    this.buf = new Uint8Array(maxBytes);
    this.offset = new Uint32Array(maxPackets);
    this.capLen = new Uint32Array(maxPackets);
    this.origLen = new Uint32Array(maxPackets);
    this.tsSec = new Float64Array(maxPackets);
    this.tsNsec = new Uint32Array(maxPackets);
    this.linkType = new Uint32Array(maxPackets);
    this.ifIndex = new Uint32Array(maxPackets);
  }

  /** Packets held now. */
  get size(): number {
    return this.count;
  }

  /** Captured bytes held now. */
  get bytes(): number {
    return this.storedBytes;
  }

  /** Packets refused or evicted since creation (or the last `clear({ counters: true })`). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Packets accepted by `push` since creation (some may have been evicted since). */
  get accepted(): number {
    return this.acceptedCount;
  }

  /**
   * Copies `rec` into the ring. Returns false when it was dropped (`drop-newest` and full, or
   * the packet alone is larger than `maxBytes`).
   */
  push(rec: PacketRecord): boolean {
    const len = rec.data.length;
    // every packet takes at least one byte so that "write offset == oldest offset" means full
    const need = len > 0 ? len : 1;
    if (need > this.maxBytes) {
      this.droppedCount++;
      return false;
    }
    let pos = this.place(need);
    if (pos < 0 || this.count === this.maxPackets) {
      if (this.overflow === 'drop-newest') {
        this.droppedCount++;
        return false;
      }
      while (this.count > 0 && (pos < 0 || this.count === this.maxPackets)) {
        this.evictOldest();
        pos = this.place(need);
      }
    }
    const slot = (this.head + this.count) % this.maxPackets;
    this.buf.set(rec.data, pos);
    this.offset[slot] = pos;
    this.capLen[slot] = len;
    this.origLen[slot] = rec.origLen;
    this.tsSec[slot] = rec.tsSec;
    this.tsNsec[slot] = rec.tsNsec;
    this.linkType[slot] = rec.linkType;
    this.ifIndex[slot] = rec.ifIndex;
    this.wr = pos + need;
    this.count++;
    this.storedBytes += len;
    this.acceptedCount++;
    return true;
  }

  /** Byte offset where `need` bytes fit without touching held packets, or -1. */
  private place(need: number): number {
    if (this.count === 0) {
      this.wr = 0;
      return 0;
    }
    const rd = this.offset[this.head];
    if (this.wr > rd) {
      if (this.wr + need <= this.maxBytes) return this.wr;
      return need <= rd ? 0 : -1; // wrap to the start, in front of the oldest packet
    }
    return this.wr + need <= rd ? this.wr : -1;
  }

  private evictOldest(): void {
    this.storedBytes -= this.capLen[this.head];
    this.head = (this.head + 1) % this.maxPackets;
    this.count--;
    this.droppedCount++;
  }

  private fill(slot: number, into: PacketRecord): void {
    const off = this.offset[slot];
    const len = this.capLen[slot];
    into.data = this.buf.subarray(off, off + len);
    into.capLen = len;
    into.origLen = this.origLen[slot];
    into.tsSec = this.tsSec[slot];
    into.tsNsec = this.tsNsec[slot];
    into.linkType = this.linkType[slot];
    into.ifIndex = this.ifIndex[slot];
  }

  /**
   * Removes the oldest packet and fills `into` with it. Its `data` views the ring's memory and
   * stays valid until the next `push`. Returns false when the ring is empty.
   */
  shift(into: PacketRecord): boolean {
    if (this.count === 0) return false;
    this.fill(this.head, into);
    this.storedBytes -= this.capLen[this.head];
    this.head = (this.head + 1) % this.maxPackets;
    this.count--;
    return true;
  }

  /** Fills `into` with the `index`-th oldest packet (0 = oldest) without removing it. */
  peek(index: number, into: PacketRecord): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return false;
    this.fill((this.head + index) % this.maxPackets, into);
    return true;
  }

  /** Calls `cb` for each held packet, oldest first, with one reused record. */
  forEach(cb: (rec: PacketRecord, index: number) => void): void {
    const rec = this.scratch;
    for (let i = 0; i < this.count; i++) {
      this.fill((this.head + i) % this.maxPackets, rec);
      cb(rec, i);
    }
  }

  /** Removes every packet; with `counters`, also resets `dropped` and `accepted`. */
  clear(options: { counters?: boolean } = {}): void {
    this.head = 0;
    this.count = 0;
    this.wr = 0;
    this.storedBytes = 0;
    if (options.counters) {
      this.droppedCount = 0;
      this.acceptedCount = 0;
    }
  }
}
