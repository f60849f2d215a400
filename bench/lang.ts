/**
 * The Sentra interpreter against CPython running the same programs, in the same run.
 * Each workload is timed inside its process (start-up excluded), best of 3.
 *
 *   npx tsx bench/lang.ts
 */
import { execFileSync } from 'node:child_process';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { createInterpreter } from '../src/lang/interpreter.js';
import { markdownTable, toolVersion, writeResults } from './lib/results.js';

interface Workload {
  name: string;
  sentra: string;
  python: string | null;
  hostFunctions?: Record<string, (...a: never[]) => unknown>;
}

const workloads: Workload[] = [
  {
    name: 'while loop, 1e6 iterations (sum)',
    sentra: 'let i = 0\nlet s = 0\nwhile i < 1000000 { s = s + i; i = i + 1 }',
    python: 'i = 0\ns = 0\nwhile i < 1000000:\n    s = s + i\n    i = i + 1',
  },
  {
    name: 'for-in over range(1e6)',
    sentra: 'let s = 0\nfor i in range(1000000) { s += i }',
    python: 's = 0\nfor i in range(1000000):\n    s += i',
  },
  {
    name: 'recursive fib(25) (242785 calls)',
    sentra: 'fn fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }\nfib(25)',
    python: 'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\nfib(25)',
  },
  {
    name: '200k maps built, then a field summed',
    sentra:
      'let xs = []\nfor i in range(200000) { push(xs, {"ip": "10.0.0." + str(i % 256), "bytes": i}) }\n' +
      'let t = 0\nfor x in xs { t += x.bytes }',
    python:
      'xs = []\nfor i in range(200000):\n    xs.append({"ip": "10.0.0." + str(i % 256), "bytes": i})\n' +
      't = 0\nfor x in xs:\n    t += x["bytes"]',
  },
  {
    name: '100k string concatenations',
    sentra: 'let s = ""\nfor i in range(100000) { s = s + str(i) }\nlen(s)',
    python: 's = ""\nfor i in range(100000):\n    s = s + str(i)\nlen(s)',
  },
  {
    name: '100k calls to a synchronous host function',
    sentra: 'let t = 0\nfor i in range(100000) { t += host_sync(i) }',
    python: null,
    hostFunctions: { host_sync: (x: number) => x + 1 },
  },
  {
    name: '100k calls to an async host function',
    sentra: 'let t = 0\nfor i in range(100000) { t += host_async(i) }',
    python: null,
    hostFunctions: { host_async: async (x: number) => x + 1 },
  },
];

async function timeSentra(w: Workload): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    const interp = createInterpreter({ stdout: () => {}, hostFunctions: w.hostFunctions });
    const t0 = performance.now();
    await interp.run(w.sentra, 'bench.sn');
    best = Math.min(best, performance.now() - t0);
    await yieldNow();
  }
  return best;
}

function timePython(code: string): number | null {
  const prog =
    'import time\nbest = 1e9\nsrc = ' +
    JSON.stringify(code) +
    '\nfor _ in range(3):\n    g = {}\n    t0 = time.perf_counter()\n    exec(src, g)\n    best = min(best, time.perf_counter() - t0)\nprint(best * 1000)';
  try {
    return Number(execFileSync('python3', ['-c', prog], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

const rows: (string | number)[][] = [];
for (const w of workloads) {
  const s = await timeSentra(w);
  const p = w.python === null ? null : timePython(w.python);
  rows.push([w.name, s.toFixed(1), p === null ? '-' : p.toFixed(1), p === null ? '-' : (s / p).toFixed(2)]);
  process.stdout.write(
    `${w.name}: sentra ${s.toFixed(1)} ms, python ${p === null ? '-' : p.toFixed(1)} ms\n`,
  );
}
const python = toolVersion('python3');
const table = markdownTable(['workload', 'Sentra (ms)', `${python} (ms)`, 'Sentra / Python'], rows);
console.log(`\n${table}`);
writeResults(
  'lang',
  'Sentra interpreter vs CPython',
  `Same programs, timed inside each process (start-up excluded), best of 3. The machine is shared with
other work; differences under ~20% are noise.\n\n${table}`,
);
