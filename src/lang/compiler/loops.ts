/**
 * Loops. Each runs as a plain synchronous loop until its test, body or update has to wait; from
 * then on the rest of that loop runs in an async function (a loop of awaits, so an endless
 * `while true { sleep(1) }` holds constant memory instead of a growing promise chain).
 */
import type { ForInStmt, ForStmt, WhileStmt } from '../ast.js';
import { BREAK, Env, type ExprFn, NORMAL, RETURN, type Signal, type StmtFn, UNINIT } from '../runtime.js';
import { getKey, truthy, typeName } from '../values.js';
import { createsFunctions } from './closures.js';
import { type CompileContext, Scope } from './context.js';
import { compileExpr } from './expressions.js';
import { compileBlock, compileScoped, compileStmt, enterScope, NORMAL_FN } from './statements.js';

/** `while test { body }` is a C-style loop without initialiser and update. */
export function compileWhile(cx: CompileContext, s: WhileStmt): StmtFn {
  return compileFor(cx, {
    type: 'For',
    init: null,
    test: s.test,
    update: null,
    body: s.body,
    line: s.line,
    col: s.col,
  });
}

export function compileForIn(cx: CompileContext, s: ForInStmt): StmtFn {
  const rt = cx.rt;
  const iterable = compileExpr(cx, s.iterable);
  const preset = s.names.map((name) => ({ name, kind: 'loop' as const, line: s.line, col: s.col }));
  const code = compileScoped(cx, s.body.body, preset);
  const two = s.names.length === 2;
  const reuse = !createsFunctions(s.body.body);

  /** One execution of the loop: what it runs over (the elements, or a map's keys). */
  interface Walk {
    readonly coll: unknown;
    readonly list: ArrayLike<unknown>;
    readonly keys: string[] | null;
    /** The Env all iterations share when the body creates no functions. */
    shared: Env | null;
  }
  const enter = (w: Walk, i: number, env: Env): Env => {
    let e: Env;
    if (!reuse) e = enterScope(rt, code, env);
    else if (w.shared === null) e = w.shared = enterScope(rt, code, env);
    else {
      e = w.shared;
      // later declarations of the body start each iteration undeclared again
      for (let j = preset.length; j < e.vals.length; j++) e.vals[j] = UNINIT;
    }
    if (w.keys !== null) {
      e.vals[0] = w.keys[i];
      if (two) e.vals[1] = getKey(w.coll as object, w.keys[i]);
    } else if (two) {
      e.vals[0] = i;
      e.vals[1] = w.list[i];
    } else {
      e.vals[0] = w.list[i];
    }
    return e;
  };
  // phase 1: the body of iteration i is pending; 2: the tick after it is pending
  const resume = async (
    w: Walk,
    env: Env,
    i: number,
    pending: Promise<unknown>,
    phase: number,
  ): Promise<Signal> => {
    let p: unknown = pending;
    for (;;) {
      if (phase === 1) {
        const sig = p instanceof Promise ? await p : p;
        if (sig === BREAK) return NORMAL;
        if (sig === RETURN) return RETURN;
        p = rt.tick();
      }
      if (p instanceof Promise) await p;
      i++;
      if (i >= w.list.length) return NORMAL;
      p = code.seq(enter(w, i, env));
      phase = 1;
    }
  };
  const run = (coll: unknown, env: Env): Signal | Promise<Signal> => {
    let w: Walk;
    if (Array.isArray(coll) || typeof coll === 'string' || coll instanceof Uint8Array) {
      w = { coll, list: coll, keys: null, shared: null };
    } else if (typeof coll === 'object' && coll !== null) {
      const keys = Object.keys(coll);
      w = { coll, list: keys, keys, shared: null };
    } else {
      throw rt.error(
        s.iterable,
        env,
        `cannot iterate over ${typeName(coll)}: 'for ... in' takes an array, a map or a string`,
      );
    }
    for (let i = 0; i < w.list.length; i++) {
      const sig = code.seq(enter(w, i, env));
      if (sig !== NORMAL) {
        if (sig instanceof Promise) return resume(w, env, i, sig, 1);
        if (sig === BREAK) return NORMAL;
        if (sig === RETURN) return RETURN;
      }
      const k = rt.tick();
      if (k !== undefined) return resume(w, env, i, k, 2);
    }
    return NORMAL;
  };
  return (env) => {
    const coll = iterable(env);
    return coll instanceof Promise ? coll.then((c) => run(c, env)) : run(coll, env);
  };
}

export function compileFor(cx: CompileContext, s: ForStmt): StmtFn {
  const rt = cx.rt;
  const init = s.init;
  // `for (let i = 0; ...)` gives each iteration its own copy of `i`, as in JavaScript, so closures
  // created in the body keep the value of their iteration
  const scope = init !== null && init.type === 'Let' ? new Scope(cx.scope, false) : null;
  const copyPerIteration = scope !== null && createsFunctions([s.body, ...(s.update ? [s.update] : [])]);
  if (scope !== null && init !== null && init.type === 'Let')
    cx.declare(scope, init.name, init.kind, init, false);
  const compileParts = () => ({
    initFn: init === null ? NORMAL_FN : compileStmt(cx, init),
    test: s.test === null ? ((() => true) as ExprFn) : compileExpr(cx, s.test),
    update: s.update === null ? null : compileStmt(cx, s.update),
    body: compileBlock(cx, s.body.body),
  });
  const { initFn, test, update, body } = scope === null ? compileParts() : cx.withScope(scope, compileParts);
  const template = scope === null ? [] : new Array(scope.size).fill(UNINIT);
  const next = (e: Env, env: Env): Env => (copyPerIteration ? new Env(e.vals.slice(), env, env.frame) : e);

  // phase 0: test pending; 1: body pending; 2: update pending; 3: tick pending
  const resume = async (e: Env, env: Env, pending: Promise<unknown>, phase: number): Promise<Signal> => {
    let p: unknown = pending;
    for (;;) {
      if (phase === 0) {
        if (!truthy(p instanceof Promise ? await p : p)) return NORMAL;
        p = body(e);
        phase = 1;
      }
      if (phase === 1) {
        const sig = p instanceof Promise ? await p : p;
        if (sig === BREAK) return NORMAL;
        if (sig === RETURN) return RETURN;
        e = next(e, env);
        p = update === null ? NORMAL : update(e);
        phase = 2;
      }
      if (phase === 2) {
        if (p instanceof Promise) await p;
        p = rt.tick();
      }
      if (p instanceof Promise) await p;
      p = test(e);
      phase = 0;
    }
  };
  const loop = (e: Env, env: Env): Signal | Promise<Signal> => {
    for (;;) {
      const t = test(e);
      if (t instanceof Promise) return resume(e, env, t, 0);
      if (!truthy(t)) return NORMAL;
      const sig = body(e);
      if (sig !== NORMAL) {
        if (sig instanceof Promise) return resume(e, env, sig, 1);
        if (sig === BREAK) return NORMAL;
        if (sig === RETURN) return RETURN;
      }
      e = next(e, env);
      if (update !== null) {
        const u = update(e);
        if (u instanceof Promise) return resume(e, env, u, 2);
      }
      const k = rt.tick();
      if (k !== undefined) return resume(e, env, k, 3);
    }
  };
  return (env) => {
    const e = scope === null ? env : new Env(template.slice(), env, env.frame);
    const r = initFn(e);
    return r instanceof Promise ? r.then(() => loop(e, env)) : loop(e, env);
  };
}
