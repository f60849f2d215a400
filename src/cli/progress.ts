/**
 * A progress bar for long work (pcap processing, scans), drawn on stderr only when stderr is a
 * terminal and `--json` is not set; otherwise every call is a no-op, so callers never branch.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the absolute position (bytes read, ports scanned...). */
  update(value: number, payload?: Record<string, string | number>): void;
  /** Changes the total when it becomes known or grows. */
  setTotal(total: number): void;
  stop(): void;
}

const NOOP: Progress = { update() {}, setTotal() {}, stop() {} };

export function createProgress(opts: {
  total: number;
  label: string;
  /** Unit shown after the counts, e.g. 'MB', 'ports'. */
  unit?: string;
  /** Divide values by this for display (1e6 to show bytes as MB). */
  scale?: number;
  enabled?: boolean;
}): Progress {
  const enabled = opts.enabled ?? Boolean(process.stderr.isTTY);
  if (!enabled) return NOOP;
  const scale = opts.scale ?? 1;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${opts.label} [{bar}] {percentage}% | {shown}/{shownTotal} ${opts.unit ?? ''} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const fmt = (v: number) => (scale === 1 ? String(v) : (v / scale).toFixed(1));
  let total = Math.max(1, opts.total);
  bar.start(total, 0, { shown: fmt(0), shownTotal: fmt(total) });
  return {
    update(value, payload) {
      bar.update(value, { ...payload, shown: fmt(value), shownTotal: fmt(total) });
    },
    setTotal(t) {
      total = Math.max(1, t);
      bar.setTotal(total);
    },
    stop() {
      bar.stop();
    },
  };
}
