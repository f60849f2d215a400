/**
 * The state one user of the facade works in: a Sentra script run, the daemon, or a TypeScript
 * program. It owns what its calls started (monitors, captures, proxies) and stops them in
 * {@link ApiContext.dispose}; it opens the firewall on first use; its maps rename interfaces
 * (`--iface-map`) and targets (`--target-map`) and refuse targets outside a confined run.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import {
  Firewall,
  type FirewallFunctions,
  type FirewallOptions,
  firewallFunctions,
} from '../firewall/index.js';
import { createRunContext, type HostFunctionTable, type ScriptHost } from '../lang/host.js';
import { networkScriptHost } from '../monitor/script-host.js';
import { getForwardProxy, getReverseProxy, proxyStop, reverseProxyStop } from '../proxy/api.js';
import { TargetMap } from './target-map.js';

export interface ApiContextOptions {
  /**
   * How the firewall is opened on the first `firewall_*` call (backend, netns, table, dbPath),
   * or an open Firewall to share (the daemon's, whose IDS response bans through it too); a
   * shared one is not closed by {@link ApiContext.dispose}.
   */
  readonly firewall?: FirewallOptions | Firewall;
  /** Interface names callers use -> the real ones (`--iface-map eth0=veth0`). */
  readonly ifaceMap?: ReadonlyMap<string, string>;
  /** Target renaming and confinement (`--target-map`). */
  readonly targetMap?: TargetMap;
  /** Aborts long operations (scans) when the caller stops (script timeout, daemon shutdown). */
  readonly signal?: AbortSignal;
}

export class ApiContext {
  readonly targets: TargetMap;
  readonly signal: AbortSignal;
  private readonly ifaceMap: ReadonlyMap<string, string>;
  private readonly firewallOptions: FirewallOptions | Firewall;
  private firewallOpening: Promise<{ fw: Firewall; functions: FirewallFunctions }> | null = null;
  private networkHost: Promise<ScriptHost> | null = null;
  private readonly forwardIds = new Set<string>();
  private readonly reverseIds = new Set<string>();
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  private disposed = false;

  constructor(options: ApiContextOptions = {}) {
    this.targets = options.targetMap ?? new TargetMap();
    this.signal = options.signal ?? new AbortController().signal;
    this.ifaceMap = options.ifaceMap ?? new Map();
    this.firewallOptions = options.firewall ?? {};
  }

  /** The real name of an interface the caller named. */
  mapInterface(name: string): string {
    return this.ifaceMap.get(name) ?? name;
  }

  /** The address/name/CIDR to use for a target; throws TARGET_NOT_ALLOWED outside a confined run. */
  mapTarget(target: string, what: string): string {
    return this.targets.map(target, what);
  }

  /** Renames a firewall address or CIDR (`any` stays); never refused: a rule sends nothing. */
  mapRuleAddress(addr: string): string {
    return addr.trim().toLowerCase() === 'any' ? addr : this.targets.map(addr, 'address', { confine: false });
  }

  /** The spec's firewall functions over this context's firewall, opened on first use. */
  async firewall(): Promise<FirewallFunctions> {
    return (await this.openFirewall()).functions;
  }

  /** The context's {@link Firewall} itself (opened on first use), e.g. for an alert responder. */
  async firewallInstance(): Promise<Firewall> {
    return (await this.openFirewall()).fw;
  }

  private async openFirewall(): Promise<{ fw: Firewall; functions: FirewallFunctions }> {
    this.assertOpen();
    if (this.firewallOpening === null) {
      const given = this.firewallOptions;
      const opened = given instanceof Firewall ? Promise.resolve(given) : Firewall.open(given);
      const opening = opened.then((fw) => ({ fw, functions: firewallFunctions(fw) }));
      // a failed open (no nft, no permission) is reported now and tried again on the next call
      opening.catch(() => {
        if (this.firewallOpening === opening) this.firewallOpening = null;
      });
      this.firewallOpening = opening;
    }
    return this.firewallOpening;
  }

  /**
   * The capture and monitor functions (src/monitor's script host), with this context's own
   * capture and monitor registries and interface map.
   */
  async network(): Promise<HostFunctionTable> {
    this.assertOpen();
    if (this.networkHost === null) {
      const ctx = createRunContext({
        file: '<api>',
        ifaceMap: this.ifaceMap,
        signal: this.signal,
        write: () => {},
      });
      this.networkHost = Promise.resolve(networkScriptHost.start(ctx));
    }
    return (await this.networkHost).functions;
  }

  /** Records a forward proxy started here, so that dispose() stops it. */
  ownForwardProxy(id: string): void {
    this.forwardIds.add(id);
  }

  ownReverseProxy(id: string): void {
    this.reverseIds.add(id);
  }

  forgetProxy(id: string): void {
    this.forwardIds.delete(id);
    this.reverseIds.delete(id);
  }

  /** Runs `fn` when the context is disposed (other modules' resources, e.g. an IDS engine). */
  onDispose(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  /**
   * Stops everything started through this context: proxies, monitors, captures, registered
   * cleanups; closes the firewall's store. Firewall rules stay in the kernel (a ban outlives
   * the script that made it). Errors are collected and thrown together at the end.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const errors: string[] = [];
    const attempt = async (what: string, fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (const fn of this.cleanups.reverse()) await attempt('cleanup', fn);
    for (const id of this.forwardIds) {
      if (exists(() => getForwardProxy(id))) await attempt(id, () => proxyStop(id));
    }
    for (const id of this.reverseIds) {
      if (exists(() => getReverseProxy(id))) await attempt(id, () => reverseProxyStop(id));
    }
    if (this.networkHost !== null) {
      const host = await this.networkHost;
      await attempt('network', () => host.dispose?.());
    }
    if (this.firewallOpening !== null && !(this.firewallOptions instanceof Firewall)) {
      await attempt('firewall', async () => (await this.firewallOpening)?.fw.close());
    }
    if (errors.length > 0) {
      throw new SentraError(ErrorCodes.INTERNAL, `stopping the API context: ${errors.join('; ')}`);
    }
  }

  private assertOpen(): void {
    if (this.disposed) throw new SentraError(ErrorCodes.INVALID_STATE, 'this API context was disposed');
  }
}

function exists(get: () => unknown): boolean {
  try {
    get();
    return true;
  } catch {
    return false;
  }
}
