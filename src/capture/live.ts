/**
 * Live capture on one interface through libpcap.
 *
 * ```ts
 * const cap = LiveCapture.open('eth0', { filter: 'tcp port 443', immediate: true });
 * cap.on('error', (e) => console.error(e.message));
 * cap.onPacket((rec) => { total += rec.origLen; });   // rec is reused: copy what you keep
 * // ... later
 * console.log(cap.stats());
 * cap.close();
 * ```
 *
 * A thread in the addon reads the kernel's ring and copies packets into a few batch buffers
 * shared with JS; each batch reaches JS as one event-loop callback, which walks it and fills
 * one reused {@link PacketRecord} per packet. Nothing is allocated per packet except the
 * `data` subarray view. Node's event loop never blocks on the interface.
 */
import { EventEmitter } from 'node:events';
import { ErrorCodes, SentraError } from '../errors.js';
import { newPacketRecord, type PacketRecord } from '../packet/record.js';
import { loadPcapAddon, type NativeHandle, type PcapAddon } from './addon.js';
import { dltToLinkType } from './link-type.js';
import { fromNativeError } from './native-errors.js';

/** Options of {@link LiveCapture.open}. Every field is optional. */
export interface LiveCaptureOptions {
  /** Bytes kept of each packet, 1-262144 (default 262144, the whole packet, as tcpdump). */
  snaplen?: number;
  /** Promiscuous mode: also see frames addressed to other hosts (default true, as tcpdump). */
  promisc?: boolean;
  /**
   * Immediate mode: deliver each packet as soon as it arrives instead of when the kernel's
   * block fills or `timeoutMs` passes (default false). Costs more CPU under load.
   */
  immediate?: boolean;
  /** A BPF capture filter in tcpdump syntax, compiled by libpcap (e.g. `tcp port 80`). */
  filter?: string;
  /** Size of the kernel's capture buffer in bytes (default 4 MiB; tcpdump's -B is in KiB). */
  bufferSize?: number;
  /** Longest time in ms the kernel holds packets before handing them over (default 100). */
  timeoutMs?: number;
  /** Open the interface inside this network namespace (a name under /run/netns or a path). */
  netns?: string;
  /**
   * Bytes of Sentra's own buffer between the capture thread and JS (default 8 MiB), on top of
   * the kernel's `bufferSize`.
   */
  queueBytes?: number;
  /**
   * What happens when JS falls `queueBytes` behind. true (default): the capture thread waits
   * for JS and packets wait in the kernel's buffer; the kernel drops (`droppedKernel`) only
   * once that is full too. false: the thread keeps draining the kernel and drops packets
   * itself (`droppedBuffer`), so that JS being slow shows apart from the kernel buffer.
   */
  backpressure?: boolean;
  /** Size of one batch handed to JS (default 1 MiB; raised to hold at least one full packet). */
  batchBytes?: number;
  /** Ask for nanosecond timestamps (default true; falls back to microseconds, scaled). */
  nanosecond?: boolean;
}

/** Counters of a capture. Kernel counters are 32-bit in libpcap and may wrap. */
export interface CaptureStats {
  /** Packets the kernel passed to this capture (libpcap's ps_recv; on Linux it includes the
   * packets the kernel then dropped, and on `lo` outgoing packets are counted twice). */
  received: number;
  /** Packets the kernel dropped because the capture buffer was full (ps_drop). */
  droppedKernel: number;
  /** Packets the interface or its driver dropped (ps_ifdrop; from /proc/net/dev on Linux). */
  droppedInterface: number;
  /** Packets dropped by Sentra's own buffer because JS had not consumed earlier batches
   * (only with `backpressure: false`). */
  droppedBuffer: number;
  /** Times the capture thread had to wait for JS to consume a batch (with backpressure). */
  waitedForJs: number;
  /** Packets the capture thread read from the kernel (then delivered, still queued, or dropped
   * by Sentra's buffer). */
  captured: number;
  /** Packets handed to the `onPacket` callback. */
  delivered: number;
}

/** Events: `error` (a SentraError; the capture is closed), `close`. */
export interface LiveCaptureEvents {
  error: [SentraError];
  close: [];
}

const RECORD_HEADER = 16;
const DEFAULTS = {
  snaplen: 262144,
  promisc: true,
  immediate: false,
  bufferSize: 4 * 1024 * 1024,
  timeoutMs: 100,
  queueBytes: 8 * 1024 * 1024,
  batchBytes: 1024 * 1024,
  nanosecond: true,
  backpressure: true,
};

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `option ${name} must be a whole number from ${min} to ${max} (got ${String(v)})`,
      { details: { option: name, value: v } },
    );
  }
  return v;
}

function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `option ${name} must be true or false`, {
      details: { option: name, value: v },
    });
  }
  return v;
}

/** Rejects what cannot be an interface or namespace name before it reaches C. */
function checkName(what: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255 || v.includes('\0')) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `${what} must be a non-empty name`, {
      details: { [what]: v },
    });
  }
  return v;
}

/** One open libpcap handle. Create with {@link LiveCapture.open}. */
export class LiveCapture extends EventEmitter<LiveCaptureEvents> {
  /** The interface name given to `open`. */
  readonly interface: string;
  /** Network namespace the interface lives in, if it was opened inside one. */
  readonly netns: string | undefined;
  /** LINKTYPE_* of the captured frames (1 = Ethernet); see `LinkType`. */
  readonly linkType: number;
  /** True when libpcap delivers nanosecond timestamps (otherwise microseconds x 1000). */
  readonly nanosecond: boolean;
  /** Bytes kept of each packet. */
  readonly snaplen: number;
  /** libpcap's warning from activation (e.g. promiscuous mode unsupported), or ''. */
  readonly warning: string;

  private readonly addon: PcapAddon;
  private readonly handle: NativeHandle;
  private readonly opts: Required<Omit<LiveCaptureOptions, 'filter' | 'netns'>>;
  private currentFilter: string | undefined;
  private callback: ((rec: PacketRecord) => void) | undefined;
  private started = false;
  private closed = false;
  private delivered = 0;
  private lastStats: CaptureStats | undefined;
  private u8: Uint8Array[] = [];
  private u32: Uint32Array[] = [];
  private readonly record: PacketRecord;

  private constructor(
    addon: PcapAddon,
    iface: string,
    opened: { handle: NativeHandle; linkType: number; nano: boolean; warning: string },
    opts: Required<Omit<LiveCaptureOptions, 'filter' | 'netns'>>,
    netns: string | undefined,
  ) {
    super();
    this.addon = addon;
    this.handle = opened.handle;
    this.interface = iface;
    this.netns = netns;
    this.linkType = dltToLinkType(opened.linkType);
    this.nanosecond = opened.nano;
    this.warning = opened.warning;
    this.snaplen = opts.snaplen;
    this.opts = opts;
    this.record = newPacketRecord();
    this.record.linkType = this.linkType;
  }

  /**
   * Opens `iface` (e.g. `eth0`, `any`) and starts the kernel buffering its packets; they reach
   * JS once {@link onPacket} is called.
   *
   * @throws SentraError NOT_FOUND (no such interface or namespace), PERMISSION_DENIED (not root
   *   and no CAP_NET_RAW), FILTER_SYNTAX (libpcap rejected `filter`), CAPTURE_OPEN_FAILED,
   *   INVALID_ARGUMENT, CAPTURE_UNAVAILABLE (libpcap or the addon is missing).
   */
  static open(iface: string, options: LiveCaptureOptions = {}): LiveCapture {
    checkName('interface', iface);
    const o = { ...DEFAULTS };
    if (options.snaplen !== undefined) o.snaplen = checkInt('snaplen', options.snaplen, 1, 262144);
    if (options.promisc !== undefined) o.promisc = checkBool('promisc', options.promisc);
    if (options.immediate !== undefined) o.immediate = checkBool('immediate', options.immediate);
    if (options.bufferSize !== undefined)
      o.bufferSize = checkInt('bufferSize', options.bufferSize, 65536, 2 ** 31 - 1);
    if (options.timeoutMs !== undefined) o.timeoutMs = checkInt('timeoutMs', options.timeoutMs, 1, 60_000);
    if (options.queueBytes !== undefined)
      o.queueBytes = checkInt('queueBytes', options.queueBytes, 65536, 2 ** 31 - 1);
    if (options.batchBytes !== undefined)
      o.batchBytes = checkInt('batchBytes', options.batchBytes, 4096, 256 * 1024 * 1024);
    if (options.nanosecond !== undefined) o.nanosecond = checkBool('nanosecond', options.nanosecond);
    if (options.backpressure !== undefined) o.backpressure = checkBool('backpressure', options.backpressure);
    const netns = options.netns === undefined ? undefined : checkName('netns', options.netns);
    if (options.filter !== undefined && typeof options.filter !== 'string') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'option filter must be a string');
    }

    const addon = loadPcapAddon();
    let opened: ReturnType<PcapAddon['open']>;
    try {
      opened = addon.open(iface, {
        snaplen: o.snaplen,
        promisc: o.promisc,
        immediate: o.immediate,
        bufferSize: o.bufferSize,
        timeoutMs: o.timeoutMs,
        nano: o.nanosecond,
        netns,
      });
    } catch (e) {
      throw fromNativeError(e, { op: 'open', interface: iface, netns });
    }
    const cap = new LiveCapture(addon, iface, opened, o, netns);
    if (options.filter !== undefined && options.filter.trim() !== '') {
      try {
        cap.setFilter(options.filter);
      } catch (e) {
        cap.close();
        throw e;
      }
    }
    return cap;
  }

  /** The filter in force, or undefined when every packet is captured. */
  get filter(): string | undefined {
    return this.currentFilter;
  }

  /** True once {@link close} ran (or an error closed the capture). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Replaces the capture filter (tcpdump syntax, compiled by libpcap with this interface's
   * link type and netmask). Packets already in the buffers were filtered by the old one.
   * @throws SentraError FILTER_SYNTAX with libpcap's message.
   */
  setFilter(expr: string): void {
    this.assertOpen('setFilter');
    if (typeof expr !== 'string')
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'filter must be a string');
    try {
      this.addon.setFilter(this.handle, expr, true);
    } catch (e) {
      throw fromNativeError(e, {
        op: 'setFilter',
        interface: this.interface,
        netns: this.netns,
        filter: expr,
      });
    }
    this.currentFilter = expr.trim() === '' ? undefined : expr;
  }

  /**
   * Sets the function called for every packet and starts delivery (the first call starts the
   * capture thread; later calls replace the function). The record and its `data` view are
   * reused: they are valid only during the call, so copy (`rec.data.slice()`) what you keep.
   * A callback that throws stops the current batch; the error is emitted as `error`.
   */
  onPacket(cb: (rec: PacketRecord) => void): this {
    this.assertOpen('onPacket');
    if (typeof cb !== 'function')
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'onPacket needs a function');
    this.callback = cb;
    if (!this.started) this.start();
    return this;
  }

  private start(): void {
    const headerAndPacket = RECORD_HEADER + this.opts.snaplen + 8;
    const batch = Math.max(this.opts.batchBytes, headerAndPacket);
    const slots = Math.min(1024, Math.max(2, Math.floor(this.opts.queueBytes / batch)));
    let buffers: ArrayBuffer[];
    try {
      buffers = this.addon.start(this.handle, this.onBatch, slots, batch, this.opts.backpressure);
    } catch (e) {
      this.closed = true;
      throw fromNativeError(e, { op: 'start', interface: this.interface, netns: this.netns });
    }
    this.u8 = buffers.map((b) => new Uint8Array(b));
    this.u32 = buffers.map((b) => new Uint32Array(b, 0, b.byteLength >>> 2));
    this.started = true;
  }

  /** Walks one batch written by native/capture.c (layout documented there). */
  private readonly onBatch = (slot: number, count: number, error?: string): void => {
    if (this.closed) return;
    if (slot < 0) {
      this.fail(
        new SentraError(
          ErrorCodes.CAPTURE_FAILED,
          `capture on interface ${this.interface} stopped: ${error ?? 'unknown error'}`,
          { details: { interface: this.interface, netns: this.netns, libpcap: error } },
        ),
      );
      return;
    }
    const u8 = this.u8[slot];
    const u32 = this.u32[slot];
    const rec = this.record;
    const cb = this.callback;
    if (cb === undefined) return;
    let off = 0;
    let i = 0;
    try {
      for (; i < count; i++) {
        const w = off >>> 2;
        const capLen = u32[w + 2];
        rec.tsSec = u32[w];
        rec.tsNsec = u32[w + 1];
        rec.capLen = capLen;
        rec.origLen = u32[w + 3];
        rec.data = u8.subarray(off + RECORD_HEADER, off + RECORD_HEADER + capLen);
        off += RECORD_HEADER + ((capLen + 3) & ~3);
        cb(rec);
        if (this.closed) {
          i++;
          break;
        }
      }
    } catch (e) {
      i++;
      this.delivered += i;
      const err =
        e instanceof SentraError
          ? e
          : new SentraError(
              ErrorCodes.INTERNAL,
              `the onPacket callback threw: ${(e as Error)?.message ?? e}`,
              {
                cause: e,
              },
            );
      process.nextTick(() => this.emit('error', err));
      return;
    }
    this.delivered += i;
  };

  private fail(err: SentraError): void {
    this.close();
    process.nextTick(() => this.emit('error', err));
  }

  /** Kernel, interface and Sentra counters (the last values once closed). */
  stats(): CaptureStats {
    if (this.closed) {
      const last = this.lastStats ?? {
        received: 0,
        droppedKernel: 0,
        droppedInterface: 0,
        droppedBuffer: 0,
        waitedForJs: 0,
        captured: 0,
        delivered: 0,
      };
      // a callback that closed the capture is counted once its batch loop ends
      return { ...last, delivered: this.delivered };
    }
    let s: ReturnType<PcapAddon['stats']>;
    try {
      s = this.addon.stats(this.handle);
    } catch (e) {
      throw fromNativeError(e, { op: 'stats', interface: this.interface, netns: this.netns });
    }
    return {
      received: s.received,
      droppedKernel: s.droppedKernel,
      droppedInterface: s.droppedInterface,
      droppedBuffer: s.droppedQueue,
      waitedForJs: s.waits,
      captured: s.captured,
      delivered: this.delivered,
    };
  }

  /**
   * Sends one complete link-layer frame (for Ethernet: destination MAC first) out of the
   * interface. Returns the number of bytes sent.
   * @throws SentraError CAPTURE_SEND_FAILED, INVALID_STATE once closed.
   */
  inject(frame: Uint8Array): number {
    this.assertOpen('inject');
    if (!(frame instanceof Uint8Array)) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'inject needs a Uint8Array frame');
    }
    try {
      return this.addon.inject(this.handle, frame);
    } catch (e) {
      throw fromNativeError(e, { op: 'inject', interface: this.interface, netns: this.netns });
    }
  }

  /** Lets the process exit while the capture is open (like `socket.unref()`). */
  unref(): this {
    if (!this.closed) this.addon.ref(this.handle, false);
    return this;
  }

  /** Undoes {@link unref}: an open, started capture keeps the process alive (the default). */
  ref(): this {
    if (!this.closed) this.addon.ref(this.handle, true);
    return this;
  }

  /**
   * Stops the capture thread and closes the libpcap handle. Idempotent. No callback runs
   * after it returns; batches not yet walked are discarded. Emits `close` once.
   */
  close(): void {
    if (this.closed) return;
    try {
      this.lastStats = this.stats();
    } catch {
      /* the handle is failing anyway: keep the counters we have */
    }
    this.closed = true;
    this.addon.close(this.handle);
    process.nextTick(() => this.emit('close'));
  }

  private assertOpen(op: string): void {
    if (this.closed) {
      throw new SentraError(ErrorCodes.INVALID_STATE, `${op}: the capture on ${this.interface} is closed`, {
        details: { interface: this.interface },
      });
    }
  }
}
