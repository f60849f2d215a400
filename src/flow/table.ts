/**
 * The flow table: finds the flow of each decoded packet, updates its statistics and tells the
 * caller which flows have ended, in a documented order (docs/flows.md, "When flows leave"):
 *
 * 1. before every packet (and on {@link FlowTable.tick}): closed TCP flows whose close linger
 *    is over leave, in the order they closed; then flows idle for the idle timeout leave,
 *    oldest last packet first;
 * 2. a flow whose next packet comes after its idle timeout, or beyond its active timeout, or
 *    a closed TCP flow whose next packet is a SYN or carries data, leaves before that packet,
 *    which starts a new flow (other packets join a closed flow during its linger);
 * 3. when the table is full, the oldest closed flow leaves early, or else the flow idle the
 *    longest is evicted to make room;
 * 4. TCP teardown after the packet is counted: an RST ends the flow at once; the last ACK
 *    after FIN from both sides closes it, and it lingers (step 1);
 * 5. {@link FlowTable.flush} (end of file) empties the table: closed flows first, then oldest
 *    last packet first.
 *
 * The table is driven by packet timestamps, never by the wall clock, so a file gives the same
 * flows however fast it is read; a live capture calls `tick(now)` when no packet comes.
 *
 * Storage: fixed-size state per flow in chunked Float64Array/Uint32Array slabs, an
 * open-addressing hash index (linear probing, backward-shift deletion) and an intrusive LRU
 * list by last packet, all typed arrays: nothing is allocated per packet.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { TcpFlag } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import { detectApp } from './app.js';
import { addPacket, countPacket, finishFlow, initFlow, type PacketFacts } from './features.js';
import { FragmentTracker } from './fragments.js';
import {
  CHUNK_BITS,
  CHUNK_FLOWS,
  CHUNK_MASK,
  D_BYTES,
  D_PKTS,
  DIR_SLOTS,
  Direction,
  EndReason,
  F_CLOSED,
  F_DIR,
  F_END,
  F_FIN_STATE,
  F_FIRST,
  F_ID,
  F_LAST,
  FLOW_BYTES,
  FLOW_SLOTS,
  K_DST,
  K_HASH,
  K_META,
  K_PORTS,
  K_SRC,
  K_VLAN,
  KEY_WORDS,
} from './layout.js';
import { packetFacts } from './packet-facts.js';
import type { ByteMode, EndedFlow, FlowState, FlowTableOptions, FlowTableStats } from './table-types.js';

export type { ByteMode, EndedFlow, FlowState, FlowTableOptions, FlowTableStats } from './table-types.js';

const EMPTY = -1;
/** F_FIN_STATE bit of a closed TCP connection. */
const CLOSED = 4;

export class FlowTable {
  readonly idleUs: number;
  readonly activeUs: number;
  readonly tcpTeardown: boolean;
  private readonly rstLinger: boolean;
  /** RSTs close flows with the linger (option `rstLinger`). */
  get rstLingers(): boolean {
    return this.rstLinger;
  }
  readonly byteMode: ByteMode;
  readonly maxFlows: number;
  private readonly app: boolean;
  private readonly features: boolean;
  private readonly onFlow: ((flow: EndedFlow) => void) | undefined;

  /** Flow state slabs: chunk c holds flows c * CHUNK_FLOWS ... */
  readonly fchunks: Float64Array[] = [];
  readonly kchunks: Uint32Array[] = [];
  private capacity = 0;
  private nextSlot = 0;
  private freeList = new Int32Array(64);
  private freeCount = 0;
  // LRU by last packet: head is the oldest
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private head = EMPTY;
  private tail = EMPTY;
  // closed TCP flows, in the order they closed (with one linger time, also their deadline order)
  private closedHead = EMPTY;
  private closedTail = EMPTY;
  readonly lingerUs: number;
  // hash index: bucket i is index[2i] = slot (EMPTY when free), index[2i + 1] = the key's
  // hash, so that a probe compares hashes in the index without reading the key slab (a cache
  // miss per probe; most lookups in a scan are misses that end at an empty bucket)
  private index = new Int32Array(2 * 1024).fill(EMPTY);
  private indexMask = 1023;
  private count = 0;
  private nextId = 1;
  private readonly frags: FragmentTracker;
  private readonly key = new Uint32Array(KEY_WORDS);
  private readonly facts: PacketFacts = { ts: 0, bytes: 0, payload: 0, header: 0, flags: 0, window: -1 };
  private readonly state: FlowState = {
    id: 0,
    slot: 0,
    direction: 0,
    isNew: false,
    toServerPackets: 0,
    toServerBytes: 0,
    toClientPackets: 0,
    toClientBytes: 0,
    startUs: 0,
    lastUs: 0,
    closed: false,
    ended: false,
  };
  private readonly ended: EndedFlow = { table: this, slot: 0, reason: 0 };
  private readonly counters = { packets: 0, skipped: 0, evicted: 0, peak: 0 };
  private readonly endedBy = [0, 0, 0, 0, 0, 0];

  constructor(opts: FlowTableOptions = {}) {
    const idle = opts.idleTimeout ?? 120;
    const active = opts.activeTimeout ?? 1800;
    const max = opts.maxFlows ?? 1_000_000;
    if (!(idle > 0) || !(active > 0) || !Number.isFinite(idle) || !Number.isFinite(active)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `timeouts must be positive numbers of seconds (idle ${idle}, active ${active})`,
      );
    }
    if (!Number.isInteger(max) || max < 1 || max > 50_000_000) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `maxFlows must be an integer from 1 to 50,000,000, not ${max}`,
      );
    }
    const mode = opts.bytes ?? 'link';
    if (mode !== 'link' && mode !== 'ip' && mode !== 'payload') {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `bytes must be link, ip or payload, not ${String(mode)}`,
      );
    }
    this.idleUs = Math.round(idle * 1e6);
    this.activeUs = Math.round(active * 1e6);
    this.tcpTeardown = opts.tcpTeardown ?? true;
    this.rstLinger = opts.rstLinger ?? false;
    const linger = opts.closeLinger ?? 2;
    if (!(linger >= 0) || !Number.isFinite(linger)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `closeLinger must be 0 or more seconds, not ${linger}`,
      );
    }
    this.lingerUs = Math.round(linger * 1e6);
    this.byteMode = mode;
    this.maxFlows = max;
    this.app = opts.detectApp ?? true;
    this.features = opts.features ?? true;
    this.onFlow = opts.onFlow;
    this.frags = new FragmentTracker(opts.fragmentSlots ?? 4096);
  }

  /** Flows in the table now. */
  get size(): number {
    return this.count;
  }

  /** The float64 slab holding `slot` and the slot's first index in it. */
  floats(slot: number): Float64Array {
    return this.fchunks[slot >>> CHUNK_BITS];
  }
  /** Index of `slot`'s first float64 in {@link floats}. */
  static base(slot: number): number {
    return (slot & CHUNK_MASK) * FLOW_SLOTS;
  }
  keys(slot: number): Uint32Array {
    return this.kchunks[slot >>> CHUNK_BITS];
  }
  static keyBase(slot: number): number {
    return (slot & CHUNK_MASK) * KEY_WORDS;
  }

  /**
   * Counts one decoded packet into its flow and returns the flow, or null for a packet that
   * belongs to no flow (not IP). Flows that end on the way are handed to `onFlow` first.
   */
  update(p: Packet): FlowState | null {
    this.counters.packets++;
    const k = this.key;
    const f = this.facts;
    const ip = packetFacts(p, this.byteMode, this.frags, k, f);
    if (ip === null) {
      this.counters.skipped++;
      return null;
    }
    const ts = f.ts;
    this.expireIdle(ts);

    let slot = this.find(k);
    let dir = 0;
    if (slot >= 0) {
      const F = this.floats(slot);
      const b = FlowTable.base(slot);
      const fin = F[b + F_FIN_STATE];
      if (fin >= CLOSED) {
        // a closed connection: stray packets join it, a SYN or data is a new connection
        if ((f.flags & TcpFlag.SYN) !== 0 || f.payload > 0) {
          this.end(slot, F[b + F_END]);
          slot = -1;
        } else {
          dir = this.matchDir;
        }
      } else if (ts - F[b + F_LAST] >= this.idleUs) {
        this.end(slot, EndReason.IDLE);
        slot = -1;
      } else if (ts - F[b + F_FIRST] >= this.activeUs) {
        this.end(slot, EndReason.ACTIVE);
        slot = -1;
      } else {
        dir = this.matchDir;
      }
    }
    const st = this.state;
    st.isNew = slot < 0;
    if (slot < 0) {
      // a flow first seen at its SYN-ACK: the sender is the server, turn the key around
      const synAck = (f.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
      slot = this.insert(k, ts, synAck);
      dir = synAck ? Direction.TO_CLIENT : Direction.TO_SERVER;
    }
    const F = this.floats(slot);
    const b = FlowTable.base(slot);
    const was = F[b + F_FIN_STATE];
    if (!st.isNew && was < CLOSED) this.touch(slot);
    if (this.features) addPacket(F, b, dir, f);
    else countPacket(F, b, dir, f);
    if (this.app && f.payload > 0 && ip.payloadCapLen > 0) detectApp(F, b, ip);

    let ended = false;
    if (this.tcpTeardown && was < CLOSED && (f.flags & (TcpFlag.FIN | TcpFlag.RST | TcpFlag.ACK)) !== 0) {
      if ((f.flags & TcpFlag.RST) !== 0 && this.rstLinger) {
        this.close(slot, ts, EndReason.RST);
      } else if ((f.flags & TcpFlag.RST) !== 0) {
        ended = true;
        // an RST ends the flow at once: what follows one is rare, and scans send RSTs by the
        // thousand, whose flows would crowd the table for the linger
        this.end(slot, EndReason.RST);
      } else if ((f.flags & TcpFlag.FIN) !== 0) {
        F[b + F_FIN_STATE] = was | (dir === 0 ? 1 : 2);
      } else if (was === 3) {
        // the ACK of the last FIN closes the connection
        this.close(slot, ts, EndReason.FIN);
      }
    }

    st.id = F[b + F_ID];
    st.slot = slot;
    st.direction = dir;
    st.toServerPackets = F[b + F_DIR + D_PKTS];
    st.toServerBytes = F[b + F_DIR + D_BYTES];
    st.toClientPackets = F[b + F_DIR + DIR_SLOTS + D_PKTS];
    st.toClientBytes = F[b + F_DIR + DIR_SLOTS + D_BYTES];
    st.startUs = F[b + F_FIRST];
    st.lastUs = F[b + F_LAST];
    st.closed = ended || F[b + F_FIN_STATE] >= CLOSED;
    st.ended = ended;
    return st;
  }

  /** Ends every flow idle for the idle timeout at time `nowUs` (µs): for live capture. */
  tick(nowUs: number): void {
    this.expireIdle(nowUs);
  }

  /** Ends every flow still in the table (end of input): closed ones first, then oldest last packet first. */
  flush(): void {
    while (this.closedHead !== EMPTY) {
      const h = this.closedHead;
      this.end(h, this.floats(h)[FlowTable.base(h) + F_END]);
    }
    while (this.head !== EMPTY) this.end(this.head, EndReason.FLUSH);
  }

  /**
   * Calls `fn` with the slot of every flow in the table now: closed TCP flows first (in the
   * order they closed), then the others, oldest last packet first. For readers (monitors,
   * snapshots), not the packet path; `fn` must not update the table.
   */
  forEachFlow(fn: (slot: number) => void): void {
    for (let s = this.closedHead; s !== EMPTY; s = this.next[s]) fn(s);
    for (let s = this.head; s !== EMPTY; s = this.next[s]) fn(s);
  }

  stats(): FlowTableStats {
    const e = this.endedBy;
    return {
      packets: this.counters.packets,
      skipped: this.counters.skipped,
      flows: this.nextId - 1,
      active: this.count,
      peakActive: this.counters.peak,
      evicted: this.counters.evicted,
      ended: { idle: e[0], active: e[1], fin: e[2], rst: e[3], evicted: e[4], end: e[5] },
      fragmentsAttributed: this.frags.attributed,
      fragmentsUnattributed: this.frags.unattributed,
      bytesPerFlow: FLOW_BYTES,
      bytesHeld: this.bytesHeld(),
    };
  }

  private bytesHeld(): number {
    return (
      this.capacity * (FLOW_SLOTS * 8 + KEY_WORDS * 4) +
      this.prev.byteLength * 2 +
      this.index.byteLength +
      this.freeList.byteLength +
      this.frags.bytes
    );
  }

  // ---- internals -----------------------------------------------------------------------------

  private expireIdle(now: number): void {
    const linger = this.lingerUs;
    while (this.closedHead !== EMPTY) {
      const h = this.closedHead;
      const F = this.floats(h);
      const b = FlowTable.base(h);
      if (now - F[b + F_CLOSED] < linger) break;
      this.end(h, F[b + F_END]);
    }
    const idle = this.idleUs;
    while (this.head !== EMPTY) {
      const h = this.head;
      if (now - this.floats(h)[FlowTable.base(h) + F_LAST] < idle) break;
      this.end(h, EndReason.IDLE);
    }
  }

  /** Direction of the last successful {@link find}: 0 as stored, 1 reversed. */
  private matchDir = 0;

  private find(k: Uint32Array): number {
    const h = k[K_HASH];
    const hi = h | 0;
    const idx = this.index;
    const mask = this.indexMask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = idx[2 * i];
      if (s === EMPTY) return -1;
      if (idx[2 * i + 1] !== hi) continue;
      const K = this.kchunks[s >>> CHUNK_BITS];
      const o = (s & CHUNK_MASK) * KEY_WORDS;
      if (K[o + K_META] !== k[K_META] || K[o + K_VLAN] !== k[K_VLAN]) continue;
      const ports = k[K_PORTS];
      if (
        K[o + K_PORTS] === ports &&
        K[o + K_SRC] === k[K_SRC] &&
        K[o + K_DST] === k[K_DST] &&
        K[o + K_SRC + 1] === k[K_SRC + 1] &&
        K[o + K_SRC + 2] === k[K_SRC + 2] &&
        K[o + K_SRC + 3] === k[K_SRC + 3] &&
        K[o + K_DST + 1] === k[K_DST + 1] &&
        K[o + K_DST + 2] === k[K_DST + 2] &&
        K[o + K_DST + 3] === k[K_DST + 3]
      ) {
        this.matchDir = 0;
        return s;
      }
      const rev = ((ports << 16) | (ports >>> 16)) >>> 0;
      if (
        K[o + K_PORTS] === rev &&
        K[o + K_SRC] === k[K_DST] &&
        K[o + K_DST] === k[K_SRC] &&
        K[o + K_SRC + 1] === k[K_DST + 1] &&
        K[o + K_SRC + 2] === k[K_DST + 2] &&
        K[o + K_SRC + 3] === k[K_DST + 3] &&
        K[o + K_DST + 1] === k[K_SRC + 1] &&
        K[o + K_DST + 2] === k[K_SRC + 2] &&
        K[o + K_DST + 3] === k[K_SRC + 3]
      ) {
        this.matchDir = 1;
        return s;
      }
    }
  }

  private insert(k: Uint32Array, ts: number, reversed: boolean): number {
    if (this.count >= this.maxFlows) {
      if (this.closedHead !== EMPTY) {
        // a closed connection is done: it leaves before its linger rather than a live flow
        const h = this.closedHead;
        this.end(h, this.floats(h)[FlowTable.base(h) + F_END]);
      } else {
        this.counters.evicted++;
        this.end(this.head, EndReason.EVICTED);
      }
    }
    const slot = this.allocSlot();
    const K = this.kchunks[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * KEY_WORDS;
    K[o + K_HASH] = k[K_HASH];
    K[o + K_META] = k[K_META];
    K[o + K_VLAN] = k[K_VLAN];
    const s = reversed ? K_DST : K_SRC;
    const d = reversed ? K_SRC : K_DST;
    for (let i = 0; i < 4; i++) {
      K[o + K_SRC + i] = k[s + i];
      K[o + K_DST + i] = k[d + i];
    }
    const ports = k[K_PORTS];
    K[o + K_PORTS] = reversed ? ((ports << 16) | (ports >>> 16)) >>> 0 : ports;
    initFlow(this.fchunks[slot >>> CHUNK_BITS], FlowTable.base(slot), this.nextId++, ts);
    // index
    if ((this.count + 1) * 4 > this.index.length) this.growIndex();
    this.indexPut(slot, k[K_HASH]);
    this.count++;
    if (this.count > this.counters.peak) this.counters.peak = this.count;
    // LRU: append at the tail
    this.prev[slot] = this.tail;
    this.next[slot] = EMPTY;
    if (this.tail !== EMPTY) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
    return slot;
  }

  private indexPut(slot: number, h: number): void {
    const idx = this.index;
    const mask = this.indexMask;
    let i = h & mask;
    while (idx[2 * i] !== EMPTY) i = (i + 1) & mask;
    idx[2 * i] = slot;
    idx[2 * i + 1] = h | 0;
  }

  private growIndex(): void {
    const old = this.index;
    const buckets = old.length; // twice as many as before
    this.index = new Int32Array(2 * buckets).fill(EMPTY);
    this.indexMask = buckets - 1;
    for (let i = 0; i < old.length; i += 2) {
      const s = old[i];
      if (s !== EMPTY) this.indexPut(s, old[i + 1] >>> 0);
    }
  }

  private indexRemove(slot: number): void {
    const idx = this.index;
    const mask = this.indexMask;
    const h = this.kchunks[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * KEY_WORDS + K_HASH];
    let i = h & mask;
    while (idx[2 * i] !== slot) {
      if (idx[2 * i] === EMPTY) throw new SentraError(ErrorCodes.INTERNAL, 'flow index lost a flow');
      i = (i + 1) & mask;
    }
    // backward-shift deletion keeps every probe chain unbroken
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const s = idx[2 * j];
      if (s === EMPTY) break;
      const home = idx[2 * j + 1] & mask;
      // move s back to i if its home is not in (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        idx[2 * i] = s;
        idx[2 * i + 1] = idx[2 * j + 1];
        i = j;
      }
    }
    idx[2 * i] = EMPTY;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeList[--this.freeCount];
    if (this.nextSlot >= this.capacity) {
      this.fchunks.push(new Float64Array(CHUNK_FLOWS * FLOW_SLOTS));
      this.kchunks.push(new Uint32Array(CHUNK_FLOWS * KEY_WORDS));
      this.capacity += CHUNK_FLOWS;
      if (this.prev.length < this.capacity) {
        // the LRU links grow by doubling: growing by one chunk each time would copy O(n^2)
        const size = Math.max(this.capacity, this.prev.length * 2);
        const prev = new Int32Array(size);
        prev.set(this.prev);
        this.prev = prev;
        const next = new Int32Array(size);
        next.set(this.next);
        this.next = next;
      }
    }
    return this.nextSlot++;
  }

  private touch(slot: number): void {
    if (slot === this.tail) return;
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p !== EMPTY) this.next[p] = n;
    else this.head = n;
    this.prev[n] = p;
    this.prev[slot] = this.tail;
    this.next[slot] = EMPTY;
    this.next[this.tail] = slot;
    this.tail = slot;
  }

  /** Moves a flow whose TCP connection closed from the LRU list to the closed list. */
  private close(slot: number, ts: number, reason: number): void {
    const F = this.floats(slot);
    const b = FlowTable.base(slot);
    this.unlink(slot);
    F[b + F_FIN_STATE] = F[b + F_FIN_STATE] | CLOSED;
    F[b + F_CLOSED] = ts;
    F[b + F_END] = reason;
    this.prev[slot] = this.closedTail;
    this.next[slot] = EMPTY;
    if (this.closedTail !== EMPTY) this.next[this.closedTail] = slot;
    else this.closedHead = slot;
    this.closedTail = slot;
  }

  /** Takes a flow out of the list it is in (the closed list or the LRU list). */
  private unlink(slot: number): void {
    const closed = this.floats(slot)[FlowTable.base(slot) + F_FIN_STATE] >= CLOSED;
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p !== EMPTY) this.next[p] = n;
    else if (closed) this.closedHead = n;
    else this.head = n;
    if (n !== EMPTY) this.prev[n] = p;
    else if (closed) this.closedTail = p;
    else this.tail = p;
  }

  private end(slot: number, reason: number): void {
    const F = this.floats(slot);
    const b = FlowTable.base(slot);
    if (this.features) finishFlow(F, b);
    F[b + F_END] = reason;
    this.endedBy[reason]++;
    if (this.onFlow !== undefined) {
      this.ended.slot = slot;
      this.ended.reason = reason;
      this.onFlow(this.ended);
    }
    this.unlink(slot);
    this.indexRemove(slot);
    this.count--;
    if (this.freeCount === this.freeList.length) {
      const bigger = new Int32Array(this.freeList.length * 2);
      bigger.set(this.freeList);
      this.freeList = bigger;
    }
    this.freeList[this.freeCount++] = slot;
  }
}
