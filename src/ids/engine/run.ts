/**
 * Running the engine over a capture file or a live interface: the reader (or LiveCapture)
 * feeding {@link IdsEngine.processRecord}, end-of-input flush, sinks closed.
 */
import type { Readable } from 'node:stream';
import { LiveCapture } from '../../capture/live.js';
import { runLive } from '../../cli/live-run.js';
import { type ReadSummary, readCapture } from '../../packet/file/reader.js';
import { IdsEngine } from './engine.js';
import type { IdsEngineOptions, IdsStats } from './types.js';

export interface CaptureRunOptions extends IdsEngineOptions {
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Stop after this many packets. */
  count?: number;
}

export interface CaptureRunResult {
  stats: IdsStats;
  capture: ReadSummary | null;
  /** The capture was damaged (truncated, corrupt): everything before the damage was inspected. */
  failure?: unknown;
}

/**
 * Inspects a capture file (`path`, `-` for stdin, or a stream). On damage in the file,
 * every packet before it is inspected, flows are flushed and the outputs closed; the error
 * is returned in `failure` rather than thrown.
 */
export async function runIdsOnCapture(
  input: string | Readable,
  opts: CaptureRunOptions,
): Promise<CaptureRunResult> {
  const engine = new IdsEngine(opts);
  const ac = new AbortController();
  let n = 0;
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  let capture: ReadSummary | null = null;
  let failure: unknown;
  try {
    capture = await readCapture(
      input,
      (rec) => {
        engine.processRecord(rec);
        if (++n >= limit) ac.abort();
      },
      { onProgress: opts.onProgress, signal: ac.signal },
    );
  } catch (e) {
    failure = e;
  }
  const stats = engine.finish();
  await engine.close();
  return failure === undefined ? { stats, capture } : { stats, capture, failure };
}

export interface LiveRunOptions extends IdsEngineOptions {
  filter?: string;
  netns?: string;
  count?: number;
  /** Seconds. */
  duration?: number;
  /** Called once the capture is open (before the first packet). */
  onOpen?: (linkType: number) => void;
}

export interface LiveIdsResult {
  stats: IdsStats;
  interrupted: boolean;
  droppedKernel: number;
}

/**
 * Inspects a live interface until SIGINT/SIGTERM, `count` packets or `duration` seconds.
 * Idle flows end on a once-a-second wall-clock tick. Throws the capture's error, if any,
 * after flushing and closing the outputs.
 */
export async function runIdsLive(iface: string, opts: LiveRunOptions): Promise<LiveIdsResult> {
  const cap = LiveCapture.open(iface, { filter: opts.filter, netns: opts.netns });
  const engine = new IdsEngine({ ...opts, config: { inIface: iface, ...(opts.config ?? {}) } });
  opts.onOpen?.(cap.linkType);
  const run = await runLive(
    cap,
    {
      count: opts.count,
      duration: opts.duration,
      every: { ms: 1000, fn: () => engine.tick(Date.now() * 1000) },
    },
    (rec) => {
      engine.processRecord(rec);
      return true;
    },
  );
  const droppedKernel = cap.stats().droppedKernel;
  cap.close();
  const stats = engine.finish();
  await engine.close();
  if (run.failure !== undefined) throw run.failure;
  return { stats, interrupted: run.interrupted, droppedKernel };
}
