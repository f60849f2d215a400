/**
 * The daemon's packet pipeline: packets from a capture file or a live interface go through an
 * {@link IdsEngine} per source (decoding, flows driven by packet time, stream reassembly,
 * signatures) with the analysers plugged in as observers (behavioural detectors: anything
 * implementing the IDS {@link PacketObserver} contract). Every alert goes to the
 * {@link AlertHub}; ended flows to the flow store in batches, packets to the traffic view.
 */
import { LiveCapture } from '../capture/live.js';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import { flowJson } from '../flow/jsonl.js';
import type { EndedFlow } from '../flow/table.js';
import { IdsEngine } from '../ids/engine/engine.js';
import type { EveRecord } from '../ids/eve.js';
import type { RuleSet } from '../ids/match/ruleset.js';
import type { PacketObserver } from '../ids/observer.js';
import { readCapture } from '../packet/file/reader.js';
import type { PacketRecord } from '../packet/record.js';
import type { AlertHub } from './alert-hub.js';
import type { FlowStore } from './storage/records.js';
import type { TrafficView } from './traffic.js';

/** Makes the analysers of one source (fresh state per capture file or live interface). */
export type AnalyserFactory = (source: string) => PacketObserver[];

export interface PipelineOptions {
  hub: AlertHub;
  traffic: TrafficView;
  flows: FlowStore | null;
  idleTimeout: number;
  activeTimeout: number;
  /** The signature rules in force (read at the start of each source). */
  ruleSet: () => RuleSet;
  analysers?: AnalyserFactory[];
}

export interface AnalysisSummary {
  packets: number;
  bytes: number;
  flows: number;
  alerts: number;
  /** The file was damaged: everything before the damage was analysed. */
  damaged: { code: string; message: string } | null;
}

const FLOW_BATCH = 500;

/** One source (a capture file or an interface): its engine (flows, signatures, detectors). */
class Analysis {
  readonly engine: IdsEngine;
  private flowBatch: Array<{ flow: ReturnType<typeof flowJson>; capture: string | null }> = [];
  packets = 0;
  bytes = 0;
  flows = 0;
  alerts = 0;

  constructor(
    readonly name: string,
    private readonly p: Pipeline,
    inIface?: string,
  ) {
    // the recorder sees what the engine decoded: traffic panels and the flow store
    const recorder: PacketObserver = {
      name: 'daemon-recorder',
      attach: () => {},
      onPacket: (pkt) => p.opts.traffic.add(pkt, p.nowSec),
      onFlowEnd: (f) => this.onFlow(f),
    };
    this.engine = new IdsEngine({
      ruleSet: p.opts.ruleSet(),
      observers: [recorder, ...(p.opts.analysers ?? []).flatMap((f) => f(name))],
      onAlert: (rec, info) => {
        this.alerts++;
        p.opts.hub.submit(rec as unknown as EveRecord, {
          source: info.detector ?? 'signature',
          capture: name,
        });
      },
      config: {
        flowIdleTimeout: p.opts.idleTimeout,
        flowActiveTimeout: p.opts.activeTimeout,
        ...(inIface ? { inIface } : {}),
      },
    });
  }

  get activeFlows(): number {
    return this.engine.table.stats().active;
  }

  packet(rec: PacketRecord): void {
    try {
      this.engine.processRecord(rec);
    } catch (e) {
      // one packet the engine cannot handle must not stop the source
      this.p.noteError(this.name, e);
    }
    this.packets++;
    this.bytes += rec.origLen;
    this.p.packets++;
    this.p.bytes += rec.origLen;
  }

  private onFlow(f: EndedFlow): void {
    this.flows++;
    this.p.flowsEnded++;
    if (this.p.opts.flows === null) return;
    this.flowBatch.push({ flow: flowJson(f.table, f.slot), capture: this.name });
    if (this.flowBatch.length >= FLOW_BATCH) this.flushFlows();
  }

  flushFlows(): void {
    if (this.flowBatch.length === 0 || this.p.opts.flows === null) return;
    const batch = this.flowBatch;
    this.flowBatch = [];
    this.p.opts.flows.insert(batch);
  }

  /** Wall-clock tick for live sources: idle flows end even when no packet comes. */
  tick(nowUs: number): void {
    this.engine.tick(nowUs);
    this.flushFlows();
  }

  /** End of input: every open flow ends, analysers report what is pending. */
  finish(): void {
    try {
      this.engine.finish();
    } catch (e) {
      this.p.noteError(this.name, e);
    }
    this.flushFlows();
    void this.engine.close();
  }
}

export interface LiveSource {
  iface: string;
  netns: string | null;
  filter: string;
  started_ms: number;
}

export class Pipeline {
  readonly opts: PipelineOptions;
  /** Wall-clock second, updated by a 1 s timer (no Date.now per packet). */
  nowSec = Math.floor(Date.now() / 1000);
  packets = 0;
  bytes = 0;
  flowsEnded = 0;
  /** Packets whose analysis threw (a bug); the first message is kept. */
  errors = 0;
  firstError: string | null = null;
  private readonly analyses = new Set<Analysis>();
  private live: { cap: LiveCapture; analysis: Analysis; info: LiveSource } | null = null;
  private readonly clock: NodeJS.Timeout;

  constructor(opts: PipelineOptions) {
    this.opts = opts;
    this.clock = setInterval(() => {
      this.nowSec = Math.floor(Date.now() / 1000);
      if (this.live) this.live.analysis.tick(Date.now() * 1000);
    }, 1000);
    this.clock.unref();
  }

  noteError(source: string, e: unknown): void {
    this.errors++;
    this.firstError ??= `${source}: ${(e as Error)?.message ?? String(e)}`;
  }

  /** Flows open now over every source. */
  activeFlows(): number {
    let n = 0;
    for (const a of this.analyses) n += a.activeFlows;
    return n;
  }

  /** Kernel and buffer drops of the live capture. */
  drops(): number {
    if (!this.live) return this.liveDropsBefore;
    const s = this.live.cap.stats();
    return this.liveDropsBefore + s.droppedKernel + s.droppedBuffer + s.droppedInterface;
  }
  private liveDropsBefore = 0;
  /** Why the live capture stopped by itself (interface gone...), if it did. */
  liveError: string | null = null;

  liveSource(): LiveSource | null {
    return this.live?.info ?? null;
  }

  /**
   * Analyses a capture file. `speed` > 0 paces packets at that multiple of their recorded
   * rate (the demo); 0 reads as fast as the disk allows.
   */
  async analyseFile(
    file: string,
    name: string,
    opts: { speed?: number; signal?: AbortSignal; onProgress?: (a: AnalysisSummary) => void } = {},
  ): Promise<AnalysisSummary> {
    const a = new Analysis(name, this);
    this.analyses.add(a);
    let damaged: AnalysisSummary['damaged'] = null;
    const speed = opts.speed ?? 0;
    let firstTs = -1;
    let lastTs = 0;
    const t0 = Date.now();
    try {
      await readCapture(
        file,
        (rec) => {
          if (firstTs < 0) firstTs = rec.tsSec + rec.tsNsec / 1e9;
          lastTs = rec.tsSec + rec.tsNsec / 1e9;
          a.packet(rec);
        },
        {
          signal: opts.signal,
          chunkSize: speed > 0 ? 4096 : undefined,
          beforeRead: () => {
            opts.onProgress?.(summary(a, null));
            if (speed <= 0 || firstTs < 0) return new Promise((r) => setImmediate(r));
            const due = t0 + ((lastTs - firstTs) / speed) * 1000;
            const wait = Math.min(5000, due - Date.now());
            return new Promise((r) => setTimeout(r, Math.max(0, wait)));
          },
        },
      );
    } catch (e) {
      const err = toSentraError(e);
      if (
        err.code === ErrorCodes.PCAP_TRUNCATED ||
        err.code === ErrorCodes.PCAP_CORRUPT ||
        (err.code === ErrorCodes.PCAP_BAD_MAGIC && a.packets > 0)
      ) {
        damaged = { code: err.code, message: err.message };
      } else {
        a.finish();
        this.analyses.delete(a);
        throw err;
      }
    }
    a.finish();
    this.analyses.delete(a);
    return summary(a, damaged);
  }

  /** Starts capturing on `iface` (one live source at a time). */
  startLive(iface: string, opts: { netns?: string | null; filter?: string } = {}): LiveSource {
    if (this.live) {
      throw new SentraError(
        ErrorCodes.INVALID_STATE,
        `already capturing on ${this.live.info.iface}; stop it first`,
      );
    }
    const cap = LiveCapture.open(iface, {
      netns: opts.netns ?? undefined,
      filter: opts.filter || undefined,
      timeoutMs: 100,
    });
    const name = opts.netns ? `${opts.netns}/${iface}` : iface;
    const analysis = new Analysis(name, this, iface);
    this.analyses.add(analysis);
    const info = { iface, netns: opts.netns ?? null, filter: opts.filter ?? '', started_ms: Date.now() };
    this.live = { cap, analysis, info };
    cap.on('error', (e) => {
      this.liveError = `${name}: ${e.message}`;
      this.stopLive();
    });
    cap.onPacket((rec) => analysis.packet(rec));
    return info;
  }

  /** Stops the live capture; its open flows end and are stored. */
  stopLive(): boolean {
    const l = this.live;
    if (!l) return false;
    this.live = null;
    const s = l.cap.stats();
    this.liveDropsBefore += s.droppedKernel + s.droppedBuffer + s.droppedInterface;
    l.cap.close();
    l.analysis.finish();
    this.analyses.delete(l.analysis);
    return true;
  }

  /** Stops everything: live capture first, then the timers. File analyses end on their signal. */
  close(): void {
    this.stopLive();
    clearInterval(this.clock);
  }
}

function summary(a: Analysis, damaged: AnalysisSummary['damaged']): AnalysisSummary {
  return { packets: a.packets, bytes: a.bytes, flows: a.flows, alerts: a.alerts, damaged };
}
