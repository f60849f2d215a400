/**
 * Full 65,535-port TCP scan of one namespace host: Sentra's connect scan against
 * `nmap -sT -T4 -p-` and its SYN scan against `nmap -sS -T4 -p-`, same host, same run, rounds
 * alternating so that load from elsewhere hits all alike.
 * Checks that both find the same open ports (and that Sentra misses none), prints a table and
 * writes bench/RESULTS.md.
 *
 *   npx tsx bench/scan.ts [rounds]
 */
import { loadNativeScanner } from '../src/scan/ports/connect/native.js';
import { scanPorts } from '../src/scan/ports/scan.js';
import { isRoot, run } from '../test/helpers/netns.js';
import { ScanLab } from '../test/scan/lab.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const EXPECTED = [1, 22, 80, 1024, 31337, 40000, 65535];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  if (!isRoot()) throw new Error('bench/scan.ts needs root (it builds network namespaces)');
  const lab = new ScanLab();
  try {
    await lab.start(['target']);
    const h = lab.host('target');
    await lab.nginx(h, { httpPort: 80 });
    await lab.sshd(h, 22);
    await lab.nodeServer(h, [1, 1024, 31337, 40000, 65535]);

    const names = ['sentra', 'sentra-js', 'nmap', 'sentra-syn', 'nmap-syn'];
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const found: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, []]));
    /** Runs one scan; returns open ports and CPU seconds (user + system, all threads). */
    const inProcess = async (strategy: string): Promise<[number[], number]> => {
      const c0 = process.cpuUsage();
      const r = await scanPorts(h.ip, '-', { strategy });
      const c = process.cpuUsage(c0);
      return [r.open_ports, (c.user + c.system) / 1e6];
    };
    const nmap = async (scan: '-sT' | '-sS'): Promise<[number[], number]> => {
      // -n: no reverse DNS (it would ask the machine's resolver, outside the lab)
      const r = await run(
        ['/usr/bin/time', '-f', 'CPU %U %S', 'nmap', scan, '-T4', '-p-', '-n', '-oG', '-', h.ip],
        {
          timeoutMs: 300_000,
        },
      );
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
      const ports = /Ports: (.*)/
        .exec(r.stdout)![1]
        .split(',')
        .map((e) => e.trim().split('/'))
        .filter((f) => f[1] === 'open')
        .map((f) => Number(f[0]));
      return [ports, m ? Number(m[1]) + Number(m[2]) : Number.NaN];
    };
    const engines: [string, () => Promise<[number[], number]>][] = [
      ['sentra', () => inProcess('connect')],
      ['sentra-js', () => inProcess('connect-js')],
      ['nmap', () => nmap('-sT')],
      ['sentra-syn', () => inProcess('syn')],
      ['nmap-syn', () => nmap('-sS')],
    ];
    // warm-up: page cache, ARP entry, JIT
    for (const [, go] of engines) await go();
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, go] of r % 2 ? [...engines].reverse() : engines) {
        const t0 = performance.now();
        const [open, cpuS] = await go();
        times[name].push(performance.now() - t0);
        cpu[name].push(cpuS);
        found[name].push(open);
      }
    }
    const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const allSame = (name: string) => found[name].every((o) => same(o, EXPECTED));
    const label: Record<string, string> = {
      sentra: `Sentra connect (native engine${loadNativeScanner() ? '' : ' NOT BUILT: JavaScript fallback'})`,
      'sentra-js': 'Sentra connect-js (JavaScript engine)',
      nmap: 'nmap -sT -T4 -p- -n',
      'sentra-syn': 'Sentra syn (raw socket, root)',
      'nmap-syn': 'nmap -sS -T4 -p- -n',
    };
    // each Sentra scan against nmap's scan of the same kind
    const peer = (name: string) => median(times[name.endsWith('syn') ? 'nmap-syn' : 'nmap']);
    const rows = names.map((name) => [
      label[name],
      (median(times[name]) / 1000).toFixed(2),
      (Math.min(...times[name]) / 1000).toFixed(2),
      (Math.max(...times[name]) / 1000).toFixed(2),
      (median(times[name]) / peer(name)).toFixed(2),
      median(cpu[name]).toFixed(2),
      allSame(name) ? `yes (${EXPECTED.length} open)` : 'NO',
    ]);
    const headers = [
      'scanner',
      'median s',
      'min s',
      'max s',
      'median time / nmap of the same kind',
      'CPU s (user+sys)',
      'open ports as expected, every round',
    ];
    const table = markdownTable(headers, rows);
    const synVsConnect = (median(times['sentra-syn']) / median(times.nmap)).toFixed(2);
    console.log(table);
    console.log(`Sentra syn / nmap -sT (median): ${synVsConnect}`);
    const load = (await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    writeResults(
      'scan',
      'Port scan: full 65,535-port TCP scan (connect and SYN) of one namespace host',
      `${table}\n\nSentra's default scan as root (syn) against nmap -sT, medians: ${synVsConnect} of nmap's time.\n\n${ROUNDS} rounds after a warm-up, alternating order; the target is a network namespace on a bridge ` +
        `(veth) running nginx, sshd and Node servers on ${EXPECTED.join(', ')}. Peer: ${toolVersion('nmap', ['--version'])}. ` +
        `Target: Sentra at most 1/3 of nmap's time with no port missed; the issue allows the SYN scan as root ` +
        `against nmap -sT, the table also puts it next to nmap -sS. CPU s is the scanner's own CPU time ` +
        `(Sentra: the whole process, all threads; nmap: /usr/bin/time), the part of the cost that load from other ` +
        `work does not change much. Load average at the end: ${load} (the machine is shared with other work: ` +
        `wall times are noisy).`,
    );
    if (!names.every(allSame)) process.exitCode = 1;
  } finally {
    await lab.destroy();
  }
}

await main();
