/**
 * A bounded TCP transfer between two namespaces, timed at the receiver: from the first byte to
 * the last. The receiver is a small Node program run inside the namespace; it takes one
 * connection, prints what it measured and exits.
 */
import { once } from 'node:events';
import type { NetnsLab } from '../helpers/netns.js';

const RECEIVER = `
const net = require('node:net');
const srv = net.createServer((s) => {
  let bytes = 0, t0 = 0;
  s.on('data', (d) => { if (!t0) t0 = process.hrtime.bigint(); bytes += d.length; });
  s.on('end', () => {
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(JSON.stringify({ bytes, ms }) + '\\n');
    s.end(); srv.close();
  });
});
srv.listen(0, process.argv[1], () => process.stdout.write(JSON.stringify({ port: srv.address().port }) + '\\n'));
setTimeout(() => process.exit(2), 60000).unref();
`;

const SENDER = `
const net = require('node:net');
const [host, port, total] = process.argv.slice(1);
const s = net.connect(Number(port), host, () => {
  const chunk = Buffer.alloc(64 * 1024, 120);
  let left = Number(total);
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { s.once('drain', pump); return; }
    }
    s.end();
  };
  pump();
});
s.on('close', () => process.exit(0));
setTimeout(() => process.exit(3), 60000).unref();
`;

export interface TransferResult {
  bytes: number;
  seconds: number;
  /** Payload rate in kbit/s (1 kbit = 1000 bit). */
  kbit: number;
}

/** Sends `bytes` from `fromNs` to `listenAddr` in `toNs` and returns the rate seen by the receiver. */
export async function measureTransfer(
  lab: NetnsLab,
  fromNs: string,
  toNs: string,
  listenAddr: string,
  bytes: number,
): Promise<TransferResult> {
  const rx = lab.spawn(toNs, ['node', '-e', RECEIVER, listenAddr], { stdio: 'pipe' });
  const lines: string[] = [];
  let buf = '';
  rx.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  const next = async (): Promise<Record<string, number>> => {
    const end = Date.now() + 60_000;
    while (lines.length === 0) {
      if (Date.now() > end || rx.exitCode !== null) throw new Error('receiver gave no answer');
      await new Promise((r) => setTimeout(r, 20));
    }
    return JSON.parse(lines.shift()!) as Record<string, number>;
  };
  const { port } = await next();
  const host = listenAddr.includes(':') ? listenAddr : listenAddr;
  await lab.exec(fromNs, ['node', '-e', SENDER, host, String(port), String(bytes)], { timeoutMs: 60_000 });
  const r = await next();
  if (rx.exitCode === null) await once(rx, 'exit').catch(() => undefined);
  return { bytes: r.bytes, seconds: r.ms / 1000, kbit: (r.bytes * 8) / r.ms };
}
