/**
 * The UDP scan: one connected datagram socket per port, a protocol payload, and the kernel's
 * report of an ICMP port unreachable (ECONNREFUSED on a connected socket). An answer is open,
 * port unreachable is closed, other unreachables are filtered, silence is open|filtered —
 * nmap's UDP verdicts.
 */
import dgram from 'node:dgram';
import { PortStateCode } from '../../types.js';
import { runPool } from '../../util/pool.js';
import type { PortScanJob } from '../strategy.js';
import { registerPortScanStrategy } from '../strategy.js';
import { udpPayload } from './probes.js';

function probeOnce(job: PortScanJob, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(job.family === 6 ? 'udp6' : 'udp4');
    const t0 = performance.now();
    let done = false;
    const finish = (state: number, answered: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (answered) job.rtt.sample(performance.now() - t0);
      sock.close();
      resolve(state);
    };
    const timer = setTimeout(() => finish(PortStateCode.PENDING, false), timeoutMs);
    sock.on('message', () => finish(PortStateCode.OPEN, true));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') finish(PortStateCode.CLOSED, true);
      else if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.code === 'EACCES')
        finish(PortStateCode.FILTERED, false);
      else finish(PortStateCode.PENDING, false);
    });
    sock.connect(port, job.address, () => {
      job.stats.probes++;
      sock.send(udpPayload(port), (err) => {
        if (err) finish(PortStateCode.PENDING, false);
      });
    });
  });
}

async function runUdp(job: PortScanJob): Promise<void> {
  let decided = 0;
  const stop = () => performance.now() >= job.deadline || Boolean(job.signal?.aborted);
  const indexes = Array.from(job.ports.keys());
  await runPool(
    indexes,
    job.maxConcurrency,
    async (i) => {
      for (let attempt = 0; attempt <= job.retries && !stop(); attempt++) {
        if (attempt > 0) job.stats.retries++;
        const remaining = job.deadline - performance.now();
        const st = await probeOnce(job, job.ports[i], Math.max(1, Math.min(job.rtt.timeout(), remaining)));
        if (st !== PortStateCode.PENDING) {
          job.states[i] = st;
          break;
        }
      }
      if (job.states[i] === PortStateCode.PENDING && !stop()) job.states[i] = PortStateCode.OPEN_FILTERED;
      decided++;
      job.onProgress?.(decided);
    },
    stop,
  );
}

registerPortScanStrategy({
  name: 'udp',
  protocol: 'udp',
  description: 'UDP scan with protocol payloads (DNS, NTP, SNMP, NetBIOS, SSDP, mDNS, TFTP, RPC, memcached)',
  available: () => ({ ok: true }),
  run: runUdp,
});
