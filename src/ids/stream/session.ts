/**
 * One TCP session as the IDS engine sees it: the state machine (is the session ESTABLISHED,
 * is a direction closed) and the reassembly of both directions (Suricata semantics:
 * docs/ids-stream-http.md).
 *
 * The engine keeps one `TcpSession` per flow (in an array by flow slot, or a map by flow id),
 * calls {@link TcpSession.reset} when the slot gets a new flow, and per TCP packet:
 *
 * ```ts
 * const n = sess.handlePacket(pkt, st.direction, time);   // new in-order bytes of that direction
 * for (let v = sess.read(dir); v.length > 0; v = sess.read(dir)) {
 *   inspect(v);                                            // a bounded chunk, a view: copy to keep
 *   sess.consume(dir, v.length);
 * }
 * ```
 *
 * Nothing is allocated per packet on the in-order path: bytes are appended to a growable
 * per-direction buffer that is compacted when consumed bytes pile up.
 */
import type { Packet } from '../../packet/packet.js';
import { type StreamConfig, streamConfig } from './config.js';
import { StreamStats } from './stats.js';

/** TCP session states (Suricata's names). */
export const TcpState = {
  /** No packet yet, or a session that is not tracked (no SYN seen, midstream off). */
  NONE: 0,
  SYN_SENT: 1,
  SYN_RECV: 2,
  ESTABLISHED: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  CLOSING: 6,
  CLOSE_WAIT: 7,
  LAST_ACK: 8,
  TIME_WAIT: 9,
  CLOSED: 10,
} as const;

/** Stream directions: the flow table's `Direction` values. */
export const StreamDir = { TO_SERVER: 0, TO_CLIENT: 1 } as const;

export class TcpSession {
  /** {@link TcpState} value. */
  state: number = TcpState.NONE;
  /** The session is being reassembled (a SYN was seen, or it was picked up midstream). */
  tracked = false;
  /** Picked up without seeing the handshake (`midstream` on). */
  midstream = false;

  readonly config: StreamConfig;
  readonly stats: StreamStats;

  /**
   * @param config settings (defaults: {@link DEFAULT_STREAM_CONFIG}); share one object
   *   between sessions
   * @param stats counters, shared by every session of an engine
   */
  constructor(config: Partial<StreamConfig> | StreamConfig = {}, stats: StreamStats = new StreamStats()) {
    this.config = streamConfig(config);
    this.stats = stats;
  }

  /** Forgets everything: the object starts a new session (keeps its buffers for reuse). */
  reset(): void {
    throw new Error('not implemented');
  }

  /**
   * Takes one TCP packet of this session.
   *
   * @param pkt a decoded TCP packet (seq, ack, tcpFlags, payload fields)
   * @param direction the flow table's direction of the packet: 0 to server, 1 to client
   * @param time packet time in seconds
   * @returns how many new in-order bytes became readable in `direction` (0 when none)
   */
  handlePacket(pkt: Packet, direction: number, time: number): number {
    void pkt;
    void direction;
    void time;
    throw new Error('not implemented');
  }

  /**
   * Like {@link handlePacket} from raw fields, for callers without a `Packet` (tests, other
   * decoders). `payload` is read during the call only.
   */
  handleSegment(
    direction: number,
    flags: number,
    seq: number,
    ack: number,
    payload: Uint8Array,
    time: number,
  ): number {
    void direction;
    void flags;
    void seq;
    void ack;
    void payload;
    void time;
    throw new Error('not implemented');
  }

  /** The session is in the ESTABLISHED state: handshake done, no FIN or RST yet (Suricata's `flow:established`). */
  get established(): boolean {
    return this.state === TcpState.ESTABLISHED;
  }

  /**
   * No more data will come in `direction`: its FIN was seen and everything before it was
   * delivered or skipped, or the session was reset.
   */
  closed(direction: number): boolean {
    void direction;
    throw new Error('not implemented');
  }

  /** In-order bytes of `direction` not consumed yet. */
  available(direction: number): number {
    void direction;
    throw new Error('not implemented');
  }

  /**
   * The next in-order bytes of `direction` not consumed yet, at most `config.chunkSize`
   * (empty when none). A view into the session's buffer: valid until the next call that
   * changes the session; copy what you keep.
   */
  read(direction: number): Uint8Array {
    void direction;
    throw new Error('not implemented');
  }

  /** Marks the first `n` readable bytes of `direction` consumed (n <= {@link available}). */
  consume(direction: number, n: number): void {
    void direction;
    void n;
    throw new Error('not implemented');
  }

  /** Stream offset (bytes since the first data byte) of the next byte {@link read} returns. */
  offset(direction: number): number {
    void direction;
    throw new Error('not implemented');
  }

  /** Bytes delivered in order in `direction` so far (consumed or not): `stream_size`. */
  delivered(direction: number): number {
    void direction;
    throw new Error('not implemented');
  }

  /**
   * The flow ends (timeout, end of capture): holes are skipped and the out-of-order bytes of
   * both directions become readable. Returns the new readable bytes of `direction`.
   */
  flush(direction: number): number {
    void direction;
    throw new Error('not implemented');
  }
}
