/**
 * Runs one script with its hosts: checks the syntax, asks each host provider for its functions
 * (giving it the run context), runs the script, and disposes the hosts however the run ended.
 * `sentra run` is a thin layer over this.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import {
  createRunContext,
  type HostFunction,
  type RunContext,
  type ScriptHost,
  type ScriptHostProvider,
} from './host.js';
import { createInterpreter, type Interpreter, type RunResult } from './interpreter.js';
import { parseScript } from './parser.js';

export interface RunScriptOptions {
  readonly source: string;
  readonly file: string;
  readonly hosts?: readonly ScriptHostProvider[];
  readonly ifaceMap?: ReadonlyMap<string, string>;
  readonly signal?: AbortSignal;
  /** Script output (`log`, `print`). Default: process.stdout. */
  readonly write?: (text: string) => void;
  /** Host-specific settings, given to every host as `RunContext.options`. */
  readonly hostOptions?: Readonly<Record<string, unknown>>;
  /** Told about hosts that failed to dispose (the run's own result is kept). Default: stderr. */
  readonly onWarning?: (message: string) => void;
}

/** Starts every host; merges their functions (a name offered twice is an error). */
export async function startHosts(
  providers: readonly ScriptHostProvider[],
  ctx: RunContext,
): Promise<{ functions: Record<string, HostFunction>; hosts: ScriptHost[] }> {
  const hosts: ScriptHost[] = [];
  const functions: Record<string, HostFunction> = {};
  try {
    for (const provider of providers) {
      const host = await provider.start(ctx);
      hosts.push(host);
      for (const [name, fn] of Object.entries(host.functions)) {
        if (Object.hasOwn(functions, name)) {
          throw new SentraError(
            ErrorCodes.INVALID_CONFIG,
            `two script hosts both define the function '${name}'`,
          );
        }
        functions[name] = fn;
      }
    }
  } catch (e) {
    await disposeHosts(hosts, () => {});
    throw e;
  }
  return { functions, hosts };
}

/** Disposes hosts in reverse order of start; failures are reported, not thrown. */
export async function disposeHosts(
  hosts: readonly ScriptHost[],
  warn: (message: string) => void,
): Promise<void> {
  for (const host of [...hosts].reverse()) {
    try {
      await host.dispose?.();
    } catch (e) {
      warn(`a script host failed to clean up: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export async function runScript(options: RunScriptOptions): Promise<RunResult> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`sentra: warning: ${m}\n`));
  // syntax errors are reported before any host starts anything
  const program = parseScript(options.source, options.file);
  const ctx = createRunContext({
    file: options.file,
    ifaceMap: options.ifaceMap,
    signal: options.signal,
    write,
    options: options.hostOptions,
  });
  const { functions, hosts } = await startHosts(options.hosts ?? [], ctx);
  try {
    const interp: Interpreter = createInterpreter({
      hostFunctions: functions,
      stdout: write,
      signal: ctx.signal,
    });
    return await interp.run(program);
  } finally {
    await disposeHosts(hosts, warn);
  }
}
