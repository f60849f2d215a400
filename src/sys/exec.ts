/**
 * Runs external commands (nft, iptables, tc, ip...) with argument arrays, never through a
 * shell, so that no user input can become shell syntax. Failures become SentraErrors: a missing
 * binary is DEPENDENCY_MISSING (naming the Debian package when known), a non-zero exit is
 * COMMAND_FAILED with the command's stderr.
 */
import { execFile } from 'node:child_process';
import { ErrorCodes, SentraError } from '../errors.js';

export interface RunOptions {
  /** Text written to the command's stdin (e.g. an `nft -f -` script). */
  input?: string;
  timeoutMs?: number;
  /** Run inside this network namespace (`ip netns exec NS ...`). */
  netns?: string;
  /** Debian package that provides the command, for the error message when it is missing. */
  packageHint?: string;
  /** Exit codes other than 0 that are not failures. */
  okCodes?: number[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

const MAX_OUTPUT = 256 * 1024 * 1024;

export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0) throw new SentraError(ErrorCodes.INTERNAL, 'runCommand: empty argv');
  for (const a of argv) {
    if (typeof a !== 'string' || a.includes('\0')) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        'command arguments must be strings without NUL bytes',
      );
    }
  }
  const full = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : [...argv];
  return new Promise((resolve, reject) => {
    const child = execFile(
      full[0],
      full.slice(1),
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: MAX_OUTPUT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const e = err as NodeJS.ErrnoException & {
          code?: string | number;
          killed?: boolean;
          signal?: string;
        };
        if (e.code === 'ENOENT') {
          const hint = opts.packageHint ? ` (install the Debian package ${opts.packageHint})` : '';
          reject(
            new SentraError(ErrorCodes.DEPENDENCY_MISSING, `command not found: ${full[0]}${hint}`, {
              details: { command: full[0], package: opts.packageHint },
            }),
          );
          return;
        }
        if (e.killed || e.signal === 'SIGTERM') {
          reject(
            new SentraError(
              ErrorCodes.TIMEOUT,
              `${argv[0]} did not finish within ${opts.timeoutMs ?? 30_000} ms`,
              {
                details: { argv: [...argv] },
              },
            ),
          );
          return;
        }
        const code = typeof e.code === 'number' ? e.code : -1;
        if (opts.okCodes?.includes(code)) {
          resolve({ stdout, stderr, code });
          return;
        }
        const first = (stderr || stdout).trim().split('\n').slice(0, 5).join('\n');
        reject(
          new SentraError(ErrorCodes.COMMAND_FAILED, `${argv[0]} failed (exit ${code}): ${first}`, {
            details: { argv: [...argv], code, stderr },
          }),
        );
      },
    );
    // a command that exits without reading its stdin (ping, ip) must not crash us with EPIPE
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/** True when the command exists on PATH (checked by running it with `--version`-like args). */
export async function commandExists(cmd: string, probeArgs: string[] = ['--version']): Promise<boolean> {
  try {
    await runCommand([cmd, ...probeArgs], { timeoutMs: 5_000, okCodes: [1, 2, 64] });
    return true;
  } catch (e) {
    return !(e instanceof SentraError && e.code === ErrorCodes.DEPENDENCY_MISSING);
  }
}
