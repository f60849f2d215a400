/**
 * The lab the spec's example scripts run in: one bridged LAN of namespaces (a free 10.x.y.0/24),
 * a control namespace `ctl` (.10) whose interface is named `lan0`, where `sentra run` itself
 * runs (so its listening ports, firewall rules and captures are the namespace's own). Scripts run
 * with `--iface-map eth0=lan0` and `--target-map 192.168.1.0/24=<lab>/24`, so the addresses
 * they name land in the lab and anything else is refused. The root namespace is not attached:
 * the test reaches the lab only through `ip netns exec` (servers are checked from `ctl`), so a
 * script that scans the whole /24 finds only the lab's own hosts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { startTcpdump } from '../capture/lab.js';
import { CLI } from '../helpers/cli.js';
import { sharedPath } from '../helpers/corpus.js';
import { cleanupStaleNamespaces, freeSubnet24, run, waitFor } from '../helpers/netns.js';
import { type LabHost, ScanLab } from '../scan/lab.js';

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningScript {
  readonly child: ChildProcess;
  /** What the script printed so far. */
  output(): string;
  done: Promise<ScriptRun>;
}

/** Hosts are given by name and last octet; `ctl` (.10) is added. */
export class ExampleLab extends ScanLab {
  ctl: LabHost = { name: 'ctl', ns: '', ip: '', ip6: '' };

  async startLab(hosts: { name: string; octet: number }[]): Promise<void> {
    await cleanupStaleNamespaces();
    this.net = await freeSubnet24();
    const [, b, c] = this.net.split('.').map(Number);
    this.net6 = `fd54:${b.toString(16)}:${c.toString(16)}::`;
    const all = [...hosts, { name: 'ctl', octet: 10 }];
    const { hosts: ns } = await this.lab.lan(
      all.map((h) => ({
        name: h.name,
        addr4: `${this.net}.${h.octet}/24`,
        addr6: `${this.net6}${h.octet.toString(16)}/64`,
      })),
    );
    this.hosts = all.map((h) => ({
      name: h.name,
      ns: ns[h.name],
      ip: `${this.net}.${h.octet}`,
      ip6: `${this.net6}${h.octet.toString(16)}`,
    }));
    this.ctl = this.host('ctl');
    // the scripts say eth0; the control namespace's interface has another name, mapped by --iface-map
    await this.lab.exec(this.ctl.ns, ['ip', 'link', 'set', 'eth0', 'down']);
    await this.lab.exec(this.ctl.ns, ['ip', 'link', 'set', 'eth0', 'name', 'lan0']);
    await this.lab.exec(this.ctl.ns, ['ip', 'link', 'set', 'lan0', 'up']);
    // IPv6 addresses go with the link going down; IPv4 ones stay
    await this.lab.exec(this.ctl.ns, ['ip', 'addr', 'replace', `${this.ctl.ip6}/64`, 'dev', 'lan0', 'nodad']);
  }

  /** The arguments that put a script into the lab. */
  mapArgs(extraTargets: string[] = []): string[] {
    return [
      '--iface-map',
      'eth0=lan0',
      '--target-map',
      [`192.168.1.0/24=${this.net}.0/24`, ...extraTargets].join(','),
    ];
  }

  /** The path of one of the spec's example scripts. */
  example(name: string): string {
    return sharedPath('sentra-examples', name);
  }

  /**
   * Starts `sentra run FILE` inside the control namespace (working directory and SENTRA_HOME in
   * the lab's temp folder), with the lab's maps and `--timeout`.
   */
  launch(file: string, timeoutS: number, extra: string[] = []): RunningScript {
    const argv = [
      'ip',
      'netns',
      'exec',
      this.ctl.ns,
      process.execPath,
      CLI,
      'run',
      file,
      ...this.mapArgs(),
      '--timeout',
      String(timeoutS),
      ...extra,
    ];
    const child = spawn(argv[0], argv.slice(1), {
      cwd: this.dir,
      env: { ...process.env, SENTRA_HOME: path.join(this.dir, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const done = new Promise<ScriptRun>((resolve, reject) => {
      const guard = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 30) * 1000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(guard);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
    return { child, output: () => stdout, done };
  }

  /** Runs a script to its end. */
  runScript(file: string, timeoutS: number, extra: string[] = []): Promise<ScriptRun> {
    return this.launch(file, timeoutS, extra).done;
  }

  /** Runs a command inside the control namespace. */
  inCtl(argv: string[], timeoutMs = 30_000) {
    return this.lab.exec(this.ctl.ns, argv, { timeoutMs });
  }

  /**
   * An HTTP server on `port` of host `h` that answers every request with its own name. It
   * counts the requests for paths starting with `/req` (not health checks), with the client
   * addresses and `Via` headers they came with; `GET /__served` returns those as JSON.
   */
  async namedHttp(h: LabHost, port: number): Promise<void> {
    const code = `const served={count:0,clients:[],via:[]};const add=(a,v)=>{if(v&&!a.includes(v))a.push(v)};
require('http').createServer((q,s)=>{
  if(q.url==='/__served'){s.end(JSON.stringify(served));return;}
  if(q.url.startsWith('/req')){served.count++;add(served.clients,q.socket.remoteAddress);add(served.via,q.headers.via);}
  s.setHeader('x-backend',${JSON.stringify(h.name)});s.end(${JSON.stringify(h.name)}+'\\n');
}).listen(${port},${JSON.stringify(h.ip)});`;
    this.lab.spawn(h.ns, [process.execPath, '-e', code]);
    await this.waitPort(h.ip, port);
  }

  /** What the named server of `h` served (see {@link namedHttp}). */
  async served(h: LabHost, port: number): Promise<{ count: number; clients: string[]; via: string[] }> {
    const { stdout } = await this.inCtl(['curl', '-s', '--max-time', '5', `http://${h.ip}:${port}/__served`]);
    return JSON.parse(stdout);
  }

  /** Waits until `ip:port` accepts connections from the control namespace. */
  override async waitPort(ip: string, port: number): Promise<void> {
    await waitFor(
      async () => {
        await this.inCtl(['nc', '-z', '-w', '1', ip, String(port)], 5_000);
        return true;
      },
      15_000,
      `${ip}:${port} to listen`,
    );
  }

  /**
   * Starts tcpdump on `iface` of `ns` writing to a file (an oracle independent of Sentra);
   * `stop()` ends it and returns the file.
   */
  async tcpdump(ns: string, iface: string, filter = ''): Promise<{ stop(): Promise<string> }> {
    const file = path.join(this.dir, `oracle-${Date.now()}-${Math.random().toString(36).slice(2)}.pcap`);
    // the capture tests' tcpdump: immediate mode and a wait for the file to settle before
    // SIGINT (without them tcpdump lost the last packets of its kernel block on a loaded machine)
    const td = await startTcpdump(this.lab, ns, iface, filter, file);
    return {
      stop: async () => {
        await td.stop();
        return file;
      },
    };
  }
}

/** The rows tshark prints for `fields` of the packets of `file` that match `display` ('' for all). */
export async function tsharkRows(file: string, fields: string[], display = ''): Promise<string[][]> {
  const { stdout } = await run([
    'tshark',
    '-n',
    '-r',
    file,
    ...(display ? ['-Y', display] : []),
    '-T',
    'fields',
    '-E',
    'separator=,',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until `test` accepts its value (or `timeoutMs` passes); returns the last value. */
export async function until<T>(get: () => T, test: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = get();
  while (!test(v) && Date.now() < end) {
    await sleep(100);
    v = get();
  }
  return v;
}
