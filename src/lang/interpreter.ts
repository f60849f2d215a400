/**
 * The public face of the Sentra language: create an interpreter with host functions, an output
 * and an abort signal, then run scripts (or REPL inputs) on it.
 *
 * ```ts
 * const interp = createInterpreter({
 *   hostFunctions: { firewall_block_ip: async (ip: string) => ({ id: 'fw-rule-1', ip }) },
 *   stdout: process.stdout,
 *   signal: AbortSignal.timeout(10_000),
 * });
 * const { exitCode } = await interp.run(source, 'script.sn');
 * ```
 */
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import type { Program } from './ast.js';
import { BUILTIN_NAMES, createBuiltins } from './builtins/index.js';
import { compileProgram } from './compiler/program.js';
import type { HostFunctionTable } from './host.js';
import { parseScript } from './parser.js';
import { Runtime, UNINIT } from './runtime.js';
import { codeFrame, ScriptAbort, ScriptError, ScriptExit } from './script-error.js';
import { KEYWORDS } from './tokens.js';

export interface InterpreterOptions {
  /** Functions scripts can call by name, next to the builtins (see host.ts for the contract). */
  hostFunctions?: HostFunctionTable;
  /** Where `log` and `print` write: a stream-like object or a function. Default: process.stdout. */
  stdout?: { write(text: string): unknown } | ((text: string) => void);
  /** Stops the running script: it rejects with SENTRA_ERR_TIMEOUT (for AbortSignal.timeout) or SENTRA_ERR_SCRIPT_ABORTED. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** 0, or the code the script passed to `exit(code)`. */
  readonly exitCode: number;
}

export interface EvalResult {
  /** The value of the input's last statement when it is an expression, else null. */
  readonly value: unknown;
  /** True when the last statement was an expression (a REPL prints its value). */
  readonly isExpression: boolean;
  /** Set when the input called `exit(code)`. */
  readonly exitCode: number | null;
}

export interface Interpreter {
  /**
   * Parses, checks and runs a script. Resolves when it ends; rejects with a SentraError:
   * SENTRA_ERR_SCRIPT_SYNTAX (nothing ran), SENTRA_ERR_SCRIPT_RUNTIME or a host function's own
   * code (a {@link ScriptError} with position and script stack), SENTRA_ERR_TIMEOUT or
   * SENTRA_ERR_SCRIPT_ABORTED (a {@link ScriptAbort}) when the signal stopped it. Runs on one
   * interpreter share its globals: top-level names of an earlier run stay defined.
   */
  run(source: string | Program, file?: string): Promise<RunResult>;
  /** Runs one REPL input against the globals left by earlier ones. `signal` stops this input only. */
  evaluate(source: string, options?: { file?: string; signal?: AbortSignal }): Promise<EvalResult>;
  /** Parses and resolves names without running anything. */
  check(source: string, file?: string): void;
  /** The value of a global (a top-level variable, builtin or host function), or undefined. */
  getGlobal(name: string): unknown;
  /** The names of all globals defined so far (for REPL completion). */
  globalNames(): string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function toWriter(stdout: InterpreterOptions['stdout']): (text: string) => void {
  if (stdout === undefined) return (text) => void process.stdout.write(text);
  if (typeof stdout === 'function') return stdout;
  return (text) => void stdout.write(text);
}

export function createInterpreter(options: InterpreterOptions = {}): Interpreter {
  const rt = new Runtime(options.signal);
  const write = toWriter(options.stdout);
  for (const [name, fn] of createBuiltins(rt, write)) rt.defineGlobal(name, fn);
  for (const [name, fn] of Object.entries(options.hostFunctions ?? {})) {
    if (!NAME.test(name) || KEYWORDS.has(name)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `host function name '${name}' is not a valid Sentra name`,
      );
    }
    if (BUILTIN_NAMES.includes(name)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `host function '${name}' would hide the builtin of that name`,
      );
    }
    if (typeof fn !== 'function') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `host function '${name}' is not a function`);
    }
    rt.defineGlobal(name, fn);
  }
  const sources = new Map<string, string>();

  /** Adds the source line with a caret to a script error, and turns JS stack overflows into script errors. */
  const finishError = (e: unknown): never => {
    if (e instanceof ScriptError) {
      const src = sources.get(e.pos.file);
      if (src !== undefined && e.pos.line > 0) e.details.frame = codeFrame(src, e.pos.line, e.pos.col);
      throw e;
    }
    if (e instanceof ScriptAbort || e instanceof SentraError) throw e;
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new SentraError(ErrorCodes.SCRIPT_RUNTIME, 'stack overflow: the recursion is too deep', {
        cause: e,
      });
    }
    throw toSentraError(e, ErrorCodes.INTERNAL);
  };

  const prepare = (source: string | Program, file: string, captureLast: boolean, frameName: string) => {
    const program = typeof source === 'string' ? parseScript(source, file) : source;
    sources.set(program.file, program.source);
    return compileProgram(rt, program, { captureLast, frameName });
  };

  const execute = async (main: () => unknown): Promise<{ value: unknown; exitCode: number | null }> => {
    try {
      rt.checkAborted();
      let v = main();
      if (v instanceof Promise) v = await v;
      return { value: v, exitCode: null };
    } catch (e) {
      if (e instanceof ScriptExit) return { value: null, exitCode: e.exitCode };
      return finishError(e);
    }
  };

  return {
    async run(source, file = '<script>') {
      const main = prepare(source, typeof source === 'string' ? file : source.file, false, '<main>');
      const r = await execute(main);
      return { exitCode: r.exitCode ?? 0 };
    },

    async evaluate(source, evalOptions = {}) {
      const file = evalOptions.file ?? '<repl>';
      const program = parseScript(source, file);
      const last = program.body[program.body.length - 1];
      const main = prepare(program, file, true, '<repl>');
      const base = options.signal;
      const local = evalOptions.signal;
      rt.setSignal(local === undefined ? base : base === undefined ? local : AbortSignal.any([base, local]));
      try {
        const r = await execute(main);
        return { value: r.value, isExpression: last?.type === 'ExprStmt', exitCode: r.exitCode };
      } finally {
        rt.setSignal(base);
      }
    },

    check(source, file = '<script>') {
      const program = parseScript(source, file);
      // compile against a scratch runtime so that checking never defines globals
      const scratch = new Runtime(undefined);
      for (const [name, i] of rt.globalIndex) {
        if (rt.globals[i] !== UNINIT) scratch.defineGlobal(name, rt.globals[i]);
      }
      compileProgram(scratch, program);
    },

    getGlobal(name) {
      const i = rt.globalIndex.get(name);
      if (i === undefined) return undefined;
      const v = rt.globals[i];
      return v === UNINIT ? undefined : v;
    },

    globalNames() {
      return [...rt.globalIndex.keys()].filter((n) => rt.globals[rt.globalIndex.get(n) as number] !== UNINIT);
    },
  };
}
