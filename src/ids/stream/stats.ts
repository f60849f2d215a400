/**
 * Counters of the stream engine, shared by every session of one engine (pass the same object
 * to each `TcpSession`): what was reassembled, and every byte that was not, with the reason.
 */
export class StreamStats {
  /** Sessions tracked (a handshake seen, or picked up midstream). */
  sessions = 0;
  /** Sessions picked up without a handshake (only when `midstream` is on). */
  midstreamPickups = 0;
  /** TCP packets of sessions not tracked (no SYN seen and `midstream` off). */
  untrackedPackets = 0;
  /** Bytes delivered in order, all directions. */
  reassembledBytes = 0;
  /** Segments that brought nothing new (retransmissions of delivered or buffered bytes). */
  retransmittedSegments = 0;
  /** Bytes of segments overlapping data already received: the first copy is kept. */
  overlapBytes = 0;
  /**
   * Overlapping bytes whose value differed from the copy kept (evasion attempts or
   * corruption); compared while the first copy is still held (buffered or not consumed yet).
   */
  overlapDiffBytes = 0;
  /** Segments that arrived ahead of a hole and were buffered. */
  outOfOrderSegments = 0;
  /** Holes skipped (capture loss, out-of-order cap, close): the bytes after them are still delivered. */
  gaps = 0;
  /** Bytes missing in skipped holes. */
  gapBytes = 0;
  /** Directions that reached the reassembly depth. */
  depthReached = 0;
  /** Bytes beyond the reassembly depth (not delivered). */
  beyondDepthBytes = 0;
  /** Data bytes that lay before a direction's first sequence number (before the SYN or pickup). */
  beforeStartBytes = 0;

  reset(): void {
    for (const k of Object.keys(this) as Array<keyof StreamStats>) {
      if (typeof this[k] === 'number') (this as unknown as Record<string, number>)[k] = 0;
    }
  }
}
