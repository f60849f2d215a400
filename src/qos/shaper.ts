/**
 * Traffic shaping per address with tc: HTB classes and u32 filters on the egress of an
 * interface, and on its ingress through an ifb device. Sentra only changes qdiscs it created
 * (or the system defaults it replaces); it refuses to touch an interface that carries someone
 * else's qdisc. State is kept in SQLite so that `list` and `clear` know what is Sentra's.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, SentraError } from '../errors.js';
import { parseInterfaceName, parseNetnsName, parseTarget } from '../firewall/validate.js';
import { runCommand } from '../sys/exec.js';
import { dataFile } from '../sys/paths.js';
import { formatRate, parseRate } from './rate.js';
import { type QosDirection, type QosLimit, QosStore } from './store.js';
import {
  type ClassStats,
  classArgs,
  classId,
  DEFAULT_QDISCS,
  delClassArgs,
  delFilterArgs,
  delIngressQdiscArgs,
  delRootQdiscArgs,
  filterArgs,
  ifbName,
  ingressQdiscArgs,
  parseClassStats,
  parseQdiscs,
  QOS_HANDLE,
  redirectArgs,
  rootQdiscArgs,
} from './tc-commands.js';

export interface QosOptions {
  /** Run every command inside this network namespace. */
  netns?: string;
  /** SQLite file. Default `qos[-netns-NS][-dryrun].db` in the data directory. */
  dbPath?: string;
  /** Print (through `onCommand`) instead of running the commands that change anything. */
  dryRun?: boolean;
  onCommand?: (argv: string[]) => void;
}

/** A bandwidth limit for one address on one interface and direction. */
export interface LimitInput {
  /** IP address or CIDR whose traffic is limited. */
  address: string;
  interface: string;
  /** `10mbit`, `512kbit`, or a number of kbit/s. */
  rate: string | number;
  /** Borrowing ceiling; default = rate (a hard limit). */
  ceil?: string | number;
  /** `egress`: traffic sent to the address; `ingress`: traffic received from it. Default egress. */
  direction?: QosDirection;
  /** HTB priority 0 (first) to 7. Default 3. */
  priority?: number;
}

/** A limit as reported (snake_case like every Sentra result). */
export interface QosLimitRecord {
  id: string;
  address: string;
  interface: string;
  direction: QosDirection;
  /** Which address field is matched: dst for egress, src for ingress. */
  match: 'src' | 'dst';
  /** The device whose qdisc shapes: the interface, or its ifb for ingress. */
  device: string;
  rate_kbit: number;
  ceil_kbit: number;
  rate: string;
  priority: number;
  class_id: string;
  created_at: number;
  /** From the kernel; null when the class is missing (removed by hand). */
  sent_bytes: number | null;
  sent_packets: number | null;
  dropped: number | null;
}

export class QosManager {
  readonly store: QosStore;
  readonly dryRun: boolean;
  /** Commands that changed (or in a dry run, would have changed) the kernel. */
  readonly commands: string[][] = [];
  private readonly netns?: string;
  private readonly onCommand?: (argv: string[]) => void;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: QosOptions = {}) {
    this.netns = opts.netns === undefined ? undefined : parseNetnsName(opts.netns);
    this.dryRun = opts.dryRun ?? false;
    this.onCommand = opts.onCommand;
    this.store = new QosStore(
      opts.dbPath ??
        dataFile(`qos${this.netns ? `-netns-${this.netns}` : ''}${this.dryRun ? '-dryrun' : ''}.db`),
    );
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Read-only commands run even in a dry run. */
  private async query(argv: string[], okCodes?: number[]): Promise<string> {
    const r = await runCommand(argv, { netns: this.netns, packageHint: 'iproute2', okCodes });
    return r.stdout;
  }

  private async exec(argv: string[], okCodes?: number[]): Promise<void> {
    this.commands.push(argv);
    this.onCommand?.(argv);
    if (this.dryRun) return;
    try {
      await runCommand(argv, { netns: this.netns, packageHint: 'iproute2', okCodes });
    } catch (e) {
      if (e instanceof SentraError && e.code === ErrorCodes.COMMAND_FAILED) {
        const stderr = String(e.details.stderr ?? '').trim();
        if (/Operation not permitted/.test(stderr)) {
          throw new SentraError(
            ErrorCodes.PERMISSION_DENIED,
            `${argv.slice(0, 3).join(' ')} needs root: ${stderr}`,
            {
              cause: e,
            },
          );
        }
        throw new SentraError(
          ErrorCodes.FIREWALL_BACKEND,
          `${argv.join(' ')} failed: ${stderr.split('\n')[0]}`,
          {
            cause: e,
            details: e.details,
          },
        );
      }
      throw e;
    }
  }

  private async ifindex(dev: string): Promise<number> {
    let out: string;
    try {
      out = await this.query(['ip', '-j', 'link', 'show', 'dev', dev]);
    } catch {
      throw new SentraError(ErrorCodes.NOT_FOUND, `no network interface ${dev}`, {
        details: { interface: dev },
      });
    }
    const doc = JSON.parse(out) as { ifindex?: number }[];
    if (!doc[0]?.ifindex) throw new SentraError(ErrorCodes.NOT_FOUND, `no network interface ${dev}`);
    return doc[0].ifindex;
  }

  private async linkExists(dev: string): Promise<boolean> {
    try {
      await this.query(['ip', 'link', 'show', 'dev', dev]);
      return true;
    } catch {
      return false;
    }
  }

  private async qdiscs(dev: string) {
    try {
      return parseQdiscs(await this.query(['tc', '-j', 'qdisc', 'show', 'dev', dev]));
    } catch (e) {
      // in a dry run the ifb we would have created does not exist
      if (this.dryRun) return [];
      throw e;
    }
  }

  /** Puts Sentra's HTB root on `dev` unless it is there; refuses a qdisc someone else set up. */
  private async ensureRoot(dev: string): Promise<void> {
    const root = (await this.qdiscs(dev)).find((q) => q.root);
    if (root && root.kind === 'htb' && root.handle === QOS_HANDLE) return;
    if (root && !DEFAULT_QDISCS.has(root.kind)) {
      throw new SentraError(
        ErrorCodes.QOS_FOREIGN_QDISC,
        `${dev} has a ${root.kind} qdisc (handle ${root.handle}) that Sentra did not create; remove it first (tc qdisc del dev ${dev} root)`,
        { details: { interface: dev, kind: root.kind, handle: root.handle } },
      );
    }
    await this.exec(rootQdiscArgs(dev));
  }

  /** Redirects `dev`'s ingress to its ifb (created when needed) and returns the ifb's name. */
  private async ensureIngress(dev: string): Promise<string> {
    const ifb = ifbName(await this.ifindex(dev));
    const ours = this.store.all(dev).some((l) => l.direction === 'ingress');
    if (!ours) {
      const qd = await this.qdiscs(dev);
      if (qd.some((q) => q.ingress)) {
        throw new SentraError(
          ErrorCodes.QOS_FOREIGN_QDISC,
          `${dev} already has an ingress qdisc that Sentra did not create; remove it first (tc qdisc del dev ${dev} ingress)`,
          { details: { interface: dev } },
        );
      }
      if (!(await this.linkExists(ifb))) await this.exec(['ip', 'link', 'add', ifb, 'type', 'ifb']);
      await this.exec(['ip', 'link', 'set', ifb, 'up']);
      await this.exec(ingressQdiscArgs(dev));
      await this.exec(redirectArgs(dev, ifb));
    }
    await this.ensureRoot(ifb);
    return ifb;
  }

  /** Limits the bandwidth of an address on an interface (replacing its previous limit there). */
  limit(input: LimitInput): Promise<QosLimitRecord> {
    return this.exclusive(async () => {
      const dev = parseInterfaceName(input.interface);
      const target = parseTarget(input.address);
      const rate = parseRate(input.rate);
      const ceil = input.ceil === undefined || input.ceil === null ? rate : parseRate(input.ceil);
      if (ceil < rate) throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'ceil must be at least the rate');
      const direction = input.direction ?? 'egress';
      if (direction !== 'egress' && direction !== 'ingress') {
        throw new SentraError(
          ErrorCodes.INVALID_ARGUMENT,
          `invalid direction ${JSON.stringify(String(direction))}`,
        );
      }
      const priority = input.priority ?? 3;
      if (!Number.isInteger(priority) || priority < 0 || priority > 7) {
        throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'priority must be an integer 0-7');
      }
      await this.ifindex(dev);
      const old = this.store.find(dev, direction, target.text);
      if (old) await this.removeClass(old);
      const shapeDev = direction === 'egress' ? dev : await this.ensureIngress(dev);
      if (direction === 'egress') await this.ensureRoot(dev);
      const minor = old?.minor ?? this.store.freeMinor(dev, direction);
      await this.exec(classArgs(shapeDev, minor, rate, ceil, priority));
      try {
        await this.exec(filterArgs(shapeDev, minor, target, direction === 'egress' ? 'dst' : 'src'));
      } catch (e) {
        await this.exec(delClassArgs(shapeDev, minor), [2]).catch(() => undefined);
        throw e;
      }
      const limit: QosLimit = {
        id: old?.id ?? 'qos-' + randomBytes(6).toString('hex'),
        iface: dev,
        direction,
        address: target.text,
        rateKbit: rate,
        ceilKbit: ceil,
        priority,
        minor,
        createdAt: Date.now(),
      };
      if (old) this.store.delete(old.id);
      this.store.insert(limit);
      return this.toRecord(limit, shapeDev, undefined);
    });
  }

  private async shapeDevice(l: QosLimit): Promise<string> {
    return l.direction === 'egress' ? l.iface : ifbName(await this.ifindex(l.iface));
  }

  /** Removes a limit's filter and class from the kernel. */
  private async removeClass(l: QosLimit): Promise<boolean> {
    if (!(await this.linkExists(l.iface))) return false;
    const dev = await this.shapeDevice(l);
    // both may be gone already (interface recreated, removed by hand): not an error
    await this.exec(delFilterArgs(dev, l.minor), [2]).catch(() => undefined);
    await this.exec(delClassArgs(dev, l.minor), [2]).catch(() => undefined);
    return true;
  }

  /** Removes a limit, and Sentra's qdiscs (and ifb) once no other limit uses them. */
  private async removeLimit(l: QosLimit): Promise<void> {
    const present = await this.removeClass(l);
    this.store.delete(l.id);
    if (!present) return;
    const left = this.store.all(l.iface).filter((x) => x.direction === l.direction);
    if (left.length > 0) return;
    if (l.direction === 'egress') {
      await this.exec(delRootQdiscArgs(l.iface), [2]).catch(() => undefined);
    } else {
      const ifb = ifbName(await this.ifindex(l.iface));
      await this.exec(delIngressQdiscArgs(l.iface), [2]).catch(() => undefined);
      await this.exec(['ip', 'link', 'del', ifb], [1]).catch(() => undefined);
    }
  }

  /** Removes limits by id, or by address (optionally on one interface/direction). */
  remove(
    idOrAddress: string,
    opts: { interface?: string; direction?: QosDirection } = {},
  ): Promise<QosLimitRecord[]> {
    return this.exclusive(async () => {
      let list: QosLimit[];
      if (/^qos-[0-9a-f]{12}$/.test(idOrAddress)) {
        const l = this.store.get(idOrAddress);
        list = l ? [l] : [];
      } else {
        const addr = parseTarget(idOrAddress).text;
        const dev = opts.interface === undefined ? undefined : parseInterfaceName(opts.interface);
        list = this.store
          .all(dev)
          .filter((l) => l.address === addr && (!opts.direction || l.direction === opts.direction));
      }
      if (list.length === 0) {
        throw new SentraError(
          ErrorCodes.NOT_FOUND,
          `no traffic limit for ${JSON.stringify(idOrAddress.slice(0, 60))}`,
        );
      }
      const out: QosLimitRecord[] = [];
      for (const l of list) {
        out.push(this.toRecord(l, l.iface, undefined));
        await this.removeLimit(l);
      }
      return out;
    });
  }

  /** Removes every limit Sentra created (on one interface, or everywhere). */
  clear(iface?: string): Promise<{ removed: number }> {
    return this.exclusive(async () => {
      const dev = iface === undefined ? undefined : parseInterfaceName(iface);
      const list = this.store.all(dev);
      for (const l of list) await this.removeLimit(l);
      return { removed: list.length };
    });
  }

  /** Every limit, with the kernel's counters of its class. */
  list(iface?: string): Promise<QosLimitRecord[]> {
    return this.exclusive(async () => {
      const dev = iface === undefined ? undefined : parseInterfaceName(iface);
      const limits = this.store.all(dev);
      const statsByDev = new Map<string, Map<string, ClassStats> | null>();
      const out: QosLimitRecord[] = [];
      for (const l of limits) {
        let shape = l.iface;
        let stats: Map<string, ClassStats> | null = null;
        try {
          shape = await this.shapeDevice(l);
          if (!statsByDev.has(shape)) {
            statsByDev.set(
              shape,
              parseClassStats(await this.query(['tc', '-s', 'class', 'show', 'dev', shape])),
            );
          }
          stats = statsByDev.get(shape) ?? null;
        } catch {
          stats = null;
        }
        out.push(this.toRecord(l, shape, stats ?? new Map()));
      }
      return out;
    });
  }

  private toRecord(l: QosLimit, device: string, stats: Map<string, ClassStats> | undefined): QosLimitRecord {
    const s = stats?.get(classId(l.minor));
    return {
      id: l.id,
      address: l.address,
      interface: l.iface,
      direction: l.direction,
      match: l.direction === 'egress' ? 'dst' : 'src',
      device,
      rate_kbit: l.rateKbit,
      ceil_kbit: l.ceilKbit,
      rate: formatRate(l.rateKbit),
      priority: l.priority,
      class_id: classId(l.minor),
      created_at: l.createdAt / 1000,
      sent_bytes: stats === undefined ? 0 : (s?.sentBytes ?? null),
      sent_packets: stats === undefined ? 0 : (s?.sentPackets ?? null),
      dropped: stats === undefined ? 0 : (s?.dropped ?? null),
    };
  }

  close(): void {
    this.store.close();
  }
}
