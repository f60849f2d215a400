/**
 * `sentra flows -i IF`: flows from a live interface. The same FlowTable as for files, fed by
 * LiveCapture; idle flows are ended by a once-a-second tick on the wall clock (packet times
 * are the kernel's capture times, on the same clock), so flows leave continuously while the
 * capture runs. Stops on SIGINT/SIGTERM, after `count` packets or `duration` seconds, then
 * flushes every flow still open.
 */
import { LiveCapture } from '../../capture/live.js';
import { FlowTable, type FlowTableOptions, type FlowTableStats } from '../../flow/table.js';
import { Decoder } from '../../packet/decoder.js';
import { runLive } from '../live-run.js';

export interface LiveFlowOptions extends FlowTableOptions {
  interface: string;
  filter?: string;
  netns?: string;
  count?: number;
  duration?: number;
}

export interface LiveFlowResult {
  stats: FlowTableStats;
  /** True when a signal ended the run (exit code 130). */
  interrupted: boolean;
  droppedKernel: number;
}

const TICK_MS = 1000;

export async function processLive(o: LiveFlowOptions): Promise<LiveFlowResult> {
  const cap = LiveCapture.open(o.interface, { filter: o.filter, netns: o.netns });
  process.stderr.write(`sentra: listening on ${o.interface}, link-type ${cap.linkType}\n`);
  const table = new FlowTable(o);
  const decoder = new Decoder();
  const run = await runLive(
    cap,
    { count: o.count, duration: o.duration, every: { ms: TICK_MS, fn: () => table.tick(Date.now() * 1000) } },
    (rec) => {
      table.update(decoder.decode(rec));
      return true;
    },
  );
  const droppedKernel = cap.stats().droppedKernel;
  cap.close();
  // flows accepted before a failure are still reported
  table.flush();
  if (run.failure !== undefined) throw run.failure;
  return { stats: table.stats(), interrupted: run.interrupted, droppedKernel };
}
