/**
 * Loads the optional IDS literal matcher (`build/Release/sentra_ids.node`, built from
 * `native/ids/` on Hyperscan by `scripts/build-native.mjs` when libhyperscan-dev is
 * installed). Without it (not built, a CPU Hyperscan does not support, or
 * `SENTRA_IDS_NATIVE=0`) every prefilter runs the JavaScript Aho-Corasick, which finds the
 * same patterns.
 *
 * The path is resolved from this file: `src/ids/prefilter/` and `dist/ids/prefilter/` both
 * sit three levels below the project root, next to `build/`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque compiled pattern database. */
export type LiteralDatabase = { readonly __brand: 'LiteralDatabase' };

/** The functions of native/ids/literal_match.c. */
export interface LiteralAddon {
  /**
   * Compiles pattern i = the next `lengths[i]` bytes of `bytes`, case-insensitive (ASCII)
   * when `caseless[i]` is 1. Throws on an empty pattern or a Hyperscan error.
   */
  compile(bytes: Uint8Array, lengths: Int32Array, caseless: Uint8Array): LiteralDatabase;
  /** Writes the ids of the patterns occurring in `buf[start..]` to `out` (each once); returns how many. */
  scan(db: LiteralDatabase, buf: Uint8Array, start: number, out: Int32Array): number;
  validPlatform(): boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let loaded: LiteralAddon | null | undefined;

/** The Hyperscan matcher, or null when it is absent, disabled or this CPU is not supported. */
export function literalAddon(): LiteralAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.SENTRA_IDS_NATIVE === '0') return loaded;
  const file = [
    path.join(ROOT, 'build', 'Release', 'sentra_ids.node'),
    path.join(ROOT, 'build', 'Debug', 'sentra_ids.node'),
  ].find((f) => existsSync(f));
  if (file === undefined) return loaded;
  try {
    const a = createRequire(import.meta.url)(file) as LiteralAddon;
    if (a.validPlatform()) loaded = a;
  } catch {
    // libhs missing at run time or a stale build: the JavaScript matcher does the same work
  }
  return loaded;
}
