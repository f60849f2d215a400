/**
 * The shared test corpus lives outside the repository, at ../shared/corpus relative to the
 * project root. Tests read it in place and fail (never skip) with a clear message when a file
 * they need is missing.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_ROOT = path.resolve(PROJECT_ROOT, process.env.SENTRA_SHARED ?? '../shared');
export const CORPUS_ROOT = path.join(SHARED_ROOT, 'corpus');

/** Absolute path of a corpus file; throws with the expected location if it is missing. */
export function corpusPath(...parts: string[]): string {
  const p = path.join(CORPUS_ROOT, ...parts);
  if (!existsSync(p)) {
    throw new Error(
      `test corpus file missing: ${p}\n` +
        `The shared corpus is expected at ${CORPUS_ROOT} (set SENTRA_SHARED to the shared/ folder).`,
    );
  }
  return p;
}

/** Path of a file under ../shared (spec, sentra-examples, tools). */
export function sharedPath(...parts: string[]): string {
  const p = path.join(SHARED_ROOT, ...parts);
  if (!existsSync(p)) throw new Error(`shared file missing: ${p}`);
  return p;
}

/** Every file under a corpus folder whose name ends with one of `exts`, sorted. */
export function corpusFiles(dir: string, exts: string[] = ['.pcap', '.pcapng', '.cap']): string[] {
  const root = corpusPath(dir);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
