/**
 * Loads the optional flow addon (`build/Release/sentra_flow.node`, built from `native/flow/` by
 * `scripts/build-native.mjs`): the numeric columns of a CIC CSV row written in C++. Without it
 * (not built, another platform, `SENTRA_FLOW_NATIVE=0`, or built for another slot layout) the
 * writers use their JavaScript code, which writes the same bytes.
 *
 * The path is resolved from this file: `src/flow/` and `dist/flow/` both sit two levels below
 * the project root, next to `build/`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIR_SLOTS, F_DIR, FLOW_SLOTS, KEY_WORDS } from './layout.js';

/** The functions of native/flow/cic_row.cc. */
export interface FlowAddon {
  abiVersion: number;
  /**
   * The slab chunk and key chunk that {@link FlowAddon.row} reads (the caller keeps them
   * alive); returns the new bind generation.
   */
  bindFlows(F: Float64Array, K: Uint32Array): number;
  /**
   * Where rows go, the timestamp text (`stamp[0]` its length, then the text; 64 bytes) and the
   * label (the caller keeps them alive); returns the new bind generation.
   */
  bindOutput(out: Uint8Array, stamp: Uint8Array, label: Uint8Array): number;
  /**
   * Writes the CSV row of the flow at slab index `base` and key index `kbase` into the bound
   * output at `pos`: the whole row (`whole` 1, IPv4 flows) or from the first numeric column to
   * the newline (`whole` 0); returns the new position, -2 if `generation` is not the latest
   * bind's (bind again), -1 if an index is out of range. Needs 4096 bytes of room plus the label.
   */
  row(base: number, kbase: number, pos: number, whole: number, generation: number): number;
  /**
   * Writes each value as `String(value)` and a newline (through the row writer's cache when
   * `cached`); returns the bytes written (-1: out too small, 26 bytes a value and 32 more).
   */
  formatNumbers(values: Float64Array, out: Uint8Array, cached: boolean): number;
  /** The slot layout the addon was compiled with (see layoutSignature in the C++). */
  layoutSignature(): number;
  /** The capture engine's version (native/flow/engine.cc); absent in older builds. */
  engineVersion?: number;
  /**
   * A capture engine (flow table and CIC row writer in C++): `config` is idle µs, active µs,
   * TCP teardown (0/1), RST linger (0/1), close linger µs, byte mode (0 link, 1 ip, 2 payload),
   * maximum flows; `label` the last column's text.
   */
  engineCreate(config: Float64Array, label: Uint8Array): CaptureEngine;
  /**
   * Walks the pcap records of `buf[pos, end)`; `io[0]` tells why it stopped (see
   * capture-engine.ts), `io[1]` where.
   */
  engineIngest(
    e: CaptureEngine,
    buf: Uint8Array,
    pos: number,
    end: number,
    linkType: number,
    littleEndian: boolean,
    nano: boolean,
    io: Float64Array,
  ): void;
  /** One packet decoded by JavaScript: its key (as packetKey writes it) and facts. */
  enginePacket(
    e: CaptureEngine,
    key: Uint32Array,
    ts: number,
    bytes: number,
    payload: number,
    header: number,
    flags: number,
    window: number,
  ): void;
  /** One packet decoded by JavaScript that belongs to no flow. */
  engineSkip(e: CaptureEngine): void;
  /**
   * Ends every flow (end of input); false when it stopped to let the CSV written so far be
   * taken (call again), true when the table is empty.
   */
  engineFlush(e: CaptureEngine): boolean;
  /** The CSV written since the last call, or null. */
  engineTake(e: CaptureEngine): Buffer | null;
  /** Counters (see EngineStats in engine.cc). */
  engineStats(e: CaptureEngine, out: Float64Array): void;
  /** Releases the engine's memory now. */
  engineFree(e: CaptureEngine): void;
}

/** An opaque handle to a native capture engine. */
export type CaptureEngine = { readonly __captureEngine: unique symbol };

const EXPECTED_ABI = 1;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let loaded: FlowAddon | null | undefined;

/** The flow addon, or null when it is absent, disabled or does not match this code. */
export function flowAddon(): FlowAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.SENTRA_FLOW_NATIVE === '0') return loaded;
  const file = [
    path.join(ROOT, 'build', 'Release', 'sentra_flow.node'),
    path.join(ROOT, 'build', 'Debug', 'sentra_flow.node'),
  ].find((f) => existsSync(f));
  if (file === undefined) return loaded;
  try {
    const a = createRequire(import.meta.url)(file) as FlowAddon;
    const layout = FLOW_SLOTS * 1e6 + F_DIR * 1e3 + DIR_SLOTS * 10 + (KEY_WORDS - 10);
    if (a.abiVersion === EXPECTED_ABI && a.layoutSignature() === layout) loaded = a;
  } catch {
    // a stale or foreign build: the JavaScript writer does the same work
  }
  return loaded;
}
