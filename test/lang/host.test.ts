import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { createBuiltins } from '../../src/lang/builtins/index.js';
import { compileProgram } from '../../src/lang/compiler/program.js';
import { parseIfaceMap, type RunContext, type ScriptHostProvider } from '../../src/lang/host.js';
import { createInterpreter } from '../../src/lang/interpreter.js';
import { parseScript } from '../../src/lang/parser.js';
import { runScript } from '../../src/lang/run-script.js';
import { Runtime } from '../../src/lang/runtime.js';
import { ScriptAbort, ScriptError } from '../../src/lang/script-error.js';
import { failure, lines, run } from './run-helpers.js';

describe('host functions', () => {
  it('receive plain JS values and return plain JS values', async () => {
    const seen: unknown[] = [];
    const hostFunctions = {
      echo: (...args: unknown[]) => {
        seen.push(args);
        return { got: args.length, first: args[0], nothing: undefined };
      },
    };
    const out = await lines(
      'let r = echo(1, "s", true, null, [1, [2]], {"k": {"n": 1}})\nlog(r.got, r.first, r.nothing, r.missing)',
      {
        hostFunctions,
      },
    );
    expect(out).toEqual(['6 1 null null']);
    expect(seen).toEqual([[1, 's', true, null, [1, [2]], { k: { n: 1 } }]]);
    expect(Object.getPrototypeOf((seen[0] as unknown[])[5])).toBe(Object.prototype);
  });

  it('a host function returning undefined gives null', async () => {
    expect(await lines('log(nothing())', { hostFunctions: { nothing: () => undefined } })).toEqual(['null']);
  });

  it('async host functions can be used anywhere an expression can', async () => {
    const later = async (v: unknown) => {
      await delay(5);
      return v;
    };
    const src = `
let total = 1 + later(2) * later(3)
let m = {"a": later("x"), "b": [later(1), 2]}
let n = 0
while n < later(3) { n += 1 }
for x in later([4, 5]) { total += x }
if later(true) and later(1) == 1 { log("cond ok") }
fn f(v) { return later(v) + 1 }
log(total, m, n, f(41), later(null) or "dflt")
try { later(1) } finally { log("finally after await") }`;
    expect(await lines(src, { hostFunctions: { later } })).toEqual([
      'cond ok',
      '16 {"a": "x", "b": [1, 2]} 3 42 dflt',
      'finally after await',
    ]);
  });

  it('a script that calls only synchronous functions runs without creating promises', () => {
    const rt = new Runtime(undefined);
    for (const [name, fn] of createBuiltins(rt, () => {})) rt.defineGlobal(name, fn);
    rt.defineGlobal('sync_host', (x: number) => x * 2);
    rt.defineGlobal('async_host', async (x: number) => x * 2);
    const main = (src: string) => compileProgram(rt, parseScript(src, 't.sn'), { captureLast: true })();
    const syncResult = main('let s = 0\nfor i in range(1000) { s += sync_host(i) }\ns');
    expect(syncResult).toBe(999000);
    expect(main('async_host(2)')).toBeInstanceOf(Promise);
  });

  it('a SentraError from a host is caught by the script with its code and message', async () => {
    const hostFunctions = {
      block: (ip: string) => {
        throw new SentraError(
          ErrorCodes.FIREWALL_PROTECTED_ADDRESS,
          `refusing to block ${ip}: it is this host's gateway`,
          {
            details: { ip },
          },
        );
      },
      fetch_async: async () => {
        await delay(1);
        throw new SentraError(ErrorCodes.NOT_FOUND, 'no such capture: cap-9');
      },
    };
    const src = `
try { block("10.0.0.1") } catch e { log(e.code, "|", e.message, "|", e.details.ip, e.line) }
try { fetch_async() } catch e { log(e.code, "|", e.message) }`;
    expect(await lines(src, { hostFunctions })).toEqual([
      "SENTRA_ERR_FIREWALL_PROTECTED_ADDRESS | refusing to block 10.0.0.1: it is this host's gateway | 10.0.0.1 2",
      'SENTRA_ERR_NOT_FOUND | no such capture: cap-9',
    ]);
  });

  it('an uncaught host error keeps its code and gets the script position', async () => {
    const original = new SentraError(ErrorCodes.PERMISSION_DENIED, 'nft needs root');
    const e = await failure('log("before")\nlet r = firewall_block_ip("1.2.3.4")', {
      hostFunctions: {
        firewall_block_ip: async () => {
          throw original;
        },
      },
    });
    expect(e).toBeInstanceOf(ScriptError);
    expect(e.code).toBe('SENTRA_ERR_PERMISSION_DENIED');
    expect(e.message).toBe('t.sn:2:9: nft needs root');
    expect(e.cause).toBe(original);
    expect(e.out).toBe('before\n');
  });

  it('a plain Error from a host is a script runtime error naming the function', async () => {
    const e = await failure('broken(1)', {
      hostFunctions: {
        broken: () => {
          throw new TypeError('x.y is not a function');
        },
      },
    });
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_RUNTIME');
    expect(e.message).toBe('t.sn:1:1: broken: x.y is not a function');
  });

  it('script functions passed to a host are callable, synchronously or (when they wait) as promises', async () => {
    let stored: ((...a: unknown[]) => unknown) | null = null;
    const results: unknown[] = [];
    const hostFunctions = {
      apply_now: (f: (x: number) => unknown, x: number) => f(x),
      add_filter: (opts: { filter: (req: unknown) => unknown }) => {
        stored = opts.filter;
        return null;
      },
      fire: async () => {
        // the host calls the stored filter later, while the script is suspended in this call
        results.push(await stored?.({ path: '/admin', ip: '10.0.0.9' }));
        results.push(await stored?.({ path: '/index.html', ip: '10.0.0.9' }));
        results.push(await stored?.({ path: '/slow' }, 'extra argument ignored'));
        return results.length;
      },
    };
    const src = `
log(apply_now(fn(x) => x * 3, 5))
let blocked = 0
add_filter({"filter": fn(req) {
  if req.path == "/slow" { sleep(0.01); return "waited" }
  if starts_with(req.path, "/admin") { blocked += 1; return false }
  return true
}})
log(fire(), blocked)`;
    expect(await lines(src, { hostFunctions })).toEqual(['15', '3 1']);
    expect(results).toEqual([false, true, 'waited']);
  });

  it('an error in a script callback reaches the host as a ScriptError', async () => {
    let caught: unknown = null;
    const hostFunctions = {
      call_it: (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          caught = e;
        }
        return 'host survived';
      },
    };
    expect(await lines('log(call_it(fn() => 1 + {}))', { hostFunctions })).toEqual(['host survived']);
    expect(caught).toBeInstanceOf(ScriptError);
    expect((caught as ScriptError).message).toMatch(/^t\.sn:1:23: cannot add number and map/);
  });

  it('anonymous functions are named after where they are stored; host calls show as <host>', async () => {
    let caught: ScriptError | null = null;
    const hostFunctions = {
      proxy_start: async (opts: { filter: (r: unknown) => unknown }) => {
        try {
          await opts.filter(null);
        } catch (e) {
          caught = e as ScriptError;
        }
        return { id: 'proxy-1' };
      },
    };
    const src = 'let check = fn(req) => req.path\nproxy_start({"filter": fn(req) {\n  return check(req)\n}})';
    await run(src, { hostFunctions });
    expect(caught).toBeInstanceOf(ScriptError);
    expect((caught as unknown as ScriptError).scriptStack).toEqual([
      'at check (t.sn:1:28)',
      'at filter (t.sn:3:10)',
      'at <host>',
    ]);
  });

  it('maps hold host objects (opaque values) and hand back the same object', async () => {
    class Packet {
      constructor(
        readonly data: Buffer,
        readonly length: number,
      ) {}
    }
    const pkt = new Packet(Buffer.from([1, 2, 3]), 3);
    let back: unknown = null;
    const hostFunctions = {
      get_packet: () => pkt,
      analyze: (p: unknown) => {
        back = p;
        return { length: (p as Packet).length };
      },
    };
    expect(
      await lines(
        'let store = {"p": get_packet()}\nlog(typeof(store.p), store.p.length, analyze(store.p).length, typeof(store.p.data))',
        { hostFunctions },
      ),
    ).toEqual(['object 3 3 bytes']);
    expect(back).toBe(pkt);
  });

  it('refuses host function names that hide builtins or are not names', () => {
    expect(() => createInterpreter({ hostFunctions: { len: () => 0 } })).toThrow(
      "host function 'len' would hide the builtin of that name",
    );
    expect(() => createInterpreter({ hostFunctions: { 'bad-name': () => 0 } })).toThrow(
      "host function name 'bad-name' is not a valid Sentra name",
    );
    expect(() => createInterpreter({ hostFunctions: { while: () => 0 } })).toThrow(
      "host function name 'while' is not a valid Sentra name",
    );
  });
});

describe('stopping a script with its signal', () => {
  it('stops a loop sleeping 60 s per iteration, promptly, with SENTRA_ERR_TIMEOUT', async () => {
    const started = performance.now();
    const e = await failure('let n = 0\nwhile true {\n  n += 1\n  log("iteration", n)\n  sleep(60)\n}', {
      signal: AbortSignal.timeout(200),
    });
    expect(e).toBeInstanceOf(ScriptAbort);
    expect(e.code).toBe(ErrorCodes.TIMEOUT);
    expect(e.out).toBe('iteration 1\n');
    // the test timeout would catch a hang; this checks it did not wait for the 60 s sleep
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('stops a busy loop that never waits', async () => {
    const e = await failure('let n = 0\nwhile true { n += 1 }', { signal: AbortSignal.timeout(200) });
    expect(e.code).toBe(ErrorCodes.TIMEOUT);
  });

  it('stops recursion without loops that never waits (2^40 calls)', async () => {
    const e = await failure('fn f(n) { if n == 0 { return 0 } return f(n - 1) + f(n - 1) }\nf(40)', {
      signal: AbortSignal.timeout(200),
    });
    expect(e.code).toBe(ErrorCodes.TIMEOUT);
  });

  it('stops while a host promise is pending', async () => {
    const e = await failure('log("waiting")\nforever()', {
      signal: AbortSignal.timeout(200),
      hostFunctions: { forever: () => new Promise(() => {}) },
    });
    expect(e.code).toBe(ErrorCodes.TIMEOUT);
    expect(e.out).toBe('waiting\n');
  });

  it('cannot be caught by the script, and skips finally blocks', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 100);
    const e = await failure(
      'while true {\n  try { sleep(1) } catch e { log("caught", e.message) } finally { log("finally") }\n}',
      {
        signal: c.signal,
      },
    );
    expect(e.code).toBe(ErrorCodes.SCRIPT_ABORTED);
    expect(e.out).toBe('');
  });

  it('an already aborted signal stops the script before it starts', async () => {
    const e = await failure('log("never")', { signal: AbortSignal.abort() });
    expect(e.code).toBe(ErrorCodes.SCRIPT_ABORTED);
    expect(e.out).toBe('');
  });
});

describe('script hosts and the run context', () => {
  function host(
    name: string,
    events: string[],
    fns: Record<string, (ctx: RunContext) => (...a: never[]) => unknown>,
  ) {
    const provider: ScriptHostProvider = {
      functionNames: Object.keys(fns),
      start: (ctx) => {
        events.push(`${name} start ${ctx.file}`);
        return {
          functions: Object.fromEntries(Object.entries(fns).map(([n, f]) => [n, f(ctx)])),
          dispose: () => void events.push(`${name} dispose aborted=${ctx.signal.aborted}`),
        };
      },
    };
    return provider;
  }

  it('maps interface names, writes through the context, and disposes hosts in reverse order', async () => {
    const events: string[] = [];
    let out = '';
    const a = host('a', events, { capture_iface: (ctx) => (iface: string) => ctx.mapInterface(iface) });
    const b = host('b', events, { host_note: (ctx) => (s: string) => ctx.write(`note: ${s}\n`) });
    const r = await runScript({
      source: 'log(capture_iface("eth0"), capture_iface("lo"))\nhost_note("hi")',
      file: 'x.sn',
      hosts: [a, b],
      ifaceMap: parseIfaceMap(['eth0=veth-lab0']),
      write: (t) => {
        out += t;
      },
    });
    expect(r.exitCode).toBe(0);
    expect(out).toBe('veth-lab0 lo\nnote: hi\n');
    expect(events).toEqual([
      'a start x.sn',
      'b start x.sn',
      'b dispose aborted=false',
      'a dispose aborted=false',
    ]);
  });

  it('disposes hosts when the script fails or times out', async () => {
    const events: string[] = [];
    const h = host('h', events, {});
    await expect(
      runScript({ source: 'let x = 1 + {}', file: 'f.sn', hosts: [h], write: () => {} }),
    ).rejects.toThrow(/cannot add number and map/);
    await expect(
      runScript({
        source: 'while true { sleep(5) }',
        file: 't.sn',
        hosts: [h],
        signal: AbortSignal.timeout(100),
        write: () => {},
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.TIMEOUT });
    expect(events).toEqual([
      'h start f.sn',
      'h dispose aborted=false',
      'h start t.sn',
      'h dispose aborted=true',
    ]);
  });

  it('a syntax error is reported before any host starts', async () => {
    const events: string[] = [];
    await expect(
      runScript({ source: 'let = 1', file: 's.sn', hosts: [host('h', events, {})], write: () => {} }),
    ).rejects.toMatchObject({
      code: ErrorCodes.SCRIPT_SYNTAX,
    });
    expect(events).toEqual([]);
  });

  it('two hosts offering the same function is a configuration error', async () => {
    const events: string[] = [];
    const fns = { same: () => () => 1 };
    await expect(
      runScript({
        source: 'same()',
        file: 's.sn',
        hosts: [host('a', events, fns), host('b', events, fns)],
        write: () => {},
      }),
    ).rejects.toThrow("two script hosts both define the function 'same'");
    expect(events).toEqual([
      'a start s.sn',
      'b start s.sn',
      'b dispose aborted=false',
      'a dispose aborted=false',
    ]);
  });

  it('a host that fails to dispose is reported as a warning; the run result stands', async () => {
    const warnings: string[] = [];
    const bad: ScriptHostProvider = {
      functionNames: [],
      start: () => ({
        functions: {},
        dispose: () => {
          throw new Error('socket already closed');
        },
      }),
    };
    const r = await runScript({
      source: 'log(1)',
      file: 's.sn',
      hosts: [bad],
      write: () => {},
      onWarning: (m) => warnings.push(m),
    });
    expect(r.exitCode).toBe(0);
    expect(warnings).toEqual(['a script host failed to clean up: socket already closed']);
  });
});

describe('parseIfaceMap', () => {
  it('reads NAME=IFACE pairs, repeated or comma-separated', () => {
    expect([...parseIfaceMap(['eth0=veth0', 'eth1=veth1,wlan0=lo'])]).toEqual([
      ['eth0', 'veth0'],
      ['eth1', 'veth1'],
      ['wlan0', 'lo'],
    ]);
  });

  it('rejects malformed entries and conflicting mappings', () => {
    expect(() => parseIfaceMap(['eth0'])).toThrow("--iface-map: 'eth0' is not NAME=INTERFACE");
    expect(() => parseIfaceMap(['eth0=a b'])).toThrow("--iface-map: 'eth0=a b' is not NAME=INTERFACE");
    expect(() => parseIfaceMap(['script.sn'])).toThrow('put the script file before --iface-map');
    expect(() => parseIfaceMap(['eth0=a', 'eth0=b'])).toThrow("--iface-map: 'eth0' is mapped twice");
    expect(() => parseIfaceMap(['e=abcdefghijklmnop'])).toThrow(/is not NAME=INTERFACE/);
  });
});

describe('output to a stream', () => {
  it('stdout may be a stream-like object', async () => {
    const chunks: string[] = [];
    const interp = createInterpreter({ stdout: { write: (t: string) => chunks.push(t) } });
    await interp.run('log("a")\nprint("b")');
    expect(chunks).toEqual(['a\n', 'b\n']);
  });

  it('run() resolves with exit code 0 for a script that ends normally', async () => {
    expect(await run('log(1)')).toEqual({ out: '1\n', exitCode: 0 });
  });
});
