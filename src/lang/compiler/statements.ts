/**
 * Statements compile to closures `(env) => Signal` (or a Promise of one when something waited).
 * Blocks that declare names get their own Env; blocks that do not run in their parent's.
 */
import { type ErrorCode, ErrorCodes } from '../../errors.js';
import type { AssignStmt, FuncExpr, Stmt, ThrowStmt } from '../ast.js';
import { BINARY, type BinaryFn, binaryMismatch, indexSet, MISMATCH } from '../operators.js';
import {
  BREAK,
  CONTINUE,
  Env,
  type ExprFn,
  type FnInfo,
  type Hoisted,
  NORMAL,
  RETURN,
  type Runtime,
  type Signal,
  type StmtFn,
  UNINIT,
} from '../runtime.js';
import { isMap, repr, truthy } from '../values.js';
import { type BindingKind, type CompileContext, Scope } from './context.js';
import { compileExpr, compileFunction, evalList, getIndex, getMember, setMember } from './expressions.js';
import { compileFor, compileForIn, compileWhile } from './loops.js';
import { compileTry } from './try.js';

export const NORMAL_FN: StmtFn = () => NORMAL;
const toNormal = (): Signal => NORMAL;

/** Statements compiled for a scope of their own (or for the enclosing one when they declare nothing). */
export interface ScopedCode {
  readonly template: readonly unknown[];
  readonly hoisted: readonly Hoisted[];
  readonly seq: StmtFn;
  readonly hasScope: boolean;
}

export interface PresetName {
  readonly name: string;
  readonly kind: BindingKind;
  readonly line: number;
  readonly col: number;
}

/** A fresh Env for one entry into a scoped block, with its hoisted functions bound. */
export function enterScope(rt: Runtime, code: ScopedCode, env: Env): Env {
  const e = new Env(code.template.slice(), env, env.frame);
  for (const h of code.hoisted) e.vals[h.slot] = rt.makeFunction(h.info, e);
  return e;
}

function compileHoisted(cx: CompileContext, scope: Scope): Hoisted[] {
  return scope.hoisted.map((h) => ({ slot: h.slot, info: compileFunction(cx, h.stmt.fn) }));
}

/** Compiles a block; `preset` names (loop variables, the catch variable) take the first slots. */
export function compileScoped(
  cx: CompileContext,
  stmts: readonly Stmt[],
  preset: readonly PresetName[] = [],
): ScopedCode {
  const declares = preset.length > 0 || stmts.some((s) => s.type === 'Let' || s.type === 'FnDecl');
  if (!declares) return { template: [], hoisted: [], seq: compileSeq(cx, stmts), hasScope: false };
  const scope = new Scope(cx.scope, false);
  for (const p of preset) cx.declare(scope, p.name, p.kind, p, true);
  cx.prescan(scope, stmts);
  return cx.withScope(scope, () => {
    const hoisted = compileHoisted(cx, scope);
    const seq = compileSeq(cx, stmts);
    return { template: new Array(scope.size).fill(UNINIT), hoisted, seq, hasScope: true };
  });
}

/** A block statement: runs its statements in a new scope if it declares anything. */
export function compileBlock(cx: CompileContext, stmts: readonly Stmt[]): StmtFn {
  const code = compileScoped(cx, stmts);
  if (!code.hasScope) return code.seq;
  const rt = cx.rt;
  return (env) => code.seq(enterScope(rt, code, env));
}

export function compileFunctionBody(cx: CompileContext, fn: FuncExpr, scope: Scope, nameHint = ''): FnInfo {
  const body = fn.body;
  if (body.type === 'Block') cx.prescan(scope, body.body);
  return cx.withScope(scope, () => {
    // parameters are readable in later defaults only once bound: checked reads until then
    for (const p of fn.params) (scope.names.get(p.name) as { ready: boolean }).ready = false;
    const defaults = fn.params.map((p) => (p.defaultValue ? compileExpr(cx, p.defaultValue) : null));
    for (const p of fn.params) (scope.names.get(p.name) as { ready: boolean }).ready = true;
    const hoisted = compileHoisted(cx, scope);
    const seq = body.type === 'Block' ? compileSeq(cx, body.body) : null;
    const expr = body.type === 'Block' ? null : compileExpr(cx, body);
    const firstDefault = fn.params.findIndex((p) => p.defaultValue !== null);
    return {
      name: fn.name ?? nameHint,
      file: cx.file,
      params: fn.params.map((p) => p.name),
      minArgs: firstDefault < 0 ? fn.params.length : firstDefault,
      defaults,
      template: new Array(scope.size).fill(UNINIT),
      hoisted,
      body: seq,
      expr,
    };
  });
}

function runSeq(fns: readonly StmtFn[], env: Env): Signal | Promise<Signal> {
  for (let i = 0; i < fns.length; i++) {
    const s = fns[i](env);
    if (s !== NORMAL) return s instanceof Promise ? resumeSeq(fns, env, i, s) : s;
  }
  return NORMAL;
}

async function resumeSeq(
  fns: readonly StmtFn[],
  env: Env,
  i: number,
  pending: Promise<Signal>,
): Promise<Signal> {
  let s = await pending;
  if (s !== NORMAL) return s;
  for (let j = i + 1; j < fns.length; j++) {
    const r = fns[j](env);
    s = r instanceof Promise ? await r : r;
    if (s !== NORMAL) return s;
  }
  return NORMAL;
}

/** A statement list in the current scope (function declarations are hoisted, not run in place). */
export function compileSeq(cx: CompileContext, stmts: readonly Stmt[]): StmtFn {
  const fns = stmts.filter((s) => s.type !== 'FnDecl').map((s) => compileStmt(cx, s));
  if (fns.length === 0) return NORMAL_FN;
  if (fns.length === 1) return fns[0];
  return (env) => runSeq(fns, env);
}

export function compileStmt(cx: CompileContext, s: Stmt): StmtFn {
  switch (s.type) {
    case 'ExprStmt': {
      const e = compileExpr(cx, s.expr);
      return (env) => {
        const v = e(env);
        return v instanceof Promise ? v.then(toNormal) : NORMAL;
      };
    }
    case 'Let':
      return compileLet(cx, s);
    case 'FnDecl':
      return NORMAL_FN;
    case 'Assign':
      return compileAssign(cx, s);
    case 'Return': {
      if (s.value === null) {
        return (env) => {
          env.frame.ret = null;
          return RETURN;
        };
      }
      const e = compileExpr(cx, s.value);
      return (env) => {
        const v = e(env);
        if (v instanceof Promise) {
          return v.then((x) => {
            env.frame.ret = x;
            return RETURN;
          });
        }
        env.frame.ret = v;
        return RETURN;
      };
    }
    case 'If': {
      const test = compileExpr(cx, s.test);
      const then = compileBlock(cx, s.then.body);
      const otherwise =
        s.otherwise === null
          ? NORMAL_FN
          : s.otherwise.type === 'If'
            ? compileStmt(cx, s.otherwise)
            : compileBlock(cx, s.otherwise.body);
      return (env) => {
        const t = test(env);
        if (t instanceof Promise) return t.then((x) => (truthy(x) ? then(env) : otherwise(env)));
        return truthy(t) ? then(env) : otherwise(env);
      };
    }
    case 'While':
      return compileWhile(cx, s);
    case 'ForIn':
      return compileForIn(cx, s);
    case 'For':
      return compileFor(cx, s);
    case 'Break':
      return () => BREAK;
    case 'Continue':
      return () => CONTINUE;
    case 'Try':
      return compileTry(cx, s);
    case 'Throw':
      return compileThrow(cx, s);
    case 'Block':
      return compileBlock(cx, s.body);
  }
}

function compileLet(cx: CompileContext, s: Extract<Stmt, { type: 'Let' }>): StmtFn {
  const rt = cx.rt;
  const init: ExprFn = s.init === null ? () => null : compileExpr(cx, s.init, s.name);
  if (cx.scope === null) {
    const slot = cx.globalSlot(s.name, s);
    const g = rt.globals;
    const isConst = s.kind === 'const';
    const set = (v: unknown): Signal => {
      g[slot] = v;
      rt.globalConst[slot] = isConst;
      return NORMAL;
    };
    return (env) => {
      const v = init(env);
      return v instanceof Promise ? v.then(set) : set(v);
    };
  }
  const binding = cx.scope.names.get(s.name);
  if (binding === undefined) throw new Error(`internal: '${s.name}' was not prescanned`);
  binding.ready = true;
  return storeInCurrentScope(init, binding.slot);
}

/** Evaluates `value` into a slot of the innermost Env: the hottest statement shape there is. */
function storeInCurrentScope(value: ExprFn, slot: number): StmtFn {
  return (env) => {
    const v = value(env);
    if (v instanceof Promise) {
      return v.then((x) => {
        env.vals[slot] = x;
        return NORMAL;
      });
    }
    env.vals[slot] = v;
    return NORMAL;
  };
}

function compileAssign(cx: CompileContext, s: AssignStmt): StmtFn {
  const rt = cx.rt;
  const value = compileExpr(cx, s.value, s.target.type === 'Index' ? '' : s.target.name);
  const op = s.op === '=' ? null : (s.op[0] as keyof typeof BINARY);
  const f: BinaryFn | null = op === null ? null : BINARY[op];
  const combine = (old: unknown, v: unknown, env: Env): unknown => {
    const r = (f as BinaryFn)(old, v);
    if (r === MISMATCH) throw rt.error(s, env, binaryMismatch(op as keyof typeof BINARY, old, v));
    return r;
  };
  const t = s.target;
  if (t.type === 'Ident') {
    const r = cx.resolve(t.name, t);
    if (r.where === 'local' && r.binding.kind === 'const') {
      cx.fail(t, `cannot assign to constant '${t.name}' (declared at ${r.binding.line}:${r.binding.col})`);
    }
    if (r.where === 'global' && cx.isConstGlobal(t.name)) cx.fail(t, `cannot assign to constant '${t.name}'`);
    const name = t.name;
    let store: (env: Env, v: unknown) => Signal;
    if (r.where === 'global') {
      const g = rt.globals;
      const slot = r.slot;
      store = (env, v) => {
        if (g[slot] === UNINIT) throw rt.error(t, env, `cannot assign to '${name}' before its declaration`);
        g[slot] = v;
        return NORMAL;
      };
    } else {
      const { depth, slot, checked } = r;
      if (depth === 0 && !checked && f === null) return storeInCurrentScope(value, slot);
      store = (env, v) => {
        let e = env;
        for (let d = 0; d < depth; d++) e = e.parent as Env;
        if (checked && e.vals[slot] === UNINIT) {
          throw rt.error(t, env, `cannot assign to '${name}' before its declaration`);
        }
        e.vals[slot] = v;
        return NORMAL;
      };
    }
    if (f === null) {
      return (env) => {
        const v = value(env);
        return v instanceof Promise ? v.then((x) => store(env, x)) : store(env, v);
      };
    }
    const read = compileExpr(cx, t);
    const withOld = (old: unknown, env: Env): Signal | Promise<Signal> => {
      const v = value(env);
      return v instanceof Promise
        ? v.then((x) => store(env, combine(old, x, env)))
        : store(env, combine(old, v, env));
    };
    return (env) => {
      const old = read(env);
      return old instanceof Promise ? old.then((x) => withOld(x, env)) : withOld(old, env);
    };
  }
  // member or element: evaluate the object (and index), then the value
  const parts: ExprFn[] =
    t.type === 'Member' ? [compileExpr(cx, t.object)] : [compileExpr(cx, t.object), compileExpr(cx, t.index)];
  const read = (p: unknown[], env: Env): unknown =>
    t.type === 'Member' ? getMember(rt, p[0], t.name, t, env) : getIndex(rt, p[0], p[1], t, env);
  const write = (p: unknown[], v: unknown, env: Env): Signal => {
    if (t.type === 'Member') setMember(rt, p[0], t.name, v, t, env);
    else {
      const err = indexSet(p[0], p[1], v);
      if (err !== null) throw rt.error(t, env, err);
    }
    return NORMAL;
  };
  const finish = (p: unknown[], env: Env): Signal | Promise<Signal> => {
    const old = f === null ? undefined : read(p, env);
    const v = value(env);
    if (v instanceof Promise) return v.then((x) => write(p, f === null ? x : combine(old, x, env), env));
    return write(p, f === null ? v : combine(old, v, env), env);
  };
  return (env) => {
    const p = evalList(parts, env);
    return p instanceof Promise ? p.then((x) => finish(x, env)) : finish(p, env);
  };
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

function compileThrow(cx: CompileContext, s: ThrowStmt): StmtFn {
  const rt = cx.rt;
  const value = compileExpr(cx, s.value);
  const raise = (v: unknown, env: Env): never => {
    let reason: string;
    let code: ErrorCode = ErrorCodes.SCRIPT_RUNTIME;
    if (typeof v === 'string') reason = v;
    else if (isMap(v) && typeof v.message === 'string') {
      reason = v.message;
      if (typeof v.code === 'string' && KNOWN_CODES.has(v.code)) code = v.code as ErrorCode;
    } else reason = repr(v);
    throw rt.error(s, env, reason, code, { value: v });
  };
  return (env) => {
    const v = value(env);
    return v instanceof Promise ? v.then((x) => raise(x, env)) : raise(v, env);
  };
}
