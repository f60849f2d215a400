/** `sentra run` and `sentra repl`, run as users run them (the built CLI in a child process). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/corpus.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-lang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe('sentra run', () => {
  it('runs a script and exits 0', async () => {
    const f = script('ok.sn', 'fn greet(n) => "hello " + n\nfor n in ["a", "b"] { log(greet(n)) }\n');
    const r = await runCli(['run', f]);
    expect(r).toMatchObject({ code: 0, stdout: 'hello a\nhello b\n', stderr: '' });
  });

  it('a runtime error in a loop stops the script: exit 1, message, source line and stack on stderr', async () => {
    const f = script(
      'loop-error.sn',
      'let xs = [1, 2, null]\nfn half(x) {\n  return x / 2\n}\nfor x in xs {\n  log(half(x))\n}\n',
    );
    const r = await runCli(['run', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('0.5\n1\n');
    expect(r.stderr).toBe(
      `sentra: ${f}:3:12: cannot divide null by number [SENTRA_ERR_SCRIPT_RUNTIME]\n` +
        '  3 |   return x / 2\n' +
        '    |            ^\n' +
        `    at half (${f}:3:12)\n` +
        `    at <main> (${f}:6:7)\n`,
    );
  });

  it('a syntax error exits 2 before anything runs', async () => {
    const f = script('syntax.sn', 'log("starting")\nif x == 1 {\n  log("x")\n');
    const r = await runCli(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `sentra: ${f}:4:1: syntax error: expected '}' to close the block opened at 2:11, found end of file [SENTRA_ERR_SCRIPT_SYNTAX]\n` +
        '  4 | \n' +
        '    | ^\n',
    );
  });

  it('--timeout stops a script sleeping in while true with exit code 124', async () => {
    const f = script(
      'forever.sn',
      'let n = 0\nwhile true {\n  n += 1\n  log("check " + str(n))\n  sleep(60)  // every minute\n}\n',
    );
    const r = await runCli(['run', f, '--timeout', '0.5'], { timeoutMs: 30_000 });
    expect(r.code).toBe(124);
    expect(r.stdout).toBe('check 1\n');
    expect(r.stderr).toBe('sentra: script stopped by --timeout after 0.5 s [SENTRA_ERR_TIMEOUT]\n');
  });

  it('--timeout stops a busy loop', async () => {
    const f = script('busy.sn', 'let n = 0\nwhile true { n += 1 }\n');
    const r = await runCli(['run', f, '--timeout', '0.3'], { timeoutMs: 30_000 });
    expect(r.code).toBe(124);
  });

  it('exit(n) sets the exit code', async () => {
    const f = script('exit.sn', 'log("bye")\nexit(7)\nlog("never")\n');
    expect(await runCli(['run', f])).toMatchObject({ code: 7, stdout: 'bye\n' });
  });

  it('--json prints each output line and a result as JSON Lines', async () => {
    const f = script('json.sn', 'log("a")\nlog("b\\nc")\n');
    const r = await runCli(['run', f, '--json']);
    expect(r.code).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.slice(0, 3)).toEqual([
      { type: 'log', text: 'a' },
      { type: 'log', text: 'b' },
      { type: 'log', text: 'c' },
    ]);
    expect(out[3]).toMatchObject({ type: 'result', status: 'ok', exit_code: 0 });
  });

  it('--json reports errors and timeouts in the result', async () => {
    const f = script('json-err.sn', 'log(1 + {})\n');
    const r = await runCli(['run', f, '--json']);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout.trim());
    expect(res).toMatchObject({
      type: 'result',
      status: 'error',
      exit_code: 1,
      error: { code: 'SENTRA_ERR_SCRIPT_RUNTIME' },
    });
    expect(res.error.details).toMatchObject({ line: 1, column: 7, stack: [`at <main> (${f}:1:7)`] });
    const t = await runCli(['run', script('json-timeout.sn', 'sleep(30)\n'), '--json', '--timeout', '0.2']);
    expect(t.code).toBe(124);
    expect(JSON.parse(t.stdout.trim())).toMatchObject({ status: 'timeout', exit_code: 124 });
  });

  it('--check checks names without running', async () => {
    const ok = script('check-ok.sn', 'log("side effect")\n');
    expect(await runCli(['run', ok, '--check'])).toMatchObject({ code: 0, stdout: '' });
    const bad = script('check-bad.sn', 'log("side effect")\nscan_everything("10.0.0.0/8")\n');
    const r = await runCli(['run', bad, '--check']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `${bad}:2:1: undefined name 'scan_everything': not a variable, a builtin or a host function`,
    );
  });

  it('validates --iface-map and --timeout', async () => {
    const f = script('args.sn', 'log(1)\n');
    expect(await runCli(['run', f, '--iface-map', 'eth0=veth-lab0', 'eth1=lo'])).toMatchObject({
      code: 0,
      stdout: '1\n',
    });
    expect(await runCli(['run', f, '--iface-map', 'eth0=veth0,eth1=veth1'])).toMatchObject({ code: 0 });
    const bad = await runCli(['run', f, '--iface-map', 'eth0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "sentra: --iface-map: 'eth0' is not NAME=INTERFACE (interface names are 1-15 letters, digits or ._:@-) [SENTRA_ERR_INVALID_ARGUMENT]\n",
    );
    const t = await runCli(['run', f, '--timeout', 'soon']);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe(
      "sentra: --timeout: 'soon' is not a number of seconds above 0 [SENTRA_ERR_INVALID_ARGUMENT]\n",
    );
  });

  it('a missing script file is an I/O error', async () => {
    const r = await runCli(['run', path.join(dir, 'nope.sn')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentra: cannot read script .*nope\.sn: .*ENOENT.* \[SENTRA_ERR_IO\]\n$/);
  });

  it('SIGINT stops a running script cleanly with exit code 130', async () => {
    const f = script('sigint.sn', 'log("started")\nwhile true { sleep(60) }\n');
    const child = spawn(process.execPath, [CLI, 'run', f], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('started')) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stderr).toBe('sentra: script stopped by SIGINT [SENTRA_ERR_SCRIPT_ABORTED]\n');
  });
});

describe('sentra repl', () => {
  it('prints values, keeps variables across inputs, reads multi-line input, survives errors', async () => {
    const input = [
      '1 + 2',
      'let x = 10',
      'x * 2',
      'fn twice(n) {',
      '  return n * 2',
      '}',
      'twice(x)',
      '"text"',
      '[1, {"a": null}]',
      'x + {}',
      'log("still here")',
      'nope()',
      'let m = {',
      '  "k": 1',
      '}',
      'm.k',
      '.exit',
      'log("after exit")',
    ].join('\n');
    const r = await runCli(['repl'], { input });
    expect(r.code).toBe(0);
    const out = r.stdout.replaceAll('sentra> ', '').replaceAll('...... ', '');
    expect(out).toBe(
      `Sentra ${(await import('../../src/version.js')).VERSION} - .help for help, .exit or Ctrl+D to leave\n` +
        '3\n' +
        '20\n' +
        '20\n' +
        '"text"\n' +
        '[1, {"a": null}]\n' +
        "<repl:8>:1:3: cannot add number and map ('+' takes two numbers, two arrays, or a string and any value) [SENTRA_ERR_SCRIPT_RUNTIME]\n" +
        '  1 | x + {}\n' +
        '    |   ^\n' +
        '    at <repl> (<repl:8>:1:3)\n' +
        'still here\n' +
        "<repl:10>:1:1: undefined name 'nope': not a variable, a builtin or a host function [SENTRA_ERR_SCRIPT_SYNTAX]\n" +
        '  1 | nope()\n' +
        '    | ^\n' +
        '1\n',
    );
    expect(r.stdout).toContain('...... ');
  });

  it('exit(n) in the REPL leaves with that code; end of input leaves with 0', async () => {
    expect((await runCli(['repl'], { input: 'exit(5)\n' })).code).toBe(5);
    expect((await runCli(['repl'], { input: 'let a = 1\n' })).code).toBe(0);
  });

  it('--json prints one JSON object per input and no prompts', async () => {
    const r = await runCli(['repl', '--json'], { input: '1 + 1\n"s"\nlog\n1 + {}\n' });
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.slice(0, 3)).toEqual([{ value: 2 }, { value: 's' }, { value: '<builtin log>' }]);
    expect(out[3]).toMatchObject({ error: { code: 'SENTRA_ERR_SCRIPT_RUNTIME' } });
  });
});
