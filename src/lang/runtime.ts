/**
 * The machinery a compiled script runs on: environments, call frames, calls to script, builtin
 * and host functions, interrupts (timeouts, aborts) and error positions.
 *
 * Every compiled node is a closure that returns its result directly, or a Promise when something
 * below it had to wait (an async host function, `sleep`). Callers check `instanceof Promise` and
 * only then switch to an async continuation, so a script that never waits runs synchronously at
 * full speed, and one that waits suspends exactly where it must.
 */
import { type ErrorCode, ErrorCodes, SentraError } from '../errors.js';
import { abortFromSignal, ScriptAbort, ScriptError, ScriptExit } from './script-error.js';
import { SCRIPT_FN, typeName } from './values.js';

export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
/** How a statement ended; a `return` leaves its value in the frame's `ret`. */
export type Signal = 0 | 1 | 2 | 3;

/** The value of a variable whose declaration has not run yet. */
export const UNINIT: unique symbol = Symbol('sentra.uninitialized');

/** Recursion deeper than this is reported as a script error ("is the recursion endless?"). */
export const MAX_CALL_DEPTH = 10_000;
/**
 * Every this many nested script calls, the call continues in a microtask on a fresh JS stack
 * (the callers see a Promise and unwind), so deep script recursion never overflows the JS stack.
 */
const TRAMPOLINE_EVERY = 64;
/** A script that has run this long without waiting yields to the event loop (timers, signals). */
const YIELD_EVERY_MS = 50;
/** Longest delay setTimeout accepts; longer sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_STACK_LINES = 40;

/** One activation of a script function (or of the main program), for stacks and `return`. */
export class Frame {
  ret: unknown = null;
  constructor(
    readonly name: string,
    readonly file: string,
    /** Where the caller called this frame (0 when called by host code). */
    readonly callLine: number,
    readonly callCol: number,
    readonly caller: Frame | null,
    readonly depth: number,
  ) {}
}

/** The variables of one scope, by slot number resolved at compile time. */
export class Env {
  constructor(
    public vals: unknown[],
    readonly parent: Env | null,
    readonly frame: Frame,
  ) {}
}

export type ExprFn = (env: Env) => unknown;
export type StmtFn = (env: Env) => Signal | Promise<Signal>;

export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** What the compiler knows about a function literal. */
export interface FnInfo {
  readonly name: string;
  readonly file: string;
  readonly params: readonly string[];
  readonly minArgs: number;
  readonly defaults: readonly (ExprFn | null)[];
  /** The function scope's initial slots (parameters first), copied at each call. */
  readonly template: readonly unknown[];
  readonly hoisted: readonly Hoisted[];
  readonly body: StmtFn | null;
  readonly expr: ExprFn | null;
}

/** A `fn name() {}` declaration, bound when its scope is entered so it can be called before its text. */
export interface Hoisted {
  readonly slot: number;
  readonly info: FnInfo;
}

export interface ScriptFnData {
  readonly info: FnInfo;
  readonly closure: Env;
}
export type ScriptFunction = ((...args: unknown[]) => unknown) & { [SCRIPT_FN]: ScriptFnData };

/** Marks builtins that receive a {@link CallerContext} first, to call script functions back. */
export const WITH_CALLER: unique symbol = Symbol('sentra.withCaller');

export interface CallerContext {
  readonly rt: Runtime;
  readonly env: Env;
  readonly at: Pos;
}

/** Thrown by builtins for a bad argument; becomes a positioned SENTRA_ERR_SCRIPT_RUNTIME error. */
export class BuiltinError extends Error {}

const HOST_FRAME = new Frame('<host>', '', 0, 0, null, 0);

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

export class Runtime {
  /** Global variables (builtins, host functions, top-level declarations) by slot. */
  readonly globals: unknown[] = [];
  readonly globalIndex = new Map<string, number>();
  readonly globalConst: boolean[] = [];
  private ticks = 0;
  private yieldAt = performance.now() + YIELD_EVERY_MS;
  /** Rejecters of everything waiting (sleeps, host promises): one abort listener serves them all. */
  private readonly waiting = new Set<(e: ScriptAbort) => void>();

  private detach: (() => void) | null = null;
  /** The signal that stops the script (a timeout, Ctrl-C); see {@link setSignal}. */
  signal: AbortSignal | undefined;

  constructor(signal: AbortSignal | undefined) {
    this.setSignal(signal);
  }

  /** Replaces the signal that stops the script (the REPL sets a new one for each input). */
  setSignal(signal: AbortSignal | undefined): void {
    this.detach?.();
    this.detach = null;
    this.signal = signal;
    if (signal === undefined) return;
    const onAbort = () => {
      const e = abortFromSignal(signal);
      for (const reject of [...this.waiting]) reject(e);
      this.waiting.clear();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.detach = () => signal.removeEventListener('abort', onAbort);
  }

  /** The slot of a global, created (uninitialised) on first use. */
  globalSlot(name: string): number {
    let i = this.globalIndex.get(name);
    if (i === undefined) {
      i = this.globals.length;
      this.globals.push(UNINIT);
      this.globalConst.push(false);
      this.globalIndex.set(name, i);
    }
    return i;
  }

  defineGlobal(name: string, value: unknown, isConst = false): void {
    const i = this.globalSlot(name);
    this.globals[i] = value;
    this.globalConst[i] = isConst;
  }

  // --- errors --------------------------------------------------------------------------

  /** The script stack at `at` in `frame`, innermost first; runs of identical lines are folded. */
  stackOf(frame: Frame, at: Pos): string[] {
    const out: string[] = [];
    let last = '';
    let repeats = 0;
    const add = (line: string) => {
      if (line === last) {
        repeats++;
        return;
      }
      if (repeats > 0)
        out.push(`... the line above repeated ${repeats} more time${repeats === 1 ? '' : 's'}`);
      repeats = 0;
      last = line;
      out.push(line);
    };
    add(`at ${frame.name} (${frame.file}:${at.line}:${at.col})`);
    for (let f = frame; f.caller !== null; f = f.caller) {
      if (out.length >= MAX_STACK_LINES) {
        out.push(`... ${f.depth} more`);
        return out;
      }
      add(
        f.callLine === 0
          ? `at ${f.caller.name}`
          : `at ${f.caller.name} (${f.caller.file}:${f.callLine}:${f.callCol})`,
      );
    }
    add('');
    out.pop();
    return out;
  }

  error(
    at: Pos,
    env: Env,
    reason: string,
    code: ErrorCode = ErrorCodes.SCRIPT_RUNTIME,
    options: { value?: unknown; cause?: unknown; details?: Record<string, unknown> } = {},
  ): ScriptError {
    const pos = { file: env.frame.file, line: at.line, col: at.col };
    return new ScriptError(code, reason, pos, this.stackOf(env.frame, at), options);
  }

  /** Turns whatever a builtin or host function threw into a positioned script error. */
  wrapError(e: unknown, at: Pos, env: Env, callee: string): unknown {
    if (e instanceof ScriptError || e instanceof ScriptExit || e instanceof ScriptAbort) {
      return e;
    }
    if (e instanceof BuiltinError) return this.error(at, env, e.message);
    if (e instanceof SentraError)
      return this.error(at, env, e.message, e.code, { cause: e, details: e.details });
    if (isStackOverflow(e)) return this.error(at, env, 'stack overflow: the recursion is too deep');
    if (e instanceof Error)
      return this.error(at, env, `${callee}: ${e.message}`, ErrorCodes.SCRIPT_RUNTIME, { cause: e });
    return this.error(at, env, `${callee} failed: ${String(e)}`);
  }

  // --- interrupts and waiting ------------------------------------------------------------

  /**
   * Called at every loop iteration and function call. Cheap: every 1024th call it checks the
   * abort signal, and after {@link YIELD_EVERY_MS} of running without a pause it returns a
   * Promise that lets the event loop run (so timeouts and signals are seen even in `while true {}`).
   */
  tick(): Promise<void> | undefined {
    if ((++this.ticks & 1023) !== 0) return undefined;
    if (this.signal?.aborted) throw abortFromSignal(this.signal);
    const now = performance.now();
    if (now < this.yieldAt) return undefined;
    this.yieldAt = now + YIELD_EVERY_MS;
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  checkAborted(): void {
    if (this.signal?.aborted) throw abortFromSignal(this.signal);
  }

  /** Resolves with null after `ms`; rejects at once when the run is aborted. */
  sleep(ms: number): Promise<null> {
    return new Promise<null>((resolve, reject) => {
      if (this.signal?.aborted) {
        reject(abortFromSignal(this.signal));
        return;
      }
      let timer: NodeJS.Timeout;
      const onAbort = (e: ScriptAbort) => {
        clearTimeout(timer);
        reject(e);
      };
      let left = ms;
      const arm = () => {
        const step = Math.min(left, MAX_TIMER_MS);
        left -= step;
        timer = setTimeout(() => {
          if (left > 0) return arm();
          this.waiting.delete(onAbort);
          this.yieldAt = performance.now() + YIELD_EVERY_MS;
          resolve(null);
        }, step);
      };
      this.waiting.add(onAbort);
      arm();
    });
  }

  /** Waits for a host function's promise, racing the abort signal; errors become script errors. */
  awaitHost(p: PromiseLike<unknown>, at: Pos, env: Env, callee: string): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (this.signal?.aborted) {
        reject(abortFromSignal(this.signal));
        return;
      }
      const onAbort = (e: ScriptAbort) => reject(e);
      this.waiting.add(onAbort);
      p.then(
        (v) => {
          this.waiting.delete(onAbort);
          this.yieldAt = performance.now() + YIELD_EVERY_MS;
          resolve(v === undefined ? null : v);
        },
        (e: unknown) => {
          this.waiting.delete(onAbort);
          reject(this.wrapError(e, at, env, callee));
        },
      );
    });
  }

  // --- calls -----------------------------------------------------------------------------

  /** Calls any function value from script code: script function, builtin or host function. */
  invoke(callee: unknown, args: unknown[], env: Env, at: Pos, name: string): unknown {
    if (typeof callee !== 'function') {
      const what = name ? ` ('${name}' is ${typeName(callee)})` : '';
      throw this.error(at, env, `cannot call a value of type ${typeName(callee)}${what}`);
    }
    const data = (callee as ScriptFunction)[SCRIPT_FN];
    if (data !== undefined) return this.callScript(data, args, env.frame, at, false, env);
    let r: unknown;
    try {
      r =
        (callee as { [WITH_CALLER]?: boolean })[WITH_CALLER] === true
          ? callee({ rt: this, env, at } satisfies CallerContext, ...args)
          : callee(...args);
    } catch (e) {
      throw this.wrapError(e, at, env, name || 'function');
    }
    if (r === undefined) return null;
    if (r instanceof Promise) return this.awaitHost(r, at, env, name || 'function');
    if (typeof r === 'object' && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
      return this.awaitHost(r as PromiseLike<unknown>, at, env, name || 'function');
    }
    return r;
  }

  /** Calls a script function. `fromHost` relaxes arity: missing arguments are null, extra ones ignored. */
  callScript(
    data: ScriptFnData,
    args: unknown[],
    callerFrame: Frame,
    at: Pos,
    fromHost: boolean,
    callerEnv: Env | null,
  ): unknown {
    const info = data.info;
    const n = args.length;
    const np = info.params.length;
    if (!fromHost && callerEnv !== null && (n > np || n < info.minArgs)) {
      const want = info.minArgs === np ? `${np}` : `${info.minArgs} to ${np}`;
      throw this.error(
        at,
        callerEnv,
        `${info.name || 'function'}() takes ${want} argument${np === 1 && info.minArgs === np ? '' : 's'}, got ${n}`,
      );
    }
    const depth = callerFrame.depth + 1;
    if (depth > MAX_CALL_DEPTH && callerEnv !== null) {
      throw this.error(
        at,
        callerEnv,
        `call depth limit (${MAX_CALL_DEPTH}) exceeded: is the recursion endless?`,
      );
    }
    const frame = new Frame(info.name || '<anonymous>', info.file, at.line, at.col, callerFrame, depth);
    const vals = info.template.slice();
    for (let i = 0; i < np && i < n; i++) vals[i] = args[i];
    const env = new Env(vals, data.closure, frame);
    for (const h of info.hoisted) vals[h.slot] = this.makeFunction(h.info, env);
    const t = this.tick();
    if (t !== undefined) return t.then(() => this.runBody(info, env, frame, n));
    if (depth % TRAMPOLINE_EVERY === 0)
      return Promise.resolve().then(() => this.runBody(info, env, frame, n));
    return this.runBody(info, env, frame, n);
  }

  private runBody(info: FnInfo, env: Env, frame: Frame, n: number): unknown {
    for (let i = n; i < info.params.length; i++) {
      const d = info.defaults[i];
      if (d === null) {
        env.vals[i] = null;
        continue;
      }
      const v = d(env);
      if (v instanceof Promise) {
        return v.then((x) => {
          env.vals[i] = x;
          return this.runBody(info, env, frame, i + 1);
        });
      }
      env.vals[i] = v;
    }
    if (info.expr !== null) return info.expr(env);
    const s = (info.body as StmtFn)(env);
    if (s instanceof Promise) return s.then((sig) => (sig === RETURN ? frame.ret : null));
    return s === RETURN ? frame.ret : null;
  }

  /** Creates the function value of a `fn` literal: a real JS function host code can call. */
  makeFunction(info: FnInfo, closure: Env): ScriptFunction {
    const data: ScriptFnData = { info, closure };
    const f = ((...args: unknown[]) => this.callFromHost(data, args)) as ScriptFunction;
    f[SCRIPT_FN] = data;
    return f;
  }

  /**
   * A host (or builtin) calling a script function. Returns the result, or a Promise when the
   * function waited; errors are thrown (or rejected) as ScriptError.
   */
  callFromHost(data: ScriptFnData, args: unknown[]): unknown {
    this.checkAborted();
    try {
      return this.callScript(data, args, HOST_FRAME, { line: 0, col: 0 }, true, null);
    } catch (e) {
      if (isStackOverflow(e)) {
        throw new ScriptError(
          ErrorCodes.SCRIPT_RUNTIME,
          'stack overflow: the recursion is too deep',
          {
            file: data.info.file,
            line: 0,
            col: 0,
          },
          [],
        );
      }
      throw e;
    }
  }

  /** A builtin calling a script (or any) function value with a proper stack. */
  callValue(ctx: CallerContext, fn: unknown, args: unknown[], name: string): unknown {
    return this.invoke(fn, args, ctx.env, ctx.at, name);
  }
}
