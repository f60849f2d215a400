/**
 * `sentra run FILE.sn`: runs a Sentra script with the builtins and every registered script host
 * (the API facade's 44 functions), until it ends, fails, calls exit(), hits --timeout, or is
 * interrupted. Exit codes: 0, the script's exit(n), 1 runtime error, 2 syntax error, 124
 * timeout, 130 SIGINT/SIGTERM (docs/language.md).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { apiScriptHost, TARGET_MAP_OPTION } from '../../api/script-host.js';
import { TargetMap } from '../../api/target-map.js';
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import { formatScriptError } from '../../lang/format-error.js';
import { parseIfaceMap, type ScriptHostProvider } from '../../lang/host.js';
import { createInterpreter } from '../../lang/interpreter.js';
import { runScript } from '../../lang/run-script.js';
import { ScriptAbort } from '../../lang/script-error.js';
import { action, type CommandRegistrar, exitCodeFor, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

/**
 * The hosts whose functions `sentra run` and `sentra repl` scripts can call: the API facade
 * (the spec's functions, src/api).
 */
export const scriptHostProviders: ScriptHostProvider[] = [apiScriptHost];

/** After the script ended and hosts were disposed, leftover handles may keep the process this long at most. */
const EXIT_GRACE_MS = 2000;

interface RunOptions {
  timeout?: string;
  ifaceMap?: string[];
  targetMap?: string[];
  check?: boolean;
  json?: boolean;
}

/** Parses `--timeout` seconds (fractions allowed). */
export function parseTimeout(value: string | undefined): number | null {
  if (value === undefined) return null;
  const s = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(s > 0) || s > 365 * 24 * 3600) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `--timeout: '${value}' is not a number of seconds above 0`,
    );
  }
  return s;
}

export async function readScript(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const err = toSentraError(e, ErrorCodes.IO);
    throw new SentraError(err.code, `cannot read script ${file}: ${err.message}`, {
      cause: e,
      details: { file },
    });
  }
}

async function runCommand(file: string, opts: RunOptions): Promise<ExitCodeValue> {
  const json = opts.json === true;
  const timeout = parseTimeout(opts.timeout);
  const ifaceMap = parseIfaceMap(opts.ifaceMap ?? []);
  const targetMap = TargetMap.parse(opts.targetMap ?? []);
  const source = await readScript(file);
  const started = Date.now();
  const result = (status: string, exitCode: number, extra: Record<string, unknown> = {}) => {
    if (json) {
      writeJsonLine({
        type: 'result',
        status,
        exit_code: exitCode,
        duration_ms: Date.now() - started,
        ...extra,
      });
    }
    return exitCode as ExitCodeValue;
  };

  if (opts.check) {
    try {
      createInterpreter({ hostFunctions: Object.fromEntries(hostNamesForCheck()), stdout: () => {} }).check(
        source,
        file,
      );
    } catch (e) {
      return reportFailure(e, json, result);
    }
    return result('ok', ExitCode.OK);
  }

  const controller = new AbortController();
  const timer =
    timeout === null
      ? null
      : setTimeout(() => {
          controller.abort(
            new ScriptAbort(ErrorCodes.TIMEOUT, `script stopped by --timeout after ${timeout} s`),
          );
        }, timeout * 1000);
  const onSignal = (sig: NodeJS.Signals) => {
    controller.abort(new ScriptAbort(ErrorCodes.SCRIPT_ABORTED, `script stopped by ${sig}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // `sentra run x.sn | head` closes our stdout: stop the script instead of crashing on EPIPE
  // (the listener stays: the closed stream still reports the writes that were under way)
  let outputClosed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    outputClosed = true;
    controller.abort(
      new ScriptAbort(ErrorCodes.SCRIPT_ABORTED, `script stopped: its output closed (${e.code})`),
    );
  });
  const write = (text: string) => {
    if (outputClosed) return;
    if (!json) process.stdout.write(text);
    else for (const line of text.replace(/\n$/, '').split('\n')) writeJsonLine({ type: 'log', text: line });
  };
  try {
    const r = await runScript({
      source,
      file,
      hosts: scriptHostProviders,
      ifaceMap,
      hostOptions: { [TARGET_MAP_OPTION]: targetMap },
      signal: controller.signal,
      write,
    });
    return result('ok', r.exitCode);
  } catch (e) {
    return reportFailure(e, json, result);
  } finally {
    if (timer !== null) clearTimeout(timer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // a host that leaked a socket or timer must not keep a finished script's process alive
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  }
}

/** `--check` resolves host function names without starting any host. */
function hostNamesForCheck(): [string, () => null][] {
  return scriptHostProviders.flatMap((p) =>
    p.functionNames.map((n): [string, () => null] => [n, () => null]),
  );
}

function reportFailure(
  e: unknown,
  json: boolean,
  result: (status: string, code: number, extra?: Record<string, unknown>) => ExitCodeValue,
): ExitCodeValue {
  const err = toSentraError(e);
  let status = 'error';
  let code: number = exitCodeFor(err.code);
  if (e instanceof ScriptAbort) {
    status = err.code === ErrorCodes.TIMEOUT ? 'timeout' : 'interrupted';
    code = err.code === ErrorCodes.TIMEOUT ? ExitCode.TIMEOUT : ExitCode.INTERRUPTED;
  }
  if (!json) process.stderr.write(`sentra: ${formatScriptError(err)}`);
  return result(status, code, { error: err.toJSON() });
}

export const registerRun: CommandRegistrar = (program: Command) => {
  program
    .command('run')
    .description('run a Sentra script (.sn)')
    .argument('<file>', 'the script to run')
    .option('--timeout <seconds>', 'stop the script after this many seconds (exit code 124)')
    .option(
      '--iface-map <name=iface...>',
      'run the script on other interfaces than it names, e.g. eth0=veth-lab0 (repeatable, or comma-separated)',
    )
    .option(
      '--target-map <from=to...>',
      'run the script against other addresses than it names, and only those: 192.168.1.0/24=10.9.8.0/24, 192.168.1.5=10.9.8.7 or web1=10.9.8.2 (repeatable, or comma-separated); any other scan or connection target is refused',
    )
    .option('--check', 'only check syntax and names; run nothing')
    .option(
      '--json',
      'JSON Lines on stdout: {"type":"log","text":...} per output line, then {"type":"result",...}',
    )
    .action(action(async (file: string, opts: RunOptions) => runCommand(file, opts)));
};
