/**
 * The `syn` strategy: a SYN (half-open) scan through a raw socket, in the native addon
 * (native/scan/syn_scan.c). Needs root or CAP_NET_RAW and the built addon; IPv4 only — an IPv6
 * target is scanned with the connect engine instead. Verdicts as `nmap -sS`: SYN-ACK = open,
 * reset = closed, silence after the retries = filtered.
 *
 * This engine needs no libpcap: the kernel's raw TCP socket delivers the answers, and a BPF
 * filter keeps only the target's segments to the scan's source port. A libpcap-based engine
 * can replace it under the same name.
 */
import { ErrorCodes, SentraError } from '../../../errors.js';
import { loadNativeScanner, runNativeConnect, scanThreads } from '../connect/native.js';
import type { PortScanJob } from '../strategy.js';
import { registerPortScanStrategy } from '../strategy.js';

function isPrivileged(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function runSyn(job: PortScanJob): Promise<void> {
  const n = loadNativeScanner();
  if (!n)
    throw new SentraError(
      ErrorCodes.DEPENDENCY_MISSING,
      'the SYN scan needs the native addon (npm install builds it)',
    );
  if (job.family === 6) {
    await runNativeConnect(n, job);
    return;
  }
  const control = new Int32Array(2);
  const onAbort = () => {
    control[1] = 1;
  };
  job.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = job.onProgress ? setInterval(() => job.onProgress?.(Atomics.load(control, 0)), 100) : null;
  try {
    const r = await n.synScan(job.address, job.ports, job.states, control, {
      threads: scanThreads(),
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
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new SentraError(
      code === 'EPERM' ? ErrorCodes.PERMISSION_DENIED : ErrorCodes.INTERNAL,
      `SYN scan failed: ${(e as Error).message}`,
      { cause: e },
    );
  } finally {
    if (timer) clearInterval(timer);
    job.signal?.removeEventListener('abort', onAbort);
  }
}

registerPortScanStrategy({
  name: 'syn',
  protocol: 'tcp',
  description:
    'TCP SYN (half-open) scan through a raw socket: root or CAP_NET_RAW, IPv4 (IPv6 falls back to connect)',
  available: () => {
    const n = loadNativeScanner();
    if (!n || typeof n.synScan !== 'function')
      return { ok: false, reason: 'the native scan addon is not built' };
    if (!isPrivileged())
      return { ok: false, reason: 'a SYN scan needs root (or CAP_NET_RAW); use the connect strategy' };
    return { ok: true };
  },
  run: runSyn,
});
