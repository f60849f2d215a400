/**
 * Loads Sentra's libpcap addon (`build/Release/sentra_pcap.node`, built from `native/` by
 * `scripts/build-native.mjs` during `npm install`). The addon is optional: when it is missing
 * or cannot load, every function of this folder that needs it throws
 * `SENTRA_ERR_CAPTURE_UNAVAILABLE` with the package to install, and the rest of Sentra works.
 *
 * The path is resolved from this file: `src/capture/` (tests, tsx) and `dist/capture/` (the
 * built CLI) both sit two levels below the project root, next to `build/`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, SentraError } from '../errors.js';

/** An opaque native handle (a Node-API external). */
export type NativeHandle = { readonly __native: unique symbol };

/** Counters as the addon reports them. */
export interface NativeStats {
  received: number;
  droppedKernel: number;
  droppedInterface: number;
  captured: number;
  droppedQueue: number;
  waits: number;
}

export interface NativeOpenOptions {
  snaplen?: number;
  promisc?: boolean;
  immediate?: boolean;
  bufferSize?: number;
  timeoutMs?: number;
  netns?: string;
  nano?: boolean;
}

export interface NativeDevice {
  name: string;
  description: string;
  flags: number;
  addresses: { family: 4 | 6; addr: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
}

/** The functions `native/` exports (see the C sources for each one's contract). */
export interface PcapAddon {
  abiVersion: number;
  libVersion(): string;
  linkTypeName(dlt: number): string;
  findAllDevs(netns?: string): NativeDevice[];
  compileFilter(expr: string, linkType: number, snaplen: number, optimize: boolean): Uint32Array;
  open(
    device: string,
    opts: NativeOpenOptions,
  ): { handle: NativeHandle; linkType: number; nano: boolean; warning: string };
  start(
    handle: NativeHandle,
    onBatch: (slot: number, count: number, error?: string) => void,
    slots: number,
    slotSize: number,
    backpressure: boolean,
  ): ArrayBuffer[];
  close(handle: NativeHandle): void;
  stats(handle: NativeHandle): NativeStats;
  setFilter(handle: NativeHandle, expr: string, optimize: boolean): void;
  inject(handle: NativeHandle, frame: Uint8Array): number;
  ref(handle: NativeHandle, on: boolean): void;
  rawOpen(family: 4 | 6, opts: { netns?: string; device?: string }): NativeHandle;
  rawSend(handle: NativeHandle, packet: Uint8Array, dst: string): number;
  rawClose(handle: NativeHandle): void;
}

/** The ABI of native/ this TypeScript expects; bumped together with addon.c. */
const EXPECTED_ABI = 1;

/** Project root: two levels above this file, in src/capture/ as in dist/capture/. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the addon is looked for, in order. `SENTRA_PCAP_ADDON` names an explicit file. */
export function addonCandidates(): string[] {
  const explicit = process.env.SENTRA_PCAP_ADDON;
  if (explicit) return [path.resolve(explicit)];
  return [
    path.join(PROJECT_ROOT, 'build', 'Release', 'sentra_pcap.node'),
    path.join(PROJECT_ROOT, 'build', 'Debug', 'sentra_pcap.node'),
  ];
}

const REBUILD = `node ${path.join(PROJECT_ROOT, 'scripts', 'build-native.mjs')}`;

let loaded: PcapAddon | undefined;
let failure: SentraError | undefined;

function unavailable(reason: string, hint: string, details: Record<string, unknown>): SentraError {
  return new SentraError(
    ErrorCodes.CAPTURE_UNAVAILABLE,
    `live capture is unavailable: ${reason}.${hint ? ` ${hint}` : ''}`,
    {
      details,
    },
  );
}

function load(): PcapAddon {
  if (process.platform !== 'linux') {
    throw unavailable(`live capture is supported on Linux only (this is ${process.platform})`, '', {
      platform: process.platform,
    });
  }
  const candidates = addonCandidates();
  const file = candidates.find((c) => existsSync(c));
  if (!file) {
    throw unavailable(
      'the libpcap addon was not built (libpcap-dev was probably missing when Sentra was installed)',
      `Install it with \`apt-get install libpcap-dev\`, then rebuild the addon with \`${REBUILD}\`.`,
      { searched: candidates, package: 'libpcap-dev' },
    );
  }
  const require = createRequire(import.meta.url);
  let addon: PcapAddon;
  try {
    addon = require(file) as PcapAddon;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/libpcap\.so/.test(msg)) {
      throw unavailable(
        `the libpcap library is missing (${msg.split('\n')[0]})`,
        'Install it with `apt-get install libpcap0.8` (or libpcap-dev).',
        { path: file, package: 'libpcap0.8' },
      );
    }
    throw unavailable(
      `the libpcap addon at ${file} does not load (${msg.split('\n')[0]})`,
      `Rebuild it with \`${REBUILD}\`.`,
      { path: file },
    );
  }
  if (addon.abiVersion !== EXPECTED_ABI) {
    throw unavailable(
      `the libpcap addon at ${file} is from another Sentra version (ABI ${addon.abiVersion}, expected ${EXPECTED_ABI})`,
      `Rebuild it with \`${REBUILD}\`.`,
      { path: file },
    );
  }
  return addon;
}

/**
 * The loaded addon. Throws `SENTRA_ERR_CAPTURE_UNAVAILABLE` (the same error every time) when it
 * is missing or broken.
 */
export function loadPcapAddon(): PcapAddon {
  if (loaded) return loaded;
  if (failure) throw failure;
  try {
    loaded = load();
    return loaded;
  } catch (e) {
    failure = e as SentraError;
    throw failure;
  }
}

/** Whether live capture can work here, and if not, why (the error's message). */
export function captureAvailability(): { available: boolean; reason?: string; libpcapVersion?: string } {
  try {
    const a = loadPcapAddon();
    return { available: true, libpcapVersion: a.libVersion() };
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
}
