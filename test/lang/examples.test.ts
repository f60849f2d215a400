/**
 * The spec's example scripts (../shared/sentra-examples) and the Sentra blocks of the spec itself
 * must parse, and every name they use must be a builtin or one of the spec's 44 functions.
 * Running them against real traffic is the API facade's test (it needs the network modules).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SentraError } from '../../src/errors.js';
import { BUILTIN_NAMES } from '../../src/lang/builtins/index.js';
import { createInterpreter } from '../../src/lang/interpreter.js';
import { parseScript } from '../../src/lang/parser.js';
import { sharedPath } from '../helpers/corpus.js';
import { lines } from './run-helpers.js';

const examplesDir = sharedPath('sentra-examples');
const exampleFiles = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.sn'))
  .sort();
const spec = readFileSync(sharedPath('spec', 'sentra-network-functions.md'), 'utf8');

/** The 44 function names the spec lists, as "- `name(args)` - what it does". */
const specFunctions = [...spec.matchAll(/^- `([a-z_]+)\(/gm)].map((m) => m[1]);
const specBlocks = [...spec.matchAll(/```sentra\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Checks names against the builtins plus `hostNames` (placeholders: check() never calls them). */
function resolves(source: string, file: string, hostNames: string[]): SentraError | null {
  const hostFunctions = Object.fromEntries(hostNames.map((n) => [n, () => null]));
  try {
    createInterpreter({ hostFunctions, stdout: () => {} }).check(source, file);
    return null;
  } catch (e) {
    if (e instanceof SentraError) return e;
    throw e;
  }
}

describe('the spec and its example scripts', () => {
  it('the spec lists 44 distinct functions; none clashes with a builtin', () => {
    expect(specFunctions.length).toBe(44);
    expect(new Set(specFunctions).size).toBe(44);
    expect(specFunctions.filter((n) => BUILTIN_NAMES.includes(n))).toEqual([]);
  });

  it('there are example scripts to check', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(11);
  });

  it.each(exampleFiles)('%s parses, and uses only builtins and spec functions', (name) => {
    const file = path.join(examplesDir, name);
    const source = readFileSync(file, 'utf8');
    const program = parseScript(source, file);
    expect(program.body.length).toBeGreaterThan(0);
    expect(resolves(source, file, specFunctions)).toBeNull();
  });

  it('every Sentra block of the spec parses and uses only builtins and spec functions', () => {
    expect(specBlocks.length).toBeGreaterThanOrEqual(11);
    for (const [i, block] of specBlocks.entries()) {
      expect(resolves(block, `spec-block-${i + 1}.sn`, specFunctions)).toBeNull();
    }
  });

  it('examples that need only builtins run; the others name the spec function they need', async () => {
    const builtinOnly: string[] = [];
    for (const name of exampleFiles) {
      const file = path.join(examplesDir, name);
      const source = readFileSync(file, 'utf8');
      const err = resolves(source, file, []);
      if (err === null) {
        builtinOnly.push(name);
        // none loops forever without a host function, so a plain run must finish
        let out = '';
        await createInterpreter({
          stdout: (t) => {
            out += t;
          },
          signal: AbortSignal.timeout(20_000),
        }).run(source, file);
        expect(out.length).toBeGreaterThan(0);
      } else {
        const missing = /undefined name '([a-z_]+)'/.exec(err.message)?.[1];
        expect(specFunctions).toContain(missing);
      }
    }
    // every example of the spec drives the network: they run with the API facade, not here
    expect(builtinOnly).toEqual([]);
  });
});

describe('the idioms the examples rely on', () => {
  it('push returning the array, "="*60, str(i+1), range(len(x)), services[str(port)], % of totals', async () => {
    const src = `
let results = []
for host in [{"ip": "10.0.0.2", "ports": [22, 80]}, {"ip": "10.0.0.3", "ports": []}] {
  if len(host.ports) > 0 {
    results = push(results, {"ip": host.ip, "scan": {"open_ports": host.ports, "services": {"22": "ssh", "80": "http"}}})
  }
}
log("=" * 10)
for i in range(len(results)) {
  let r = results[i]
  log("  " + str(i+1) + ". " + r.ip)
  for port in r.scan.open_ports {
    log("    Port " + str(port) + ": " + r.scan.services[str(port)])
  }
}
let protocols = {"TCP": 3, "UDP": 1, "ICMP": 0}
let total = protocols.TCP + protocols.UDP + protocols.ICMP
log("  TCP:  " + str(protocols.TCP / total * 100) + "%")
let backend = {"errors": 0, "requests": 0, "healthy": false}
log("  Error rate: " + str(backend.errors / backend.requests * 100) + "%")
if not backend.healthy { log("  unhealthy") }
if backend.healthy and backend.requests == 0 { log("never") }
log("  MB: " + str(3145728 / 1024 / 1024))`;
    expect(await lines(src)).toEqual([
      '==========',
      '  1. 10.0.0.2',
      '    Port 22: ssh',
      '    Port 80: http',
      '  TCP:  75%',
      '  Error rate: NaN%',
      '  unhealthy',
      '  MB: 3',
    ]);
  });
});
