/**
 * Reassembly of one direction of a TCP session. Sequence numbers become *stream offsets*
 * (byte 0 = the first byte after the SYN, or the first byte seen on a midstream pick-up) by a
 * signed 32-bit difference from the next expected sequence number, so wrap-around at 2^32 is
 * invisible past this file.
 *
 * Layout: the in-order bytes not consumed yet live in one growable buffer (`buf[start..end)`,
 * ending at stream offset `next`); segments ahead of a hole are copied into a sorted list
 * until the hole fills. Overlaps keep the bytes that arrived first (Suricata's default
 * policy for the IDS case): a new segment only fills holes.
 */
import type { StreamConfig } from './config.js';
import type { StreamStats } from './stats.js';

interface Pending {
  /** Stream offset of data[0]. */
  off: number;
  data: Uint8Array;
}

const INITIAL = 4096;
const NO_BYTES = new Uint8Array(0);

export class StreamDirection {
  /** The stream's start is known (a SYN was seen or the session was picked up). */
  hasBase = false;
  /** Sequence number of the byte at {@link next}. */
  nextSeq = 0;
  /** Stream offset of the next byte expected (everything before it was delivered or skipped). */
  next = 0;
  /** A FIN was seen; {@link finOff} is its stream offset. */
  finSeen = false;
  finOff = 0;
  /** Bytes delivered in order (gaps excluded). */
  delivered = 0;
  /** The reassembly depth was reached: later bytes are dropped. */
  depthReached = false;
  /** Holes skipped in this direction. */
  gaps = 0;
  /** Stream offset where the first skipped hole began (-1: none): bytes before it are complete. */
  firstGap = -1;

  /** Allocated on the first data byte: most sessions (scans, floods) never carry any. */
  buf: Uint8Array = NO_BYTES;
  start = 0;
  end = 0;
  /** Stream offset of buf[start] (the next byte a reader gets). */
  readOff = 0;
  /** Bytes consumed so far (gaps excluded): the reader's position in delivered bytes. */
  consumed = 0;
  /**
   * Consumed bytes still kept right before `buf[start]` (`buf[start - held, start)`), for a
   * second reader that looks at them later (the engine's raw stream detection) without a copy.
   */
  held = 0;
  /**
   * Holes skipped while bytes before them were still unread: at delivered-byte position
   * gapAt[i], gapLen[i] bytes are missing. A read never spans one.
   */
  private gapAt: number[] = [];
  private gapLen: number[] = [];
  private pending: Pending[] = [];
  private readonly holes: number[] = [];
  pendingBytes = 0;

  constructor(
    private readonly cfg: StreamConfig,
    private readonly stats: StreamStats,
  ) {}

  reset(): void {
    this.hasBase = false;
    this.nextSeq = 0;
    this.next = 0;
    this.finSeen = false;
    this.finOff = 0;
    this.delivered = 0;
    this.depthReached = false;
    this.gaps = 0;
    this.firstGap = -1;
    this.start = 0;
    this.end = 0;
    this.readOff = 0;
    this.consumed = 0;
    this.held = 0;
    // setting an array's length is a runtime call: only when there is something to drop
    if (this.gapAt.length > 0) {
      this.gapAt.length = 0;
      this.gapLen.length = 0;
    }
    if (this.pending.length > 0) this.pending = [];
    this.pendingBytes = 0;
    // a large buffer from an earlier session is not kept for a new one
    if (this.buf.length > 1024 * 1024) this.buf = new Uint8Array(INITIAL);
  }

  /** The stream begins at sequence number `seq` (stream offset 0). */
  setBase(seq: number): void {
    this.hasBase = true;
    this.nextSeq = seq >>> 0;
    this.next = 0;
  }

  /** Stream offset of sequence number `seq` (nearest to the current position). */
  offsetOf(seq: number): number {
    return this.next + ((seq - this.nextSeq) | 0);
  }

  /** Bytes readable (in order, not consumed). */
  get available(): number {
    return this.end - this.start;
  }

  /** Readable bytes before the next hole (all of them when there is none ahead). */
  get readable(): number {
    const avail = this.end - this.start;
    if (this.gapAt.length === 0) return avail;
    const k = this.gapAt[0] - this.consumed;
    return k > 0 ? Math.min(k, avail) : avail;
  }

  /**
   * Bytes lost right before the next readable byte (0: none), and forgets them: the next read
   * continues after the hole.
   */
  takeGap(): number {
    if (this.gapAt.length === 0 || this.gapAt[0] !== this.consumed) return 0;
    const n = this.gapLen[0];
    this.gapAt.shift();
    this.gapLen.shift();
    this.readOff += n;
    return n;
  }

  /** A skipped hole not taken yet by {@link takeGap} (before or among the readable bytes). */
  get gapPending(): boolean {
    return this.gapAt.length > 0;
  }

  /** No more data can come: FIN seen and everything before it delivered or skipped. */
  get done(): boolean {
    return this.finSeen && this.next >= this.finOff;
  }

  /** Records a FIN whose sequence number is `seq` (after the segment's data). */
  fin(seq: number): void {
    if (!this.hasBase || this.finSeen) return;
    this.finSeen = true;
    this.finOff = this.offsetOf(seq);
  }

  /**
   * Adds a segment's payload `src[from..from+len)` starting at sequence number `seq`.
   * Returns the bytes that became readable.
   */
  add(seq: number, src: Uint8Array, from: number, len: number): number {
    if (!this.hasBase || len === 0) return 0;
    let off = this.offsetOf(seq);
    let end = off + len;
    if (this.finSeen && end > this.finOff) end = Math.max(off, this.finOff);
    if (off < 0) {
      // bytes before the stream's first byte (data in a SYN is counted from seq+1 by the caller)
      this.stats.beforeStartBytes += Math.min(len, -off);
      from -= off;
      off = 0;
    }
    if (end <= off) return 0;
    // depth: bytes at stream offsets >= depth are never reassembled
    const depth = this.cfg.depth;
    if (depth > 0 && end > depth) {
      const cut = end - Math.max(off, depth);
      this.stats.beyondDepthBytes += cut;
      end -= cut;
      if (!this.depthReached) {
        this.depthReached = true;
        this.stats.depthReached++;
      }
      if (end <= off) return 0;
    }
    if (end <= this.next) {
      this.stats.retransmittedSegments++;
      this.countOverlap(off, src, from, end - off);
      return 0;
    }
    if (off < this.next) {
      this.countOverlap(off, src, from, this.next - off);
      from += this.next - off;
      off = this.next;
    }
    const before = this.delivered;
    if (off === this.next && this.pending.length === 0) {
      // the fast path: in order, nothing waiting
      this.append(src, from, end - off);
      return this.delivered - before;
    }
    this.insertPending(off, src, from, end - off);
    this.drain();
    return this.delivered - before;
  }

  /**
   * Skips the hole at the current position up to stream offset `to` (capture loss, close):
   * buffered segments before `to` are delivered on the way. Returns the bytes that became
   * readable.
   */
  skipTo(to: number): number {
    const before = this.delivered;
    while (this.next < to) {
      const p = this.pending.length > 0 ? this.pending[0] : null;
      const target = p !== null && p.off < to ? p.off : to;
      if (target > this.next) this.gap(target - this.next);
      this.drain();
      if (p === null || p.off >= to) break;
    }
    return this.delivered - before;
  }

  /** Delivers everything buffered, skipping every hole. Returns the bytes that became readable. */
  flush(): number {
    const before = this.delivered;
    while (this.pending.length > 0) {
      const p = this.pending[0];
      if (p.off > this.next) this.gap(p.off - this.next);
      this.drain();
    }
    return this.delivered - before;
  }

  /** Passes the holes at the read position that nobody asked about. */
  takeGapIfUnasked(): void {
    while (this.gapAt.length > 0 && this.gapAt[0] === this.consumed) this.takeGap();
  }

  /** Marks `n` readable bytes consumed; `hold`: keep them until {@link release} (see {@link held}). */
  consume(n: number, hold = false): void {
    this.takeGapIfUnasked();
    n = Math.min(n, this.readable);
    this.start += n;
    this.consumed += n;
    this.readOff += n;
    if (hold) this.held += n;
    if (this.start === this.end && this.held === 0) {
      this.start = 0;
      this.end = 0;
    }
  }

  /** The held bytes (a view, valid until the next change of this direction). */
  heldView(): Uint8Array {
    return this.buf.subarray(this.start - this.held, this.start);
  }

  /** Forgets the held bytes. */
  release(): void {
    this.held = 0;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  private gap(n: number): void {
    if (this.gaps++ === 0) this.firstGap = this.next;
    this.gapAt.push(this.delivered);
    this.gapLen.push(n);
    this.stats.gaps++;
    this.stats.gapBytes += n;
    this.nextSeq = (this.nextSeq + n) >>> 0;
    this.next += n;
  }

  private append(src: Uint8Array, from: number, n: number): void {
    if (this.end + n > this.buf.length) this.makeRoom(n);
    // small segments: a byte loop (no view object); larger ones: one short-lived view for a
    // native copy, measured faster than the loop (bench/stream-http.ts)
    if (n <= 64) {
      const buf = this.buf;
      const at = this.end;
      for (let k = 0; k < n; k++) buf[at + k] = src[from + k];
    } else {
      this.buf.set(n === src.length && from === 0 ? src : src.subarray(from, from + n), this.end);
    }
    this.end += n;
    this.next += n;
    this.nextSeq = (this.nextSeq + n) >>> 0;
    this.delivered += n;
    this.stats.reassembledBytes += n;
  }

  private makeRoom(n: number): void {
    // held bytes move with the readable ones
    const from = this.start - this.held;
    const live = this.end - from;
    if (from > 0 && live + n <= this.buf.length) {
      this.buf.copyWithin(0, from, this.end);
    } else {
      let size = Math.max(this.buf.length * 2, INITIAL);
      while (size < live + n) size *= 2;
      const nb = new Uint8Array(size);
      nb.set(this.buf.subarray(from, this.end), 0);
      this.buf = nb;
    }
    this.start = this.held;
    this.end = live;
  }

  /** Moves buffered segments that now start at or before `next` into the readable buffer. */
  private drain(): void {
    const q = this.pending;
    let i = 0;
    while (i < q.length && q[i].off <= this.next) {
      const p = q[i];
      const endOff = p.off + p.data.length;
      if (endOff > this.next) this.append(p.data, this.next - p.off, endOff - this.next);
      this.pendingBytes -= p.data.length;
      i++;
    }
    if (i > 0) q.splice(0, i);
  }

  /** Inserts the parts of [off, off+len) that no buffered segment covers (first wins). */
  private insertPending(off: number, src: Uint8Array, from: number, len: number): void {
    if (off + len <= this.next) return;
    if (off < this.next) {
      from += this.next - off;
      len -= this.next - off;
      off = this.next;
    }
    const q = this.pending;
    const end = off + len;
    // holes of [off, end) between buffered segments; overlaps counted against the first copy
    const holes = this.holes;
    holes.length = 0;
    let pos = off;
    let newBytes = 0;
    for (let i = 0; i < q.length && pos < end; i++) {
      const p = q[i];
      const pEnd = p.off + p.data.length;
      if (pEnd <= pos) continue;
      if (p.off >= end) break;
      if (p.off > pos) {
        holes.push(pos, p.off - pos);
        newBytes += p.off - pos;
      }
      const ovStart = Math.max(pos, p.off);
      const ovEnd = Math.min(end, pEnd);
      this.stats.overlapBytes += ovEnd - ovStart;
      for (let k = ovStart; k < ovEnd; k++) {
        if (p.data[k - p.off] !== src[from + (k - off)]) this.stats.overlapDiffBytes++;
      }
      pos = ovEnd;
    }
    if (pos < end) {
      holes.push(pos, end - pos);
      newBytes += end - pos;
    }
    if (newBytes === 0) {
      this.stats.retransmittedSegments++;
      return;
    }
    if (holes[0] > this.next && this.pendingBytes + newBytes > this.cfg.maxOutOfOrderBytes) {
      // no room: skip holes at the current position until there is, or up to this segment
      while (q.length > 0 && this.pendingBytes + newBytes > this.cfg.maxOutOfOrderBytes) {
        if (q[0].off > this.next) this.gap(q[0].off - this.next);
        this.drain();
      }
      if (this.pendingBytes + newBytes > this.cfg.maxOutOfOrderBytes && off > this.next) {
        this.gap(off - this.next);
      }
      this.insertPending(off, src, from, len);
      return;
    }
    if (holes[0] > this.next) this.stats.outOfOrderSegments++;
    let at = 0;
    for (let h = 0; h < holes.length; h += 2) {
      const hOff = holes[h];
      const hLen = holes[h + 1];
      while (at < q.length && q[at].off < hOff) at++;
      const start = from + (hOff - off);
      q.splice(at, 0, { off: hOff, data: src.slice(start, start + hLen) });
      at++;
      this.pendingBytes += hLen;
    }
  }

  /** Counts bytes of a segment that repeat bytes already delivered, and how many differ. */
  private countOverlap(off: number, src: Uint8Array, from: number, len: number): void {
    this.stats.overlapBytes += len;
    // unread bytes map to stream offsets only while no hole lies among them
    if (this.gapAt.length > 0) return;
    const readOff = this.readOff;
    for (let k = 0; k < len; k++) {
      const o = off + k;
      if (o < readOff) continue;
      if (this.buf[this.start + (o - readOff)] !== src[from + k]) this.stats.overlapDiffBytes++;
    }
  }
}
