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

import { TcpFlag } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import { type StreamConfig, streamConfig } from './config.js';
import { StreamDirection } from './direction.js';
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

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;
const EMPTY = new Uint8Array(0);

export class TcpSession {
  /** {@link TcpState} value. */
  state: number = TcpState.NONE;
  /** The session is being reassembled (a SYN was seen, or it was picked up midstream). */
  tracked = false;
  /** Picked up without seeing the handshake (`midstream` on). */
  midstream = false;
  /** Direction of the first SYN (the client), -1 before. */
  synDir = -1;
  /** An RST was seen. */
  wasReset = false;

  readonly config: StreamConfig;
  readonly stats: StreamStats;
  /** Per direction (index 0 to server, 1 to client): for tests and diagnostics. */
  readonly dirs: readonly [StreamDirection, StreamDirection];

  /**
   * @param config settings (defaults: {@link DEFAULT_STREAM_CONFIG}); share one object
   *   between sessions
   * @param stats counters, shared by every session of an engine
   */
  constructor(config: Partial<StreamConfig> | StreamConfig = {}, stats: StreamStats = new StreamStats()) {
    this.config = streamConfig(config);
    this.stats = stats;
    this.dirs = [new StreamDirection(this.config, stats), new StreamDirection(this.config, stats)];
  }

  /** Forgets everything: the object starts a new session (keeps its buffers for reuse). */
  reset(): void {
    this.state = TcpState.NONE;
    this.tracked = false;
    this.midstream = false;
    this.synDir = -1;
    this.wasReset = false;
    this.dirs[0].reset();
    this.dirs[1].reset();
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
    // only captured payload bytes can be reassembled; a cut segment delivers what was captured
    return this.segment(
      direction,
      pkt.tcpFlags,
      pkt.seq,
      pkt.ack,
      pkt.buf,
      pkt.payloadOffset,
      pkt.payloadCapLen,
      pkt.payloadLen,
      time,
    );
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
    return this.segment(direction, flags, seq, ack, payload, 0, payload.length, payload.length, time);
  }

  private segment(
    d: number,
    flags: number,
    seq: number,
    ack: number,
    src: Uint8Array,
    from: number,
    len: number,
    wireLen: number,
    _time: number,
  ): number {
    const me = this.dirs[d];
    const peer = this.dirs[d ^ 1];
    if (this.state === TcpState.NONE && !this.start(d, flags, seq, ack)) {
      this.stats.untrackedPackets++;
      return 0;
    }
    if (this.state === TcpState.CLOSED && this.wasReset) return 0;
    this.advanceState(d, flags, seq, ack);
    if ((flags & SYN) !== 0 && !me.hasBase) me.setBase(seq + 1);
    // data: a SYN's payload starts one after its sequence number
    let n = 0;
    if (len > 0) {
      if (!me.hasBase) me.setBase(seq);
      n = me.add((flags & SYN) !== 0 ? seq + 1 : seq, src, from, len);
    }
    // the FIN follows the segment's bytes on the wire, captured or not
    if ((flags & FIN) !== 0) me.fin((seq + wireLen + ((flags & SYN) !== 0 ? 1 : 0)) >>> 0);
    // the peer acknowledges bytes we never saw: they were lost in the capture, skip them
    if ((flags & ACK) !== 0 && peer.hasBase) {
      let ackOff = peer.offsetOf(ack);
      if (peer.finSeen && ackOff > peer.finOff) ackOff = peer.finOff;
      if (ackOff > peer.next) peer.skipTo(ackOff);
    }
    if ((flags & RST) !== 0) {
      this.wasReset = true;
      this.state = TcpState.CLOSED;
      n += me.flush();
      peer.flush();
    }
    return n;
  }

  /** First packet: a SYN opens the session; anything else only with midstream pick-up. */
  private start(d: number, flags: number, seq: number, ack: number): boolean {
    if ((flags & (SYN | ACK | RST)) === SYN) {
      this.tracked = true;
      this.stats.sessions++;
      this.synDir = d;
      this.state = TcpState.SYN_SENT;
      this.dirs[d].setBase(seq + 1);
      return true;
    }
    const synAck = (flags & (SYN | ACK)) === (SYN | ACK);
    if ((!this.config.midstream && !(this.config.asyncOneside && synAck)) || (flags & RST) !== 0)
      return false;
    this.tracked = true;
    this.midstream = true;
    this.stats.sessions++;
    this.stats.midstreamPickups++;
    if ((flags & SYN) !== 0) {
      // a SYN/ACK: the server side of a handshake whose SYN was missed
      this.synDir = d ^ 1;
      this.state = TcpState.SYN_RECV;
      this.dirs[d].setBase(seq + 1);
      this.dirs[d ^ 1].setBase(ack);
      return true;
    }
    this.state = TcpState.ESTABLISHED;
    this.dirs[d].setBase(seq);
    if ((flags & ACK) !== 0) this.dirs[d ^ 1].setBase(ack);
    return true;
  }

  private advanceState(d: number, flags: number, seq: number, ack: number): void {
    const S = TcpState;
    switch (this.state) {
      case S.SYN_SENT:
        if ((flags & (SYN | ACK)) === (SYN | ACK) && d !== this.synDir) {
          this.state = S.SYN_RECV;
          this.dirs[d].setBase(seq + 1);
        } else if ((flags & (SYN | ACK)) === SYN && d === this.synDir) {
          // a new SYN with another ISN replaces the first (a retransmitted one changes nothing)
          const me = this.dirs[d];
          if (me.delivered === 0) me.setBase(seq + 1);
        }
        return;
      case S.SYN_RECV:
        if ((flags & (SYN | ACK)) === ACK && d === this.synDir) {
          const srv = this.dirs[d ^ 1];
          if (!srv.hasBase || srv.offsetOf(ack) >= 0) this.state = S.ESTABLISHED;
        } else if (this.config.asyncOneside && (flags & (SYN | ACK)) === ACK && d !== this.synDir) {
          // one-sided: the server's next ACK stands for the client's that is not seen
          this.state = S.ESTABLISHED;
        }
        return;
      default:
        break;
    }
    if ((flags & FIN) === 0) {
      if ((flags & ACK) !== 0) this.ackOfFin(d, ack);
      return;
    }
    // closing: FIN_WAIT1 at the first FIN; both FINs: CLOSING (or TIME_WAIT when the first
    // was already acknowledged); the ACK of the last FIN closes
    const other = this.dirs[d ^ 1];
    if (this.state === S.ESTABLISHED || this.state === S.SYN_RECV) this.state = S.FIN_WAIT1;
    else if (other.finSeen && !this.dirs[d].finSeen) {
      this.state = this.state === S.FIN_WAIT2 ? S.TIME_WAIT : S.CLOSING;
    }
    if ((flags & ACK) !== 0) this.ackOfFin(d, ack);
  }

  /** An ACK from `d` covering the peer's FIN moves the closing states on. */
  private ackOfFin(d: number, ack: number): void {
    const peer = this.dirs[d ^ 1];
    if (!peer.finSeen || peer.offsetOf(ack) <= peer.finOff) return;
    const S = TcpState;
    if (this.state === S.FIN_WAIT1) this.state = this.dirs[d].finSeen ? S.TIME_WAIT : S.FIN_WAIT2;
    else if (this.state === S.CLOSING || this.state === S.TIME_WAIT) {
      if (this.dirs[d].finSeen) this.state = S.CLOSED;
    }
  }

  /**
   * The flow counts as established (Suricata's `flow:established`): the handshake is done and
   * the session is not yet closing for good. Suricata maps ESTABLISHED, FIN_WAIT1/2, CLOSING
   * and CLOSE_WAIT to an established flow; LAST_ACK, TIME_WAIT and CLOSED to a closed one.
   */
  get established(): boolean {
    return this.state >= TcpState.ESTABLISHED && this.state <= TcpState.CLOSE_WAIT;
  }

  /**
   * No more data will come in `direction`: its FIN was seen and everything before it was
   * delivered or skipped, or the session was reset.
   */
  closed(direction: number): boolean {
    return this.wasReset || this.dirs[direction].done;
  }

  /** In-order bytes of `direction` not consumed yet (holes between them not counted). */
  available(direction: number): number {
    return this.dirs[direction].available;
  }

  /**
   * The next in-order bytes of `direction` not consumed yet, at most `config.chunkSize`
   * (empty when none). A view into the session's buffer: valid until the next call that
   * changes the session; copy what you keep. (Allocates one view object.)
   */
  read(direction: number): Uint8Array {
    const s = this.dirs[direction];
    s.takeGapIfUnasked();
    const n = Math.min(s.readable, this.config.chunkSize);
    return n === 0 ? EMPTY : s.buf.subarray(s.start, s.start + n);
  }

  /**
   * Bytes lost (a skipped hole) right before the next byte {@link read} returns, 0 when none;
   * the hole is then forgotten. Call it before `read` to tell an app-layer parser about gaps
   * (`HttpParser.gap`): a read never returns bytes from both sides of a hole, and a hole not
   * asked about is passed silently.
   */
  takeGap(direction: number): number {
    return this.dirs[direction].takeGap();
  }

  /** A hole in `direction` that {@link takeGap} has not reported yet. */
  gapPending(direction: number): boolean {
    return this.dirs[direction].gapPending;
  }

  /**
   * Marks the first `n` readable bytes of `direction` consumed (n <= {@link available}).
   * `hold`: the bytes stay in the session's buffer, after the ones held before, until
   * {@link release} — a second look at them later ({@link held}) without copying them.
   */
  consume(direction: number, n: number, hold = false): void {
    this.dirs[direction].consume(n, hold);
  }

  /** The consumed bytes of `direction` held since the last {@link release} (a view: valid until the session changes). */
  held(direction: number): Uint8Array {
    return this.dirs[direction].heldView();
  }

  /** Number of bytes {@link held} in `direction`. */
  heldLength(direction: number): number {
    return this.dirs[direction].held;
  }

  /** Drops the held bytes of `direction`. */
  release(direction: number): void {
    this.dirs[direction].release();
  }

  /** Stream offset (bytes since the first data byte, holes included) of the next byte {@link read} returns. */
  offset(direction: number): number {
    return this.dirs[direction].readOff;
  }

  /** Bytes delivered in order in `direction` so far (consumed or not): `stream_size`. */
  delivered(direction: number): number {
    return this.dirs[direction].delivered;
  }

  /**
   * The flow ends (timeout, end of capture): holes are skipped and the out-of-order bytes of
   * `direction` become readable. Returns the new readable bytes.
   */
  flush(direction: number): number {
    return this.dirs[direction].flush();
  }
}
