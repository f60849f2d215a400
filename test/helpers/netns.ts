/**
 * Network namespaces for tests: hosts joined by veth pairs or a bridge, real servers inside
 * them, and a guaranteed cleanup. Every namespace is named `snt-<pid>-<n>-<name>` so that
 * parallel test files never collide and `cleanupStaleNamespaces()` can remove what a crashed
 * run left behind (its pid is gone). Traffic stays inside these namespaces, or between them
 * and the root namespace over a veth the lab created.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

let labCounter = 0;

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command (argument array, no shell) and returns its output; throws on non-zero exit. */
export async function run(
  argv: string[],
  opts: { timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  const p = execFileP(cmd, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 256 * 1024 * 1024 });
  if (opts.input !== undefined) p.child.stdin?.end(opts.input);
  const r = await p;
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Removes namespaces of earlier test runs whose process no longer exists. */
export async function cleanupStaleNamespaces(): Promise<void> {
  let names: string[] = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^snt-(\d+)-/.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await run(['ip', 'netns', 'del', n]).catch(() => undefined);
  }
}

export interface HostSpec {
  /** Short name, used in the namespace name. */
  name: string;
  /** IPv4 address with prefix, e.g. `10.201.3.2/24`. */
  addr4?: string;
  /** IPv6 address with prefix, e.g. `fd00:201:3::2/64`. */
  addr6?: string;
}

export class NetnsLab {
  readonly id: string;
  private readonly namespaces: string[] = [];
  private readonly rootLinks: string[] = [];
  private readonly procs: ChildProcess[] = [];
  private ifCounter = 0;

  constructor() {
    labCounter++;
    this.id = `snt-${process.pid}-${labCounter}`;
  }

  /** Creates a namespace with loopback up and returns its name. */
  async ns(name: string): Promise<string> {
    const full = `${this.id}-${name}`;
    await run(['ip', 'netns', 'add', full]);
    this.namespaces.push(full);
    await run(['ip', '-n', full, 'link', 'set', 'lo', 'up']);
    return full;
  }

  /** A fresh interface name (at most 15 characters, unique on this machine). */
  ifname(tag = 'v'): string {
    this.ifCounter++;
    return `${tag}${(process.pid % 100000).toString(36)}${labCounter.toString(36)}${this.ifCounter.toString(36)}`.slice(
      0,
      15,
    );
  }

  /**
   * Joins two namespaces (or a namespace and the root namespace when `b.ns` is null) with a
   * veth pair. Each side is renamed to `ifname` inside a namespace (root side keeps its unique
   * name, returned in the result), given its addresses and brought up.
   */
  async veth(
    a: { ns: string; ifname?: string; addr4?: string; addr6?: string },
    b: { ns: string | null; ifname?: string; addr4?: string; addr6?: string },
  ): Promise<{ a: string; b: string }> {
    const tmpA = this.ifname('a');
    const tmpB = this.ifname('b');
    await run(['ip', 'link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    const setup = async (side: typeof a | typeof b, tmp: string): Promise<string> => {
      if (side.ns === null) {
        this.rootLinks.push(tmp);
        if (side.addr4) await run(['ip', 'addr', 'add', side.addr4, 'dev', tmp]);
        if (side.addr6) await run(['ip', 'addr', 'add', side.addr6, 'dev', tmp, 'nodad']);
        await run(['ip', 'link', 'set', tmp, 'up']);
        return tmp;
      }
      const final = side.ifname ?? tmp;
      await run(['ip', 'link', 'set', tmp, 'netns', side.ns]);
      if (final !== tmp) await run(['ip', '-n', side.ns, 'link', 'set', tmp, 'name', final]);
      if (side.addr4) await run(['ip', '-n', side.ns, 'addr', 'add', side.addr4, 'dev', final]);
      if (side.addr6) await run(['ip', '-n', side.ns, 'addr', 'add', side.addr6, 'dev', final, 'nodad']);
      await run(['ip', '-n', side.ns, 'link', 'set', final, 'up']);
      return final;
    };
    const ia = await setup(a, tmpA);
    const ib = await setup(b, tmpB);
    return { a: ia, b: ib };
  }

  /**
   * A LAN: a switch namespace with a bridge, one namespace per host attached to it (each with
   * `eth0`), and optionally the root namespace attached too (`rootAddr4`), so that code running
   * in the test process reaches the hosts. Returns the host namespace names by host name.
   */
  async lan(
    hosts: HostSpec[],
    opts: { rootAddr4?: string; rootAddr6?: string } = {},
  ): Promise<{ switchNs: string; hosts: Record<string, string>; rootIf?: string }> {
    const sw = await this.ns('sw');
    await run(['ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    await run(['ip', '-n', sw, 'link', 'set', 'br0', 'up']);
    const out: Record<string, string> = {};
    for (const h of hosts) {
      const ns = await this.ns(h.name);
      const { b } = await this.veth({ ns, ifname: 'eth0', addr4: h.addr4, addr6: h.addr6 }, { ns: sw });
      await run(['ip', '-n', sw, 'link', 'set', b, 'master', 'br0']);
      out[h.name] = ns;
    }
    let rootIf: string | undefined;
    if (opts.rootAddr4 || opts.rootAddr6) {
      const { a, b } = await this.veth(
        { ns: sw },
        { ns: null, addr4: opts.rootAddr4, addr6: opts.rootAddr6 },
      );
      await run(['ip', '-n', sw, 'link', 'set', a, 'master', 'br0']);
      rootIf = b;
    }
    return { switchNs: sw, hosts: out, rootIf };
  }

  /** Runs a command inside a namespace (argument array, no shell). */
  exec(ns: string, argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    return run(['ip', 'netns', 'exec', ns, ...argv], opts);
  }

  /** Starts a long-running process inside a namespace; it is killed by `destroy()`. */
  spawn(ns: string | null, argv: string[], opts: { stdio?: 'ignore' | 'pipe' } = {}): ChildProcess {
    const full = ns === null ? argv : ['ip', 'netns', 'exec', ns, ...argv];
    const child = spawn(full[0], full.slice(1), { stdio: opts.stdio ?? 'ignore', detached: true });
    this.procs.push(child);
    return child;
  }

  /** Kills every process started here, deletes every namespace and root-side link. */
  async destroy(): Promise<void> {
    for (const p of this.procs) {
      if (p.exitCode === null && p.pid) {
        try {
          process.kill(-p.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    for (const p of this.procs) {
      if (p.exitCode === null && p.pid) {
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    for (const l of this.rootLinks) await run(['ip', 'link', 'del', l]).catch(() => undefined);
    for (const n of this.namespaces.reverse()) await run(['ip', 'netns', 'del', n]).catch(() => undefined);
    this.namespaces.length = 0;
    this.rootLinks.length = 0;
  }
}

/**
 * A /24 for one lab that no route of this machine uses yet, in 10.200.0.0-10.255.255.0, so
 * parallel test files get different subnets. Returns the first three octets, e.g. `10.213.7`.
 * The third octet is never 0: labs derive IPv6 prefixes from it (`fd53:d5:7::`), and a zero
 * group would make their text differ from the canonical form tools print.
 */
export async function freeSubnet24(): Promise<string> {
  const { stdout } = await run(['ip', '-4', 'route', 'show', 'table', 'all']);
  for (let tries = 0; tries < 200; tries++) {
    const b = 200 + Math.floor(Math.random() * 56);
    const c = 1 + Math.floor(Math.random() * 255);
    const net = `10.${b}.${c}`;
    if (!stdout.includes(net + '.')) return net;
  }
  throw new Error('no free 10.200-255.x.0/24 subnet found');
}

/** Waits until `probe` resolves true, polling; throws after `timeoutMs`. */
export async function waitFor(
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await probe()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
