/**
 * The TCP connect scan: a full three-way handshake per port with the kernel's own `connect()`,
 * so it needs no privileges. An answered SYN-ACK is open, a reset is closed, silence (after
 * retries) or an ICMP unreachable is filtered — the same verdicts as `nmap -sT`.
 *
 * Two registered strategies: `connect` uses the fastest engine available (Node's TCP handle),
 * `connect-net` always uses `net.Socket` (public API only).
 */

import type { PortScanJob } from '../strategy.js';
import { registerPortScanStrategy } from '../strategy.js';
import { NetSocketConnector } from './net-socket.js';
import { ConnectScheduler } from './scheduler.js';
import { loadTcpHandle, TcpHandleConnector } from './tcp-handle.js';

async function runConnect(job: PortScanJob, engine: 'auto' | 'net'): Promise<void> {
  const scheduler = new ConnectScheduler(job);
  const slots = Math.max(1, job.maxConcurrency);
  const b = engine === 'auto' ? loadTcpHandle() : null;
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
  name: 'connect-net',
  protocol: 'tcp',
  description: 'TCP connect scan through net.Socket only (portable fallback)',
  available: () => ({ ok: true }),
  run: (job) => runConnect(job, 'net'),
});
