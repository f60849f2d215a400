/**
 * `sentra top -i IF`: a live view of an interface like iftop/bandwhich — bandwidth from the
 * kernel's counters, protocols and top talkers from the packets, connections from the socket
 * table — redrawn in place every interval. `--json` prints one snapshot per interval as JSON
 * Lines instead.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { MonitorRegistry } from '../../monitor/monitor.js';
import { type MonitorSnapshot, monitorSnapshot } from '../../monitor/snapshot.js';
import { action, type CommandRegistrar, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

interface TopOptions {
  interface: string;
  netns?: string;
  filter?: string;
  interval: number;
  limit: number;
  count?: number;
  duration?: number;
  json?: boolean;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Human units, as iftop prints them (bits per second, bytes). */
export function rate(mbps: number): string {
  const bps = mbps * 1e6;
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gb/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mb/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(2)} Kb/s`;
  return `${bps.toFixed(0)} b/s`;
}

export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function endpoint(ip: string, port: number): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port ? `${host}:${port}` : host;
}

/** The screen for one snapshot (pure; `width` columns). */
export function renderTop(s: MonitorSnapshot, width = 100): string {
  const b = s.bandwidth;
  const lines: string[] = [];
  const time = new Date(s.timestamp * 1000).toISOString().slice(11, 19);
  lines.push(
    `sentra top - ${s.interface} - ${time} UTC - packets ${s.packets_seen} (dropped ${s.packets_dropped})`,
  );
  lines.push('');
  lines.push('BANDWIDTH        rate            total         packets     errors  drops');
  lines.push(
    `  RX   ${rate(b.rx_mbps).padStart(16)}  ${bytes(b.rx_bytes).padStart(12)}  ${String(b.rx_packets).padStart(10)}  ${String(b.rx_errors).padStart(6)}  ${String(b.rx_dropped).padStart(5)}`,
  );
  lines.push(
    `  TX   ${rate(b.tx_mbps).padStart(16)}  ${bytes(b.tx_bytes).padStart(12)}  ${String(b.tx_packets).padStart(10)}  ${String(b.tx_errors).padStart(6)}  ${String(b.tx_dropped).padStart(5)}`,
  );
  lines.push(`  rx_bytes ${b.rx_bytes}  tx_bytes ${b.tx_bytes}`);
  lines.push('');
  const p = s.protocols;
  const pct = (n: number) => (p.total ? ((n / p.total) * 100).toFixed(1) : '0.0');
  lines.push('PROTOCOLS        packets      bytes     share');
  for (const k of ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'ARP', 'OTHER'] as const) {
    lines.push(
      `  ${k.padEnd(8)} ${String(p[k]).padStart(12)} ${bytes(p.bytes[k]).padStart(11)}  ${pct(p[k]).padStart(6)}%`,
    );
  }
  lines.push('');
  lines.push('TOP TALKERS');
  if (s.top_talkers.length === 0) lines.push('  (no traffic yet)');
  s.top_talkers.forEach((f, i) => {
    const left = `${endpoint(f.src_ip, f.src_port)} <=> ${endpoint(f.dst_ip, f.dst_port)}`;
    lines.push(
      `  ${String(i + 1).padStart(2)}. ${left.padEnd(58)} ${f.protocol.padEnd(6)} ${bytes(f.bytes).padStart(11)} ${String(f.packets).padStart(8)} pkts`,
    );
  });
  lines.push('');
  const states = Object.entries(s.connection_states)
    .sort((a, c) => c[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join('  ');
  lines.push(`CONNECTIONS ${s.connections_total}: ${states}`);
  for (const c of s.connections) {
    lines.push(
      `  ${endpoint(c.local_ip, c.local_port).padEnd(28)} -> ${endpoint(c.remote_ip, c.remote_port).padEnd(28)} ${c.process ? `${c.process}/${c.pid}` : ''}`,
    );
  }
  return lines.map((l) => (l.length > width ? l.slice(0, width) : l)).join('\n');
}

export async function runTop(o: TopOptions): Promise<ExitCodeValue> {
  const reg = new MonitorRegistry();
  const info = await reg.start(o.interface, { netns: o.netns, filter: o.filter, timeoutMs: 50 });
  const tty = Boolean(process.stdout.isTTY) && !o.json;
  let snapshots = 0;
  let signal = false;
  let stop = false;
  const onSignal = () => {
    signal = true;
    stop = true;
    wake?.();
  };
  let wake: (() => void) | null = null;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const end = o.duration !== undefined ? Date.now() + o.duration * 1000 : Number.POSITIVE_INFINITY;
  if (tty) process.stdout.write('\x1b[?1049h\x1b[?25l'); // alternate screen, hide cursor
  try {
    while (!stop) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.min(o.interval * 1000, Math.max(0, end - Date.now())));
      });
      wake = null;
      if (stop) break;
      const snap = await monitorSnapshot(reg, info.id, o.limit);
      snapshots++;
      if (o.json) writeJsonLine(snap);
      else if (tty) process.stdout.write(`\x1b[H\x1b[2J${renderTop(snap, process.stdout.columns || 100)}\n`);
      else process.stdout.write(`${renderTop(snap)}\n\n`);
      if ((o.count !== undefined && snapshots >= o.count) || Date.now() >= end) break;
    }
  } finally {
    if (tty) process.stdout.write('\x1b[?25h\x1b[?1049l');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    reg.closeAll();
  }
  return signal ? ExitCode.INTERRUPTED : ExitCode.OK;
}

export const registerTop: CommandRegistrar = (program: Command) => {
  program
    .command('top')
    .description('live view of an interface: bandwidth, protocols, top talkers, connections (like iftop)')
    .requiredOption('-i, --interface <if>', 'interface to watch')
    .option('--netns <name>', 'the interface lives in this network namespace')
    .option('-f, --filter <expr>', 'only count packets matching this capture filter (tcpdump syntax)')
    .option('--interval <s>', 'seconds between redraws', positiveNumber, 1)
    .option('-n, --limit <n>', 'rows of top talkers and connections', positiveInt, 10)
    .option('--count <n>', 'stop after n redraws', positiveInt)
    .option('--duration <s>', 'stop after s seconds', positiveNumber)
    .option('--json', 'print a JSON snapshot per interval (JSON Lines) instead of drawing')
    .action(action(async (opts: TopOptions) => runTop(opts)));
};
