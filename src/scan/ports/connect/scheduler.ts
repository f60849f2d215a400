/**
 * The probe scheduler of the connect scan: a fixed table of slots (one per connection in
 * flight), a queue of port indexes, adaptive timeouts from the shared RTT estimate, retries
 * for silent ports and a congestion window that grows while answers come and shrinks when
 * they stop. The connection itself is made by a {@link Connector} (Node's TCP handle, or
 * `net.Socket` as a fallback), so that the bookkeeping per probe is typed arrays only.
 */
import { PortStateCode } from '../../types.js';
import type { PortScanJob } from '../strategy.js';

/** What became of one connection attempt. */
export const Outcome = {
  /** Connected: the port is open. */
  OPEN: 0,
  /** Reset: the port is closed. */
  REFUSED: 1,
  /** ICMP unreachable (host, net, admin prohibited): filtered, no retry. */
  UNREACHABLE: 2,
  /** Nothing came back in time: retried, then filtered. */
  SILENT: 3,
  /** A local limit (file descriptors, ephemeral ports, buffers): tried again, not counted. */
  LOCAL_LIMIT: 4,
  /** The connect was started and will complete later through `complete()`. */
  PENDING: -1,
} as const;

export interface CompletionSink {
  /** Reports the end of the attempt in `slot` that was started with generation `gen`. */
  complete(slot: number, gen: number, outcome: number): void;
}

/** Makes connections; one instance per scan. */
export interface Connector {
  /** Starts a connection for `slot`; returns {@link Outcome.PENDING} or an outcome known at once. */
  start(slot: number, gen: number, port: number): number;
  /** Abandons the attempt in `slot` (timeout or stop); must not call `complete` for it afterwards. */
  cancel(slot: number): void;
}

/** Maps a libuv/errno error name to an outcome. */
export function outcomeForErrno(code: string | undefined): number {
  switch (code) {
    case 'ECONNREFUSED':
      return Outcome.REFUSED;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EACCES':
    case 'EPERM':
    case 'EHOSTDOWN':
      return Outcome.UNREACHABLE;
    case 'EADDRNOTAVAIL':
    case 'EMFILE':
    case 'ENFILE':
    case 'ENOBUFS':
    case 'EAGAIN':
    case 'ENOMEM':
      return Outcome.LOCAL_LIMIT;
    default:
      // ETIMEDOUT (kernel gave up), ECONNRESET during handshake, ...: no clear answer
      return Outcome.SILENT;
  }
}

const SWEEP_MS = 10;
const MIN_WINDOW = 16;

export class ConnectScheduler implements CompletionSink {
  private readonly job: PortScanJob;
  private connector!: Connector;
  private readonly n: number;
  private readonly tries: Uint8Array;
  private readonly queue: Int32Array;
  private qHead = 0;
  private qLen = 0;
  private readonly slotPort: Int32Array;
  private readonly slotGen: Uint32Array;
  private readonly slotStart: Float64Array;
  private readonly freeSlots: Int32Array;
  private freeTop = 0;
  private inflight = 0;
  private window: number;
  private maxWindow: number;
  private decided = 0;
  private answered = 0;
  private lastShrink = 0;
  private finished = false;
  private timer: NodeJS.Timeout | null = null;
  private resolveDone: (() => void) | null = null;
  private readonly sweepBound = () => this.sweep();
  private readonly scheduleSweepBound = () => setImmediate(this.sweepBound);

  constructor(job: PortScanJob) {
    this.job = job;
    this.n = job.ports.length;
    this.tries = new Uint8Array(this.n);
    this.queue = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) {
      if (job.states[i] === PortStateCode.PENDING) this.queue[this.qLen++] = i;
      else this.decided++;
    }
    const slots = Math.max(1, job.maxConcurrency);
    this.slotPort = new Int32Array(slots).fill(-1);
    this.slotGen = new Uint32Array(slots);
    this.slotStart = new Float64Array(slots);
    this.freeSlots = new Int32Array(slots);
    for (let i = slots - 1; i >= 0; i--) this.freeSlots[this.freeTop++] = i;
    this.maxWindow = slots;
    this.window = Math.min(slots, 256);
  }

  /** Runs the scan with `connector` until every port is decided, the deadline passes, or abort. */
  run(connector: Connector): Promise<void> {
    this.connector = connector;
    return new Promise<void>((resolve) => {
      this.resolveDone = resolve;
      this.timer = setInterval(this.scheduleSweepBound, SWEEP_MS);
      this.pump();
      this.checkDone();
    });
  }

  complete(slot: number, gen: number, outcome: number): void {
    if (this.finished || this.slotGen[slot] !== gen || this.slotPort[slot] < 0) return;
    const idx = this.slotPort[slot];
    const rtt = performance.now() - this.slotStart[slot];
    this.releaseSlot(slot);
    this.settle(idx, outcome, rtt);
    this.pump();
    this.checkDone();
  }

  private releaseSlot(slot: number): void {
    this.slotPort[slot] = -1;
    this.slotGen[slot]++;
    this.freeSlots[this.freeTop++] = slot;
    this.inflight--;
  }

  private settle(idx: number, outcome: number, rtt: number): void {
    const job = this.job;
    switch (outcome) {
      case Outcome.OPEN:
      case Outcome.REFUSED:
        job.rtt.sample(rtt);
        this.answered++;
        if (this.window < this.maxWindow) this.window++;
        job.states[idx] = outcome === Outcome.OPEN ? PortStateCode.OPEN : PortStateCode.CLOSED;
        this.decided++;
        return;
      case Outcome.UNREACHABLE:
        job.states[idx] = PortStateCode.FILTERED;
        this.decided++;
        return;
      case Outcome.LOCAL_LIMIT:
        // not the target's answer: try again later without spending a retry, with fewer in flight
        this.tries[idx]--;
        this.maxWindow = Math.max(MIN_WINDOW, Math.min(this.maxWindow, this.inflight));
        this.window = Math.min(this.window, this.maxWindow);
        this.enqueue(idx);
        return;
      default: {
        // silent: retry while tries remain; a silent port on a host that answers elsewhere
        // hints at loss from sending too fast, so the window shrinks (once per timeout period)
        const now = performance.now();
        if (this.answered > 0 && now - this.lastShrink > job.rtt.timeout()) {
          this.lastShrink = now;
          this.window = Math.max(MIN_WINDOW, Math.floor(this.window * 0.7));
        }
        if (this.tries[idx] <= job.retries) {
          job.stats.retries++;
          this.enqueue(idx);
        } else {
          job.states[idx] = PortStateCode.FILTERED;
          this.decided++;
        }
      }
    }
  }

  private enqueue(idx: number): void {
    this.queue[(this.qHead + this.qLen) % this.n] = idx;
    this.qLen++;
  }

  private pump(): void {
    const job = this.job;
    while (!this.finished && this.qLen > 0 && this.inflight < this.window && this.freeTop > 0) {
      const idx = this.queue[this.qHead];
      this.qHead = (this.qHead + 1) % this.n;
      this.qLen--;
      const slot = this.freeSlots[--this.freeTop];
      this.slotPort[slot] = idx;
      this.slotStart[slot] = performance.now();
      this.inflight++;
      this.tries[idx]++;
      job.stats.probes++;
      const r = this.connector.start(slot, this.slotGen[slot], job.ports[idx]);
      if (r !== Outcome.PENDING) {
        const rtt = performance.now() - this.slotStart[slot];
        this.releaseSlot(slot);
        this.settle(idx, r, rtt);
        // out of local resources: resume on the next completion or sweep
        if (r === Outcome.LOCAL_LIMIT) return;
      }
    }
  }

  private sweep(): void {
    if (this.finished) return;
    const job = this.job;
    const now = performance.now();
    if (now >= job.deadline || job.signal?.aborted) {
      this.stop();
      return;
    }
    const timeout = job.rtt.timeout();
    for (let s = 0; s < this.slotPort.length; s++) {
      const idx = this.slotPort[s];
      if (idx < 0 || now - this.slotStart[s] < timeout) continue;
      this.connector.cancel(s);
      this.releaseSlot(s);
      this.settle(idx, Outcome.SILENT, 0);
    }
    this.pump();
    job.onProgress?.(this.decided);
    this.checkDone();
  }

  private checkDone(): void {
    if (!this.finished && this.decided >= this.n) this.stop();
  }

  private stop(): void {
    if (this.finished) return;
    for (let s = 0; s < this.slotPort.length; s++) {
      if (this.slotPort[s] >= 0) {
        this.connector.cancel(s);
        this.releaseSlot(s);
      }
    }
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    this.job.onProgress?.(this.decided);
    this.resolveDone?.();
  }
}
