/**
 * How every live command (`capture`, `flows -i`) runs a capture: packets go to `handle` until
 * SIGINT/SIGTERM, `count` packets, `duration` seconds, a capture error, or `handle` returning
 * false. Resolves with whether a signal ended it (exit code 130) and the error, if any; the
 * caller closes the capture and reports.
 */
import type { LiveCapture } from '../capture/live.js';
import type { PacketRecord } from '../packet/record.js';

export interface LiveRunOptions {
  count?: number;
  /** Seconds. */
  duration?: number;
  /** Called every `everyMs` while the capture runs (e.g. to expire idle flows). */
  every?: { ms: number; fn: () => void };
}

export interface LiveRunResult {
  /** Packets handed to `handle`. */
  packets: number;
  interrupted: boolean;
  failure?: unknown;
}

export function runLive(
  cap: LiveCapture,
  opts: LiveRunOptions,
  handle: (rec: PacketRecord) => boolean | undefined,
): Promise<LiveRunResult> {
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  let packets = 0;
  let failure: unknown;
  return new Promise((resolve) => {
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    const periodic = opts.every ? setInterval(opts.every.fn, opts.every.ms) : null;
    const onSignal = () => finish(true);
    const finish = (signal: boolean) => {
      if (done) return;
      done = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (timer) clearTimeout(timer);
      if (periodic) clearInterval(periodic);
      resolve({ packets, interrupted: signal, failure });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (opts.duration !== undefined) timer = setTimeout(() => finish(false), opts.duration * 1000);
    cap.on('error', (e) => {
      failure = e;
      finish(false);
    });
    cap.onPacket((rec) => {
      if (done || packets >= limit) return;
      packets++;
      if (handle(rec) === false || packets >= limit) finish(false);
    });
  });
}
