/** The builtin functions every script has, created for one runtime (output goes to its writer). */
import type { Runtime } from '../runtime.js';
import { collectionBuiltins } from './collections.js';
import { coreBuiltins } from './core.js';
import { type BuiltinFn, makeBuiltin } from './define.js';
import { mathBuiltins } from './math.js';
import { stringBuiltins } from './strings.js';

export function createBuiltins(rt: Runtime, write: (text: string) => void): Map<string, BuiltinFn> {
  const out = new Map<string, BuiltinFn>();
  for (const spec of [
    ...coreBuiltins(rt, write),
    ...collectionBuiltins(),
    ...stringBuiltins(),
    ...mathBuiltins(),
  ]) {
    if (out.has(spec.name)) throw new Error(`internal: builtin '${spec.name}' defined twice`);
    out.set(spec.name, makeBuiltin(spec));
  }
  return out;
}

/** The names of all builtins (for docs, the REPL and host-name clash checks). */
export const BUILTIN_NAMES: readonly string[] = [...createBuiltins({} as Runtime, () => {}).keys()].sort();
