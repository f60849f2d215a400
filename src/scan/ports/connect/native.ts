/**
 * The native engine of the connect scan (native/scan/connect_scan.c, built by node-gyp on
 * install): the same verdicts as the JavaScript scheduler, with the per-probe work in C on
 * several threads. Optional: when the addon was not built (no compiler, not Linux) the
 * JavaScript engines run instead.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PortScanJob } from '../strategy.js';

export interface NativeScanner {
  connectScan(
    address: string,
    family: number,
    ports: Uint16Array,
    states: Uint8Array,
    control: Int32Array,
    opts: Record<string, number>,
  ): Promise<{ probes: number; retries: number; srttMs: number | null; timeoutMs: number }>;
  synScan(
    address: string,
    ports: Uint16Array,
    states: Uint8Array,
    control: Int32Array,
    opts: Record<string, number>,
  ): Promise<{
    probes: number;
    retries: number;
    srttMs: number | null;
    timeoutMs: number;
    sourcePort: number;
  }>;
}

let addon: NativeScanner | null | undefined;
let loadError = '';

/** The addon, or null (see {@link nativeLoadError}). */
export function loadNativeScanner(): NativeScanner | null {
  if (addon !== undefined) return addon;
  addon = null;
  // same depth from src/ and dist/: <root>/{src,dist}/scan/ports/connect/
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  try {
    const req = createRequire(import.meta.url);
    const m = req(path.join(root, 'build', 'Release', 'sentra_scan.node')) as NativeScanner;
    if (typeof m?.connectScan === 'function') addon = m;
  } catch (e) {
    loadError = (e as Error).message;
  }
  return addon;
}

/** Why the addon could not be loaded ('' when it was). */
export function nativeLoadError(): string {
  loadNativeScanner();
  return loadError;
}

/** Threads for a native scan: one per core, at most 4; SENTRA_SCAN_THREADS overrides (for measurements). */
export function scanThreads(): number {
  const forced = Number(process.env.SENTRA_SCAN_THREADS);
  if (forced >= 1 && forced <= 16) return Math.floor(forced);
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

/** Runs `job` on the native engine. */
export async function runNativeConnect(n: NativeScanner, job: PortScanJob): Promise<void> {
  const control = new Int32Array(2);
  const threads = scanThreads();
  const onAbort = () => {
    control[1] = 1;
  };
  job.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = job.onProgress ? setInterval(() => job.onProgress?.(Atomics.load(control, 0)), 100) : null;
  try {
    const r = await n.connectScan(job.address, job.family, job.ports, job.states, control, {
      threads,
      concurrency: job.maxConcurrency,
      retries: job.retries,
      initialMs: job.rtt.initialMs,
      minMs: job.rtt.minMs,
      maxMs: job.rtt.maxMs,
      deadlineMs: Math.max(0, job.deadline - performance.now()),
    });
    job.stats.probes += r.probes;
    job.stats.retries += r.retries;
    job.rtt.adopt(r.srttMs, r.timeoutMs);
    job.onProgress?.(Atomics.load(control, 0));
  } finally {
    if (timer) clearInterval(timer);
    job.signal?.removeEventListener('abort', onAbort);
  }
}
