/**
 * `try / catch / finally`, with JavaScript's ordering: `finally` runs after the try block or the
 * handler however they end (normally, break, continue, return, error); a `break`/`return` in
 * `finally` replaces whatever was pending. Aborts (timeouts) are never caught and skip `finally`.
 */
import { SentraError } from '../../errors.js';
import type { TryStmt } from '../ast.js';
import { type Env, NORMAL, type Signal, type StmtFn } from '../runtime.js';
import { ScriptAbort, ScriptError } from '../script-error.js';
import { isMap } from '../values.js';
import type { CompileContext } from './context.js';
import { compileBlock, compileScoped, enterScope } from './statements.js';

/** The map a `catch e` block sees. */
export function errorValue(err: ScriptError): Record<string, unknown> {
  const v = err.value;
  const userCode = isMap(v) && typeof v.code === 'string' ? v.code : null;
  const m: Record<string, unknown> = {
    message: err.reason,
    code: userCode ?? err.code,
    file: err.pos.file,
    line: err.pos.line,
    column: err.pos.col,
    stack: [...err.scriptStack],
    value: v,
  };
  if (err.cause instanceof SentraError && Object.keys(err.cause.details).length > 0)
    m.details = err.cause.details;
  return m;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

export function compileTry(cx: CompileContext, s: TryStmt): StmtFn {
  const rt = cx.rt;
  const block = compileBlock(cx, s.block.body);
  const handler =
    s.handler === null
      ? null
      : compileScoped(
          cx,
          s.handler.body,
          s.param === null
            ? []
            : [{ name: s.param, kind: 'catch', line: s.handler.line, col: s.handler.col }],
        );
  const finalizer = s.finalizer === null ? null : compileBlock(cx, s.finalizer.body);
  const hasParam = s.param !== null;

  const afterFinally = (env: Env, sig: Signal): Signal | Promise<Signal> => {
    if (finalizer === null) return sig;
    const f = finalizer(env);
    if (f instanceof Promise) return f.then((fs) => (fs !== NORMAL ? fs : sig));
    return f !== NORMAL ? f : sig;
  };
  const finallyThenThrow = (env: Env, err: unknown): Signal | Promise<Signal> => {
    if (finalizer === null || err instanceof ScriptAbort) throw err;
    const f = finalizer(env);
    if (f instanceof Promise) {
      return f.then((fs) => {
        if (fs !== NORMAL) return fs;
        throw err;
      });
    }
    if (f !== NORMAL) return f;
    throw err;
  };
  const onError = (env: Env, thrown: unknown): Signal | Promise<Signal> => {
    const err = isStackOverflow(thrown)
      ? rt.error(s, env, 'stack overflow: the recursion is too deep')
      : thrown;
    if (handler === null || !(err instanceof ScriptError)) return finallyThenThrow(env, err);
    let r: Signal | Promise<Signal>;
    try {
      let e = env;
      if (handler.hasScope) {
        e = enterScope(rt, handler, env);
        if (hasParam) e.vals[0] = errorValue(err);
      }
      r = handler.seq(e);
    } catch (e2) {
      return finallyThenThrow(env, e2);
    }
    if (r instanceof Promise) {
      return r.then(
        (sig) => afterFinally(env, sig),
        (e2) => finallyThenThrow(env, e2),
      );
    }
    return afterFinally(env, r);
  };
  return (env) => {
    let r: Signal | Promise<Signal>;
    try {
      r = block(env);
    } catch (e) {
      return onError(env, e);
    }
    if (r instanceof Promise) {
      return r.then(
        (sig) => afterFinally(env, sig),
        (e) => onError(env, e),
      );
    }
    return afterFinally(env, r);
  };
}
