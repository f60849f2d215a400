/**
 * Proxy benchmark: wrk through Sentra's load balancer, nginx and HAProxy in front of the same
 * backend (nginx answering a 12-byte body), then wrk through Sentra's forward proxy and
 * tinyproxy to the same backend. Everything on loopback, in one run, each peer with its own
 * temporary config; every peer runs one worker process/thread, like Sentra (one Node.js
 * process). Rounds alternate between the targets and the median round is reported.
 *
 *   npx tsx bench/proxy.ts            (BENCH_SECONDS=10 ROUNDS=3 CONNECTIONS=64 by default)
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-bench-proxy-'));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function launch(name: string, cmd: string, args: string[], cwd = tmp): ChildProcess {
  const c = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  c.stderr!.on('data', (d) => {
    err += d;
  });
  c.on('exit', (code, sig) => {
    if (!stopping) process.stderr.write(`${name} exited (${code ?? sig}): ${err.slice(0, 500)}\n`);
  });
  children.push(c);
  return c;
}

async function waitListening(port: number, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

interface WrkResult {
  rps: number;
  p99ms: number;
  /** Non-2xx/3xx responses. */
  non2xx: number;
  /** wrk's socket errors (connect, read, write, timeout). */
  socketErrors: number;
}

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function wrk(url: string, script?: string): Promise<WrkResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency'];
  if (script) args.push('-s', script);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (SECONDS + 30) * 1000 }, (err, stdout) => {
      if (err) {
        reject(err);
        return;
      }
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
      const p99 = /\s99%\s+([\d.]+)(us|ms|s|m)/.exec(stdout);
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
      resolve({ rps, p99ms: p99 ? toMs(p99[1], p99[2]) : 0, non2xx, socketErrors: sockErrors });
    });
  });
}

function median(results: WrkResult[]): WrkResult {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)];
}

let stopping = false;

async function main(): Promise<void> {
  for (const tool of ['wrk', 'nginx', 'haproxy', 'tinyproxy']) {
    if (
      toolVersion(tool, tool === 'nginx' ? ['-v'] : tool === 'haproxy' ? ['-v'] : ['--version']) ===
      'not installed'
    ) {
      throw new Error(`${tool} is not installed (scripts/setup-debian.sh installs it)`);
    }
  }
  const [backendPort, nginxPort, haproxyPort, sentraLbPort, sentraFwdPort, tinyPort] = await Promise.all(
    Array.from({ length: 6 }, freePort),
  );

  const nginxCommon = (port: number, body: string, name: string) => `worker_processes 1;
daemon off;
pid ${tmp}/${name}.pid;
error_log ${tmp}/${name}.err warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${tmp}/${name}-body;
  proxy_temp_path ${tmp}/${name}-proxy;
  ${body.replace('PORT', String(port))}
}
`;
  writeFileSync(
    `${tmp}/backend.conf`,
    nginxCommon(
      backendPort,
      'server { listen 127.0.0.1:PORT; location / { return 200 "hello world\\n"; } }',
      'backend',
    ),
  );
  writeFileSync(
    `${tmp}/nginx-lb.conf`,
    nginxCommon(
      nginxPort,
      `upstream be { server 127.0.0.1:${backendPort}; keepalive 64; }
  server { listen 127.0.0.1:PORT; location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
      'nginxlb',
    ),
  );
  writeFileSync(
    `${tmp}/haproxy.cfg`,
    `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${haproxyPort}
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:${backendPort}
`,
  );
  writeFileSync(
    `${tmp}/tinyproxy.conf`,
    `Port ${tinyPort}
Listen 127.0.0.1
Timeout 60
MaxClients 1000
LogLevel Critical
LogFile "${tmp}/tinyproxy.log"
PidFile "${tmp}/tinyproxy.pid"
Allow 127.0.0.1
DisableViaHeader Yes
`,
  );
  writeFileSync(
    `${tmp}/absolute.lua`,
    `wrk.path = "http://127.0.0.1:${backendPort}/"\nwrk.headers["Host"] = "127.0.0.1:${backendPort}"\n`,
  );

  launch('backend nginx', 'nginx', ['-p', tmp, '-c', `${tmp}/backend.conf`]);
  launch('nginx', 'nginx', ['-p', tmp, '-c', `${tmp}/nginx-lb.conf`]);
  launch('haproxy', 'haproxy', ['-db', '-f', `${tmp}/haproxy.cfg`]);
  launch('tinyproxy', 'tinyproxy', ['-d', '-c', `${tmp}/tinyproxy.conf`]);
  const tsx = ['--import', 'tsx', 'src/cli/main.ts'];
  launch(
    'sentra lb',
    process.execPath,
    [...tsx, 'lb', '--port', String(sentraLbPort), '--backend', `http://127.0.0.1:${backendPort}`],
    ROOT,
  );
  launch(
    'sentra proxy',
    process.execPath,
    [...tsx, 'proxy', '--port', String(sentraFwdPort), '--quiet'],
    ROOT,
  );
  for (const [p, what] of [
    [backendPort, 'backend'],
    [nginxPort, 'nginx'],
    [haproxyPort, 'haproxy'],
    [sentraLbPort, 'sentra lb'],
    [sentraFwdPort, 'sentra proxy'],
    [tinyPort, 'tinyproxy'],
  ] as const) {
    await waitListening(p, what);
  }

  const lbTargets: [string, string][] = [
    ['backend direct (reference)', `http://127.0.0.1:${backendPort}/`],
    ['Sentra lb (1 process)', `http://127.0.0.1:${sentraLbPort}/`],
    ['nginx 1.22 (1 worker, keepalive 64)', `http://127.0.0.1:${nginxPort}/`],
    ['HAProxy 2.6 (1 thread)', `http://127.0.0.1:${haproxyPort}/`],
  ];
  const fwdTargets: [string, string][] = [
    ['Sentra proxy (1 process)', `http://127.0.0.1:${sentraFwdPort}/`],
    ['tinyproxy 1.11', `http://127.0.0.1:${tinyPort}/`],
  ];
  // warm up every target (JIT, connection pools)
  for (const [, url] of lbTargets) await wrkShort(url);
  for (const [, url] of fwdTargets) await wrkShort(url, `${tmp}/absolute.lua`);

  const runs = new Map<string, WrkResult[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, url] of lbTargets) push(runs, name, await wrk(url));
    for (const [name, url] of fwdTargets) push(runs, name, await wrk(url, `${tmp}/absolute.lua`));
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`);
  }

  const row = (name: string) => {
    const m = median(runs.get(name)!);
    return [name, Math.round(m.rps), m.p99ms.toFixed(2), m.non2xx, m.socketErrors];
  };
  const lbRows = lbTargets.map(([n]) => row(n));
  const fwdRows = fwdTargets.map(([n]) => row(n));
  const sentraLb = median(runs.get('Sentra lb (1 process)')!).rps;
  const nginx = median(runs.get('nginx 1.22 (1 worker, keepalive 64)')!).rps;
  const sentraFwd = median(runs.get('Sentra proxy (1 process)')!).rps;
  const tiny = median(runs.get('tinyproxy 1.11')!).rps;
  const headers = ['target', 'requests/s', 'p99 ms', 'non-2xx', 'socket errors'];
  const lbTable = markdownTable(headers, lbRows);
  const fwdTable = markdownTable(headers, fwdRows);
  const verdict =
    `Sentra lb / nginx = ${(sentraLb / nginx).toFixed(2)} (target >= 0.5); ` +
    `Sentra proxy / tinyproxy = ${(sentraFwd / tiny).toFixed(2)} (target >= 1.0).`;
  process.stdout.write(`\nLoad balancer\n${lbTable}\n\nForward proxy\n${fwdTable}\n\n${verdict}\n`);

  writeResults(
    'proxy',
    'Proxy and load balancer (wrk)',
    `wrk ${toolVersion('wrk', ['--version']).split(' ')[1] ?? ''}: 1 thread, ${CONNECTIONS} keep-alive connections, ` +
      `${SECONDS} s per run, median of ${ROUNDS} alternating rounds. Backend: nginx (1 worker) answering ` +
      `12 bytes. Every proxy runs one process/worker/thread; Sentra is single-process (no cluster). ` +
      `The machine has 2 cores shared by wrk, the backend, the proxy under test and other work, so ` +
      `absolute numbers are noisy; compare rows of the same run.\n\n` +
      `### Load balancer\n\n${lbTable}\n\n### Forward proxy (absolute-URI GET through the proxy)\n\n${fwdTable}\n\n` +
      `${verdict}\n\ntinyproxy closes the client connection after every request (no keep-alive), ` +
      `so its rate includes a TCP handshake per request (wrk counts each such close as a read ` +
      `socket error); that is how it behaves, not a setting we chose.`,
  );
}

function push(m: Map<string, WrkResult[]>, k: string, v: WrkResult): void {
  const list = m.get(k) ?? [];
  list.push(v);
  m.set(k, list);
}

function wrkShort(url: string, script?: string): Promise<unknown> {
  const args = ['-t1', '-c16', '-d2s'];
  if (script) args.push('-s', script);
  args.push(url);
  return new Promise((r) => execFile('wrk', args, { timeout: 30_000 }, () => r(null)));
}

async function cleanup(): Promise<void> {
  stopping = true;
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = alive.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of alive) c.kill('SIGTERM');
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 3_000))]);
  for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}

main()
  .catch((e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(cleanup);
