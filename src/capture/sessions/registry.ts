/**
 * Capture sessions, the spec's `capture_*` functions: a live capture whose packets are copied
 * into a bounded {@link PacketRing} (oldest dropped first, counted), from which summaries are
 * decoded and pcap files written on request. Per packet the session only copies the bytes into
 * the preallocated ring: no decoding, no allocation.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { Decoder } from '../../packet/decoder.js';
import { PcapWriter } from '../../packet/file/pcap-writer.js';
import { newPacketRecord } from '../../packet/record.js';
import { LiveCapture, type LiveCaptureOptions } from '../live.js';
import { PacketRing } from '../ring.js';
import { type PacketSummary, summarize } from './summary.js';

export interface CaptureStartOptions extends Omit<LiveCaptureOptions, 'filter'> {
  /** Most packets the session keeps (default 10,000); older ones are dropped and counted. */
  maxPackets?: number;
  /** Most bytes the session keeps (default 32 MiB). */
  maxBytes?: number;
}

/** What `capture_start` and `capture_stop` return, and `captureInfo` reports. */
export interface CaptureSessionInfo {
  /** `capture-<n>`: pass it to the other capture functions. */
  id: string;
  interface: string;
  filter: string;
  netns: string | null;
  /** `running` until `capture_stop`. */
  status: 'running' | 'stopped';
  /** Start time, seconds since the Unix epoch. */
  started_at: number;
  stopped_at: number | null;
  link_type: number;
  /** Packets delivered by the capture (all of them, including those since dropped from the ring). */
  packets_captured: number;
  /** Packets held in the ring now. */
  packets_buffered: number;
  bytes_buffered: number;
  /** Packets dropped from the ring because it was full (the oldest ones). */
  packets_dropped: number;
  /** Packets the kernel dropped (its buffer was full). */
  kernel_dropped: number;
}

/** What `capture_save_pcap` returns. */
export interface CaptureSaveResult {
  id: string;
  filename: string;
  packets: number;
  bytes: number;
}

interface Session {
  id: string;
  capture: LiveCapture;
  ring: PacketRing;
  filter: string;
  startedAt: number;
  stoppedAt: number | null;
  captured: number;
}

const KEEP_STOPPED = 16;

/**
 * The set of capture sessions. The functions below use one shared registry; a program that wants
 * its own (a server per client, tests) makes another.
 */
export class CaptureRegistry {
  private readonly sessions = new Map<string, Session>();
  private next = 1;

  /** `capture_start`: opens `iface` with a tcpdump-syntax `filter` ('' for everything). */
  start(iface: string, filter = '', options: CaptureStartOptions = {}): CaptureSessionInfo {
    if (typeof iface !== 'string' || iface === '') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'capture_start needs an interface name');
    }
    if (typeof filter !== 'string') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'the capture filter must be a string');
    }
    const maxPackets = options.maxPackets ?? 10_000;
    const maxBytes = options.maxBytes ?? 32 << 20;
    const ring = new PacketRing({ maxPackets, maxBytes, overflow: 'drop-oldest' });
    const { maxPackets: _p, maxBytes: _b, ...live } = options;
    const capture = LiveCapture.open(iface, { ...live, filter: filter === '' ? undefined : filter });
    const id = `capture-${this.next++}`;
    const s: Session = {
      id,
      capture,
      ring,
      filter,
      startedAt: Date.now() / 1000,
      stoppedAt: null,
      captured: 0,
    };
    capture.on('error', () => {
      // the capture closed itself (interface gone): keep what was captured, mark it stopped
      if (s.stoppedAt === null) s.stoppedAt = Date.now() / 1000;
    });
    capture.onPacket((rec) => {
      s.captured++;
      ring.push(rec);
    });
    this.sessions.set(id, s);
    this.prune();
    return this.info(id);
  }

  /** `capture_stop`: closes the capture; its packets stay readable and savable. */
  stop(id: string): CaptureSessionInfo {
    const s = this.get(id);
    if (s.stoppedAt === null) {
      s.capture.close();
      s.stoppedAt = Date.now() / 1000;
    }
    return this.info(id);
  }

  /** Counters and state of a session. */
  info(id: string): CaptureSessionInfo {
    const s = this.get(id);
    const st = s.capture.stats();
    return {
      id: s.id,
      interface: s.capture.interface,
      filter: s.filter,
      netns: s.capture.netns ?? null,
      status: s.stoppedAt === null && !s.capture.isClosed ? 'running' : 'stopped',
      started_at: s.startedAt,
      stopped_at: s.stoppedAt,
      link_type: s.capture.linkType,
      packets_captured: s.captured,
      packets_buffered: s.ring.size,
      bytes_buffered: s.ring.bytes,
      packets_dropped: s.ring.dropped,
      kernel_dropped: st.droppedKernel,
    };
  }

  /**
   * `capture_get_packets`: the last `count` packets held (oldest of them first), decoded into
   * summaries. The packets stay in the session (a dashboard can poll the same ring).
   */
  packets(id: string, count = 100): PacketSummary[] {
    const s = this.get(id);
    if (!Number.isInteger(count) || count < 0) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'count must be a whole number >= 0');
    }
    const n = Math.min(count, s.ring.size);
    const first = s.ring.size - n;
    const out: PacketSummary[] = [];
    const rec = newPacketRecord();
    const decoder = new Decoder();
    for (let i = first; i < s.ring.size; i++) {
      s.ring.peek(i, rec);
      out.push(summarize(decoder, rec));
    }
    return out;
  }

  /** `capture_save_pcap`: writes every packet held to a pcap file (nanosecond timestamps). */
  async save(id: string, filename: string): Promise<CaptureSaveResult> {
    const s = this.get(id);
    if (typeof filename !== 'string' || filename === '') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'capture_save_pcap needs a file name');
    }
    return writeRing(s.ring, s.capture, id, filename);
  }

  /** Stops every session and forgets them all. */
  closeAll(): void {
    for (const s of this.sessions.values()) s.capture.close();
    this.sessions.clear();
  }

  /** Ids of the sessions known, running or stopped. */
  ids(): string[] {
    return [...this.sessions.keys()];
  }

  private get(id: string): Session {
    const s = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!s) {
      throw new SentraError(
        ErrorCodes.NOT_FOUND,
        `no capture session ${String(id)} (capture_start returns the id)`,
        {
          details: { id },
        },
      );
    }
    return s;
  }

  /** Forgets the oldest stopped sessions beyond {@link KEEP_STOPPED}, so memory stays bounded. */
  private prune(): void {
    const stopped = [...this.sessions.values()].filter((s) => s.stoppedAt !== null);
    for (let i = 0; i < stopped.length - KEEP_STOPPED; i++) this.sessions.delete(stopped[i].id);
  }
}

/** Writes the packets of a ring to `filename` as pcap; shared with the monitor's export. */
export async function writeRing(
  ring: PacketRing,
  capture: LiveCapture,
  id: string,
  filename: string,
): Promise<CaptureSaveResult> {
  const w = await PcapWriter.open(filename, {
    linkType: capture.linkType,
    nanosecond: true,
    snaplen: capture.snaplen,
  });
  const rec = newPacketRecord();
  for (let i = 0; i < ring.size; i++) {
    ring.peek(i, rec);
    if (!w.write(rec)) await w.drain();
  }
  await w.close();
  return { id, filename, packets: w.packets, bytes: w.bytes };
}

/** The registry behind the functions below. */
export const defaultCaptureRegistry = new CaptureRegistry();

/** Starts a capture session (spec `capture_start(interface, filter)`). */
export function captureStart(iface: string, filter = '', options?: CaptureStartOptions): CaptureSessionInfo {
  return defaultCaptureRegistry.start(iface, filter, options);
}
/** Stops a capture session (spec `capture_stop(captureID)`). */
export function captureStop(id: string): CaptureSessionInfo {
  return defaultCaptureRegistry.stop(id);
}
/** Last `count` packets of a session as summaries (spec `capture_get_packets(captureID, count)`). */
export function captureGetPackets(id: string, count?: number): PacketSummary[] {
  return defaultCaptureRegistry.packets(id, count);
}
/** Saves a session's packets as pcap (spec `capture_save_pcap(captureID, filename)`). */
export function captureSavePcap(id: string, filename: string): Promise<CaptureSaveResult> {
  return defaultCaptureRegistry.save(id, filename);
}
/** Counters and state of a session. */
export function captureInfo(id: string): CaptureSessionInfo {
  return defaultCaptureRegistry.info(id);
}
