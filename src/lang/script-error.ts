/**
 * Errors of Sentra scripts. Syntax errors name the file, line, column and what was expected;
 * runtime errors carry the position of the failing expression and the script's call stack.
 * Both are {@link SentraError}s, so the CLI and the API report them like any other error.
 */
import { type ErrorCode, ErrorCodes, SentraError } from '../errors.js';

/** A place in a script. Lines and columns are 1-based. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** The line of `source` at `line` with a caret under `col`, the way compilers show it. */
export function codeFrame(source: string, line: number, col: number): string {
  const lines = source.split(/\r?\n/);
  const text = (lines[line - 1] ?? '').replace(/\t/g, ' ');
  const gutter = String(line);
  const pad = ' '.repeat(gutter.length);
  return `${gutter} | ${text}\n${pad} | ${' '.repeat(Math.max(0, col - 1))}^`;
}

export interface SyntaxErrorInfo {
  file: string;
  source: string;
  line: number;
  col: number;
  /** What went wrong, e.g. "expected ')' to close '(' at 3:4, found end of file". */
  reason: string;
  /** True when more input could complete the script (the REPL then asks for another line). */
  incomplete?: boolean;
  /** The words before the reason: "syntax error" by default; null for none (name errors). */
  label?: string | null;
}

/** A syntax (or name resolution) error: `file:line:col: syntax error: reason`. */
export function scriptSyntaxError(info: SyntaxErrorInfo): SentraError {
  const label = info.label === undefined ? 'syntax error: ' : info.label === null ? '' : `${info.label}: `;
  return new SentraError(
    ErrorCodes.SCRIPT_SYNTAX,
    `${info.file}:${info.line}:${info.col}: ${label}${info.reason}`,
    {
      details: {
        file: info.file,
        line: info.line,
        column: info.col,
        reason: info.reason,
        incomplete: info.incomplete === true,
        frame: codeFrame(info.source, info.line, info.col),
      },
    },
  );
}

/**
 * A runtime error raised while a script runs: by the interpreter (SENTRA_ERR_SCRIPT_RUNTIME), by
 * a `throw` statement, or by a host function (which keeps its own code). Scripts catch it with
 * `try/catch`, and see `reason` as `e.message`.
 */
export class ScriptError extends SentraError {
  /** The message without the position prefix. */
  readonly reason: string;
  readonly pos: SourcePos;
  /** The script stack, innermost first: `at name (file:line:col)`. */
  readonly scriptStack: readonly string[];
  /** The value a `throw` statement threw; null for errors raised by the runtime or a host. */
  readonly value: unknown;

  constructor(
    code: ErrorCode,
    reason: string,
    pos: SourcePos,
    scriptStack: readonly string[],
    options: { value?: unknown; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, `${pos.file}:${pos.line}:${pos.col}: ${reason}`, {
      cause: options.cause,
      details: {
        ...options.details,
        file: pos.file,
        line: pos.line,
        column: pos.col,
        reason,
        stack: [...scriptStack],
      },
    });
    this.name = 'ScriptError';
    this.reason = reason;
    this.pos = pos;
    this.scriptStack = scriptStack;
    this.value = options.value ?? null;
  }
}

/**
 * The script was stopped from outside: a timeout (code SENTRA_ERR_TIMEOUT) or an abort
 * (SENTRA_ERR_SCRIPT_ABORTED). Scripts cannot catch it and `finally` blocks do not run, so that a
 * `while true { try { ... } catch e { } }` loop still stops.
 */
export class ScriptAbort extends SentraError {
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'ScriptAbort';
  }
}

/** Thrown by the `exit(code)` builtin: ends the script; `finally` blocks run, `catch` does not see it. */
export class ScriptExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`script called exit(${exitCode})`);
    this.name = 'ScriptExit';
    this.exitCode = exitCode;
  }
}

/** Turns an AbortSignal's reason into the ScriptAbort the interpreter throws. */
export function abortFromSignal(signal: AbortSignal): ScriptAbort {
  const reason: unknown = signal.reason;
  if (reason instanceof ScriptAbort) return reason;
  if (reason instanceof SentraError) return new ScriptAbort(reason.code, reason.message, reason);
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ScriptAbort(ErrorCodes.TIMEOUT, 'script stopped: time limit reached', reason);
  }
  return new ScriptAbort(ErrorCodes.SCRIPT_ABORTED, 'script stopped: aborted', reason);
}
