/**
 * Latency monitoring (IDS-AI document): targets probed by ICMP echo (the system `ping`, run
 * with an argument array) or by TCP connect (time to the completed handshake), summarised as
 * min, max, average, median, jitter and loss. {@link LatencyMonitor} probes on an interval.
 */
import net from 'node:net';
import { ErrorCodes, SentraError } from '../errors.js';
import { isIp } from '../net/address.js';
import { runCommand } from '../sys/exec.js';

export type LatencyMethod = 'icmp' | 'tcp';

export interface LatencyOptions {
  method?: LatencyMethod;
  /** TCP port for `tcp` (required there). */
  port?: number;
  /** Probes per measurement (default 5, at most 1000). */
  count?: number;
  /** Pause between probes in ms (default 200, the least ping allows root; at least 10). */
  intervalMs?: number;
  /** A probe without answer after this long counts as lost (default 2000 ms). */
  timeoutMs?: number;
  /** ICMP only: ping from inside this network namespace. */
  netns?: string;
}

/** Round-trip statistics in milliseconds; null when nothing came back. */
export interface LatencyStats {
  target: string;
  method: LatencyMethod;
  port: number | null;
  sent: number;
  received: number;
  /** Percentage of probes lost, 0-100. */
  loss: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  median: number | null;
  /** Mean absolute difference between consecutive round trips (RFC 3550's idea, unsmoothed). */
  jitter: number | null;
  /** Every round trip, in probe order (lost probes left out). */
  samples: number[];
}

/** The statistics of a list of round trips (pure). */
export function latencyStats(
  samples: number[],
  sent: number,
  base: { target: string; method: LatencyMethod; port: number | null },
): LatencyStats {
  const n = samples.length;
  const sorted = [...samples].sort((a, b) => a - b);
  let jitter: number | null = null;
  if (n >= 2) {
    let s = 0;
    for (let i = 1; i < n; i++) s += Math.abs(samples[i] - samples[i - 1]);
    jitter = s / (n - 1);
  } else if (n === 1) jitter = 0;
  const median = n === 0 ? null : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {
    ...base,
    sent,
    received: n,
    loss: sent === 0 ? 0 : ((sent - n) / sent) * 100,
    min: n ? sorted[0] : null,
    max: n ? sorted[n - 1] : null,
    avg: n ? samples.reduce((a, b) => a + b, 0) / n : null,
    median,
    jitter,
    samples,
  };
}

/** Round trips from ping's output: `... icmp_seq=N ttl=T time=X ms`, one per reply (pure). */
export function parsePingReplies(out: string): number[] {
  const seen = new Set<number>();
  const rtts: number[] = [];
  for (const m of out.matchAll(/icmp_seq=(\d+).*?time=([\d.]+) ms/g)) {
    const seq = Number(m[1]);
    if (seen.has(seq)) continue; // duplicates (DUP!) are not a second answer
    seen.add(seq);
    rtts.push(Number(m[2]));
  }
  return rtts;
}

function checkOptions(target: string, o: LatencyOptions): Required<Omit<LatencyOptions, 'netns' | 'port'>> {
  if (typeof target !== 'string' || target === '' || target.startsWith('-') || /\s/.test(target)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `bad latency target ${JSON.stringify(target)}`);
  }
  const count = o.count ?? 5;
  const intervalMs = o.intervalMs ?? 200;
  const timeoutMs = o.timeoutMs ?? 2000;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'count must be 1-1000');
  }
  if (!(intervalMs >= 10 && intervalMs <= 3_600_000)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'intervalMs must be 10-3600000');
  }
  if (!(timeoutMs >= 1 && timeoutMs <= 60_000)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'timeoutMs must be 1-60000');
  }
  const method = o.method ?? 'icmp';
  if (method !== 'icmp' && method !== 'tcp') {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'method must be icmp or tcp');
  }
  return { count, intervalMs, timeoutMs, method };
}

/** One TCP connect: ms to the completed handshake, or null (refused, timeout). */
export function tcpConnectTime(host: string, port: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host, port });
    const done = (v: number | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.once('connect', () => done(Number(process.hrtime.bigint() - t0) / 1e6));
    s.once('error', () => done(null));
  });
}

/** Measures latency to `target` once: `count` probes, then the statistics. */
export async function probeLatency(target: string, options: LatencyOptions = {}): Promise<LatencyStats> {
  const o = checkOptions(target, options);
  if (o.method === 'tcp') {
    if (
      options.port === undefined ||
      !Number.isInteger(options.port) ||
      options.port < 1 ||
      options.port > 65535
    ) {
      throw new SentraError(ErrorCodes.INVALID_PORT, 'TCP latency needs a port 1-65535');
    }
    const samples: number[] = [];
    for (let i = 0; i < o.count; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, o.intervalMs));
      const ms = await tcpConnectTime(target, options.port, o.timeoutMs);
      if (ms !== null) samples.push(ms);
    }
    return latencyStats(samples, o.count, { target, method: 'tcp', port: options.port });
  }
  const argv = ['ping', '-n', '-c', String(o.count), '-i', String(o.intervalMs / 1000)];
  argv.push('-W', String(Math.max(1, Math.ceil(o.timeoutMs / 1000))));
  if (isIp(target) && target.includes(':')) argv.push('-6');
  argv.push('--', target);
  const budget = o.count * o.intervalMs + o.timeoutMs + 5000;
  // exit 1: some or all replies missing, still a measurement
  const r = await runCommand(argv, {
    netns: options.netns,
    timeoutMs: budget,
    okCodes: [1],
    packageHint: 'iputils-ping',
  });
  return latencyStats(parsePingReplies(r.stdout), o.count, { target, method: 'icmp', port: null });
}

/** Probes targets every `everyMs` and keeps the last `window` measurements per target. */
export class LatencyMonitor {
  private timer: NodeJS.Timeout | null = null;
  private readonly results = new Map<string, LatencyStats>();
  private running = false;

  constructor(
    private readonly targets: { target: string; options?: LatencyOptions }[],
    private readonly everyMs = 10_000,
  ) {
    for (const t of targets) checkOptions(t.target, t.options ?? {});
  }

  /** Starts probing (the first round at once). */
  start(): this {
    if (this.timer) return this;
    const round = async () => {
      if (this.running) return;
      this.running = true;
      try {
        await Promise.all(
          this.targets.map(async (t) => {
            const key = `${t.options?.method ?? 'icmp'}:${t.target}:${t.options?.port ?? ''}`;
            try {
              this.results.set(key, await probeLatency(t.target, t.options));
            } catch {
              /* kept from the previous round; a failing ping binary shows as stale data */
            }
          }),
        );
      } finally {
        this.running = false;
      }
    };
    void round();
    this.timer = setInterval(() => void round(), this.everyMs);
    this.timer.unref();
    return this;
  }

  /** The latest measurement per target. */
  stats(): LatencyStats[] {
    return [...this.results.values()];
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
