/**
 * The buffer a capture file is read through in chunks: `buf[start, end)` holds bytes read but
 * not yet parsed, and `base` is the file offset of `buf[0]`. Shared by the record parser's
 * reader (reader.ts) and the flow capture engine (src/flow/capture-engine.ts).
 */
export class ReadWindow {
  buf: Uint8Array;
  start = 0;
  end = 0;
  /** File offset of buf[0]. */
  base: number;

  constructor(size: number, base = 0) {
    this.buf = new Uint8Array(size);
    this.base = base;
  }

  /**
   * Makes room before the next read: the unparsed tail moves to the front when the record
   * at `start` (`need` bytes) does not fit behind it or the buffer is full; the buffer grows
   * only for a record larger than itself.
   */
  makeRoom(need: number): void {
    const { start, end } = this;
    if (start === end) {
      this.base += start;
      this.start = this.end = 0;
      return;
    }
    if (this.buf.length - start >= need && end !== this.buf.length) return;
    if (need > this.buf.length) {
      const bigger = new Uint8Array(Math.max(need, this.buf.length * 2));
      bigger.set(this.buf.subarray(start, end));
      this.buf = bigger;
    } else {
      this.buf.copyWithin(0, start, end);
    }
    this.base += start;
    this.start = 0;
    this.end = end - start;
  }
}

/** Synchronous reads between two turns of the event loop: about 8 MB of file at a time. */
export const READS_PER_YIELD = 8;

/** Lets other work run between synchronous reads. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
