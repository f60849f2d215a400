/**
 * What happens around a capture in a whole process: close() (or unref()) lets it exit, an open
 * capture keeps it alive, process.exit() during a flood exits cleanly (the addon stops its
 * thread in an environment cleanup hook), and a process without the capture capabilities gets
 * PERMISSION_DENIED.
 * Each case runs the fixture in its own Node process; traffic is a bounded ping to 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { PROJECT_ROOT } from '../helpers/corpus.js';

const FIXTURE = path.join(PROJECT_ROOT, 'test', 'capture', 'fixtures', 'capture-child.ts');

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process was still running after `aliveMs` and was killed by the test. */
  killed: boolean;
}

function runChild(mode: string, opts: { aliveMs?: number; prefix?: string[] } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const argv = [...(opts.prefix ?? []), process.execPath, '--import', 'tsx', FIXTURE, mode];
    const child: ChildProcess = spawn(argv[0], argv.slice(1), {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    // a hang is a failure of exit; the limit is generous, not a speed assertion
    const limit = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.aliveMs ?? 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

describe('LiveCapture in a whole process', () => {
  it('close() lets the process exit by itself', async () => {
    const r = await runChild('close');
    expect(r.stderr).toBe('');
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    // 5 echo requests and 5 replies on lo
    expect(out.n).toBe(10);
  });

  it('unref() lets the process exit with the capture still open', async () => {
    const r = await runChild('unref');
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).n).toBe(10);
  });

  it('an open capture keeps the process alive (like a listening server)', async () => {
    const r = await runChild('open', { aliveMs: 4000 });
    expect(lastJson(r.stdout).n).toBe(10);
    expect(r.killed).toBe(true);
  });

  it('process.exit() during a flood exits cleanly', async () => {
    const r = await runChild('exit');
    expect(r.killed).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('without CAP_NET_RAW/CAP_NET_ADMIN: PERMISSION_DENIED naming them, and the process goes on', async () => {
    // root with both capabilities removed from its bounding set (it can still read the files)
    const r = await runChild('perm', { prefix: ['setpriv', '--bounding-set', '-net_raw,-net_admin'] });
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.opened).toBe(false);
    expect(out.sentra).toBe(true);
    expect(out.code).toBe(ErrorCodes.PERMISSION_DENIED);
    expect(out.message).toContain('CAP_NET_RAW');
  });
});
