/**
 * The TCP connect scan: a full three-way handshake per port with the kernel's own `connect()`,
 * so it needs no privileges. An answered SYN-ACK is open, a reset is closed, silence (after
 * retries) or an ICMP unreachable is filtered — the same verdicts as `nmap -sT`.
 *
 * Three registered strategies: `connect` uses the fastest engine available (the native addon,
 * else Node's TCP handle, else `net.Socket`), `connect-js` the JavaScript scheduler on Node's
 * TCP handle, `connect-net` the JavaScript scheduler on `net.Socket` (public API only).
 */

import type { PortScanJob } from '../strategy.js';
import { registerPortScanStrategy } from '../strategy.js';
import { loadNativeScanner, runNativeConnect } from './native.js';
import { NetSocketConnector } from './net-socket.js';
import { ConnectScheduler } from './scheduler.js';
import { loadTcpHandle, TcpHandleConnector } from './tcp-handle.js';

async function runConnect(job: PortScanJob, engine: 'auto' | 'js' | 'net'): Promise<void> {
  const native = engine === 'auto' ? loadNativeScanner() : null;
  if (native) {
    await runNativeConnect(native, job);
    return;
  }
  const scheduler = new ConnectScheduler(job);
  const slots = Math.max(1, job.maxConcurrency);
  const b = engine !== 'net' ? loadTcpHandle() : null;
  const connector = b
    ? new TcpHandleConnector(b, scheduler, job.address, job.family, slots)
    : new NetSocketConnector(scheduler, job.address, slots);
  await scheduler.run(connector);
}

registerPortScanStrategy({
  name: 'connect',
  protocol: 'tcp',
  description: 'TCP connect scan (no privileges needed), fastest engine available',
  available: () => ({ ok: true }),
  run: (job) => runConnect(job, 'auto'),
});

registerPortScanStrategy({
  name: 'connect-js',
  protocol: 'tcp',
  description: "TCP connect scan in JavaScript on Node's TCP handle (no native addon)",
  available: () => ({ ok: true }),
  run: (job) => runConnect(job, 'js'),
});

registerPortScanStrategy({
  name: 'connect-net',
  protocol: 'tcp',
  description: 'TCP connect scan through net.Socket only (portable fallback)',
  available: () => ({ ok: true }),
  run: (job) => runConnect(job, 'net'),
});
