/**
 * Firewall benchmark, all inside network namespaces it creates and removes:
 * - ban 100,000 addresses in one call (Firewall.block: validation, SQLite, kernel) with nftables
 *   and with iptables + ipset, and the bare `nft -f` of the same set elements;
 * - the peer approach, one iptables rule per address, for 5,000 addresses: loaded with one
 *   `iptables-restore` and added one `iptables -A` at a time;
 * - TCP connection setup time from a client namespace to a server namespace with no bans,
 *   100,000 bans in an nftables set, 100,000 in an ipset, and 5,000 one-rule-per-address
 *   iptables rules (every SYN walks that list).
 * Run: npx tsx bench/firewall.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Firewall } from '../src/firewall/firewall.js';
import { runCommand } from '../src/sys/exec.js';
import { freeSubnet24, NetnsLab, waitFor } from '../test/helpers/netns.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const BANS = 100_000;
const PEER_RULES = 5_000;
const CONNECTS = 2_000;
const REPS = 3;
const PORT = 7070;

const SERVER = `require('node:net').createServer((s) => { s.on('error', () => {}); s.end(); }).listen(${PORT});`;
// sequential connects; prints mean, p50, p99 of the time to an established connection (µs)
const CLIENT = `
const net = require('node:net');
const [host, port, n] = process.argv.slice(1);
const times = [];
const one = () => new Promise((res, rej) => {
  const t = process.hrtime.bigint();
  const s = net.connect(Number(port), host, () => { times.push(Number(process.hrtime.bigint() - t) / 1000); s.destroy(); res(); });
  s.on('error', rej);
  s.setTimeout(2000, () => { s.destroy(); rej(new Error('timeout')); });
});
(async () => {
  for (let i = 0; i < 50; i++) await one();
  times.length = 0;
  for (let i = 0; i < Number(n); i++) await one();
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(JSON.stringify({ mean, p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)] }));
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

function addresses(n: number, second = 0): string[] {
  // 100.64.0.0/10 (shared address space): never the lab's subnet, never routed here
  return Array.from({ length: n }, (_, i) => `100.${64 + second + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

interface Latency {
  mean: number;
  p50: number;
  p99: number;
}

async function main(): Promise<void> {
  const loadStart = os.loadavg()[0];
  const lab = new NetnsLab();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-bench-fw-'));
  const rows: (string | number)[][] = [];
  const latency: (string | number)[][] = [];
  try {
    const net = await freeSubnet24();
    const { hosts } = await lab.lan([
      { name: 'server', addr4: `${net}.2/24` },
      { name: 'client', addr4: `${net}.3/24` },
    ]);
    const server = hosts.server;
    const client = hosts.client;
    lab.spawn(server, ['node', '-e', SERVER]);
    await waitFor(
      () =>
        lab.exec(client, ['nc', '-z', '-w', '1', `${net}.2`, String(PORT)]).then(
          () => true,
          () => false,
        ),
      15_000,
      'the server',
    );
    const measure = async (label: string): Promise<void> => {
      const r = await lab.exec(client, ['node', '-e', CLIENT, `${net}.2`, String(PORT), String(CONNECTS)], {
        timeoutMs: 300_000,
      });
      const l = JSON.parse(r.stdout) as Latency;
      latency.push([label, l.mean.toFixed(0), l.p50.toFixed(0), l.p99.toFixed(0)]);
      process.stderr.write(`connect ${label}: mean ${l.mean.toFixed(0)} µs\n`);
    };

    await measure('no firewall');

    // --- Sentra, one call per backend; best and median of REPS runs (the machine is shared) ---
    const list = addresses(BANS);
    for (const backend of ['nftables', 'iptables'] as const) {
      const times: number[] = [];
      // CPU time of Sentra's own process (validation, SQLite, script): what contention cannot inflate
      const cpuTimes: number[] = [];
      let reconcileMs = 0;
      for (let rep = 0; rep < REPS; rep++) {
        const fw = await Firewall.open({
          backend,
          netns: server,
          dbPath: path.join(dir, `${backend}-${rep}.db`),
        });
        const cpu0 = process.cpuUsage();
        const [, ms] = await timed(() => fw.block(list, { duration: '1h', reason: 'bench' }));
        const cpu = process.cpuUsage(cpu0);
        times.push(ms);
        cpuTimes.push((cpu.user + cpu.system) / 1000);
        process.stderr.write(`${backend} block #${rep + 1}: ${ms.toFixed(0)} ms\n`);
        if (rep === REPS - 1) {
          await measure(
            `${backend === 'nftables' ? 'nftables' : 'iptables+ipset'}, ${BANS.toLocaleString('en')} bans in a set`,
          );
          reconcileMs = (await timed(() => fw.reconcile()))[1];
        }
        await fw.clearRules({ removeTable: true });
        fw.close();
      }
      times.sort((a, b) => a - b);
      const label = backend === 'nftables' ? 'Sentra nftables' : 'Sentra iptables+ipset';
      rows.push([
        `${label}: ban ${BANS.toLocaleString('en')} addresses (one call)`,
        times[0].toFixed(0),
        times[Math.floor(times.length / 2)].toFixed(0),
      ]);
      cpuTimes.sort((a, b) => a - b);
      rows.push([
        `${label}: CPU time of the Sentra process in that call`,
        cpuTimes[0].toFixed(0),
        cpuTimes[Math.floor(cpuTimes.length / 2)].toFixed(0),
      ]);
      rows.push([
        `${label}: reconcile ${BANS.toLocaleString('en')} bans with the kernel`,
        reconcileMs.toFixed(0),
        '',
      ]);
    }

    // the bare kernel side: the same elements through `nft -f` alone
    const script =
      'add table inet benchraw\nadd set inet benchraw s { type ipv4_addr; flags timeout; }\n' +
      `add element inet benchraw s { ${list.map((a) => `${a} timeout 1h`).join(', ')} }\n`;
    const [, rawMs] = await timed(() => runCommand(['nft', '-f', '-'], { input: script, netns: server }));
    rows.push([`nft -f alone: ${BANS.toLocaleString('en')} set elements`, rawMs.toFixed(0), '']);
    await runCommand(['nft', 'delete', 'table', 'inet', 'benchraw'], { netns: server });

    // --- peer: one iptables rule per address ---------------------------------------------
    const peer = addresses(PEER_RULES, 8);
    const restore = `*filter\n${peer.map((a) => `-A INPUT -s ${a} -j DROP`).join('\n')}\nCOMMIT\n`;
    const [, restoreMs] = await timed(() =>
      runCommand(['iptables-restore', '-w', '--noflush'], { input: restore, netns: server }),
    );
    rows.push([
      `iptables-restore: ${PEER_RULES.toLocaleString('en')} rules, one per address`,
      restoreMs.toFixed(0),
      '',
    ]);
    await measure(`iptables, ${PEER_RULES.toLocaleString('en')} rules (one per address)`);
    await runCommand(['iptables', '-w', '-F', 'INPUT'], { netns: server });
    const [, loopMs] = await timed(async () => {
      for (const a of peer)
        await runCommand(['iptables', '-w', '-A', 'INPUT', '-s', a, '-j', 'DROP'], { netns: server });
    });
    rows.push([
      `iptables -A × ${PEER_RULES.toLocaleString('en')} (one call per address)`,
      loopMs.toFixed(0),
      '',
    ]);
    process.stderr.write(`iptables -A loop: ${loopMs.toFixed(0)} ms\n`);
    await runCommand(['iptables', '-w', '-F', 'INPUT'], { netns: server });
    await measure('no firewall (again, after cleanup)');
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }

  const tools = `${toolVersion('nft', ['--version'])}; ${toolVersion('iptables', ['--version'])}; ${toolVersion('ipset', ['version'])}`;
  const body = [
    `Tools: ${tools}. Everything runs inside network namespaces created for the run; connection`,
    `setup is ${CONNECTS} sequential TCP connects from a client namespace to a server namespace whose`,
    'firewall holds the bans (time to an established connection). Other work was running on this',
    `2-core machine at the same time (1-minute load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end), so wall times are inflated; the CPU time of the Sentra process is not.`,
    '',
    markdownTable(['operation', 'best ms', `median ms (${REPS} runs)`], rows),
    '',
    markdownTable(['connection setup with', 'mean µs', 'p50 µs', 'p99 µs'], latency),
  ].join('\n');
  process.stdout.write(`${body}\n`);
  writeResults(
    'firewall',
    'Firewall: bulk bans and connection setup (nftables, iptables+ipset, one rule per address)',
    body,
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
