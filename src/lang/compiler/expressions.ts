/**
 * Expressions compile to closures `(env) => value`. A closure returns a Promise only when
 * something below it waited; each node checks its operands with `instanceof Promise` and
 * continues asynchronously only then (see runtime.ts).
 */
import type { Expr, FuncExpr, IdentExpr } from '../ast.js';
import { BINARY, binaryMismatch, indexGet, MISMATCH, OpError } from '../operators.js';
import { type Env, type ExprFn, type FnInfo, type Pos, type Runtime, UNINIT } from '../runtime.js';
import { setKey, truthy, typeName } from '../values.js';
import type { CompileContext } from './context.js';
import { Scope } from './context.js';
import { compileFunctionBody } from './statements.js';

/** Evaluates `fns` left to right into a new array; a Promise of it if one of them waited. */
export function evalList(fns: readonly ExprFn[], env: Env): unknown[] | Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < fns.length; i++) {
    const v = fns[i](env);
    if (v instanceof Promise) return finishList(fns, env, out, i, v);
    out.push(v);
  }
  return out;
}

async function finishList(
  fns: readonly ExprFn[],
  env: Env,
  out: unknown[],
  i: number,
  pending: Promise<unknown>,
): Promise<unknown[]> {
  out.push(await pending);
  for (let j = i + 1; j < fns.length; j++) {
    let v = fns[j](env);
    if (v instanceof Promise) v = await v;
    out.push(v);
  }
  return out;
}

/** Reads member `name` of `obj`: own keys of maps and host objects; a missing key is null. */
export function getMember(rt: Runtime, obj: unknown, name: string, at: Pos, env: Env): unknown {
  if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) {
    if (!Object.hasOwn(obj, name)) return null;
    const v = (obj as Record<string, unknown>)[name];
    return v === undefined ? null : v;
  }
  const hint =
    Array.isArray(obj) || typeof obj === 'string' ? (name === 'length' ? ' (use len(x))' : '') : '';
  throw rt.error(at, env, `cannot read member '${name}' of ${typeName(obj)}${hint}`);
}

export function setMember(rt: Runtime, obj: unknown, name: string, value: unknown, at: Pos, env: Env): void {
  if (typeof obj === 'object' && obj !== null && !Array.isArray(obj) && !(obj instanceof Uint8Array)) {
    setKey(obj as Record<string, unknown>, name, value);
    return;
  }
  throw rt.error(at, env, `cannot set member '${name}' of ${typeName(obj)}`);
}

export function getIndex(rt: Runtime, obj: unknown, index: unknown, at: Pos, env: Env): unknown {
  const v = indexGet(obj, index);
  if (v instanceof OpError) throw rt.error(at, env, v.message);
  return v === undefined ? null : v;
}

export function readChecked(rt: Runtime, v: unknown, name: string, at: Pos, env: Env): unknown {
  if (v === UNINIT) throw rt.error(at, env, `'${name}' is used before its declaration`);
  return v;
}

function compileIdent(cx: CompileContext, e: IdentExpr): ExprFn {
  const rt = cx.rt;
  const r = cx.resolve(e.name, e);
  const name = e.name;
  if (r.where === 'global') {
    const g = rt.globals;
    const slot = r.slot;
    return (env) => {
      const v = g[slot];
      return v === UNINIT ? readChecked(rt, v, name, e, env) : v;
    };
  }
  const { depth, slot } = r;
  if (r.checked) {
    return (env) => {
      let s = env;
      for (let d = 0; d < depth; d++) s = s.parent as Env;
      const v = s.vals[slot];
      return v === UNINIT ? readChecked(rt, v, name, e, env) : v;
    };
  }
  switch (depth) {
    case 0:
      return (env) => env.vals[slot];
    case 1:
      return (env) => (env.parent as Env).vals[slot];
    case 2:
      return (env) => ((env.parent as Env).parent as Env).vals[slot];
    default:
      return (env) => {
        let s = env;
        for (let d = 0; d < depth; d++) s = s.parent as Env;
        return s.vals[slot];
      };
  }
}

/** Compiles a function literal: its own scope holds the parameters and the body's declarations. */
export function compileFunction(cx: CompileContext, fn: FuncExpr, nameHint = ''): FnInfo {
  const scope = new Scope(cx.scope, true);
  for (const p of fn.params) cx.declare(scope, p.name, 'param', p, true);
  return compileFunctionBody(cx, fn, scope, nameHint);
}

/**
 * Compiles an expression. `nameHint` names an anonymous function by where it is stored
 * (`let check = fn() ...`, `{"filter": fn(req) ...}`), as JavaScript does, for readable stacks.
 */
export function compileExpr(cx: CompileContext, e: Expr, nameHint = ''): ExprFn {
  const rt = cx.rt;
  switch (e.type) {
    case 'Literal': {
      const v = e.value;
      return () => v;
    }
    case 'Ident':
      return compileIdent(cx, e);
    case 'Array': {
      const items = e.items.map((x) => compileExpr(cx, x));
      return (env) => evalList(items, env);
    }
    case 'Map': {
      const keys = e.entries.map((x) => x.key);
      const values = e.entries.map((x) => compileExpr(cx, x.value, x.key));
      const build = (vals: unknown[]) => {
        const m: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) setKey(m, keys[i], vals[i]);
        return m;
      };
      return (env) => {
        const vals = evalList(values, env);
        return vals instanceof Promise ? vals.then(build) : build(vals);
      };
    }
    case 'Unary': {
      const operand = compileExpr(cx, e.operand);
      const op = e.op;
      const apply = (v: unknown, env: Env): unknown => {
        if (op === '!') return !truthy(v);
        if (typeof v !== 'number') {
          throw rt.error(e, env, `cannot apply unary '${op}' to ${typeName(v)} (it takes a number)`);
        }
        return op === '-' ? -v : v;
      };
      return (env) => {
        const v = operand(env);
        return v instanceof Promise ? v.then((x) => apply(x, env)) : apply(v, env);
      };
    }
    case 'Binary': {
      const left = compileExpr(cx, e.left);
      const right = compileExpr(cx, e.right);
      const f = BINARY[e.op];
      const op = e.op;
      const finish = (l: unknown, r: unknown, env: Env): unknown => {
        const v = f(l, r);
        if (v === MISMATCH) throw rt.error(e, env, binaryMismatch(op, l, r));
        return v;
      };
      const withLeft = (l: unknown, env: Env): unknown => {
        const r = right(env);
        return r instanceof Promise ? r.then((x) => finish(l, x, env)) : finish(l, r, env);
      };
      return (env) => {
        const l = left(env);
        if (l instanceof Promise) return l.then((x) => withLeft(x, env));
        const r = right(env);
        if (r instanceof Promise) return r.then((x) => finish(l, x, env));
        const v = f(l, r);
        return v === MISMATCH ? finish(l, r, env) : v;
      };
    }
    case 'Logical': {
      const left = compileExpr(cx, e.left);
      const right = compileExpr(cx, e.right);
      const pick =
        e.op === 'and'
          ? (l: unknown, env: Env) => (truthy(l) ? right(env) : l)
          : (l: unknown, env: Env) => (truthy(l) ? l : right(env));
      return (env) => {
        const l = left(env);
        return l instanceof Promise ? l.then((x) => pick(x, env)) : pick(l, env);
      };
    }
    case 'Cond': {
      const test = compileExpr(cx, e.test);
      const then = compileExpr(cx, e.then);
      const otherwise = compileExpr(cx, e.otherwise);
      return (env) => {
        const t = test(env);
        if (t instanceof Promise) return t.then((x) => (truthy(x) ? then(env) : otherwise(env)));
        return truthy(t) ? then(env) : otherwise(env);
      };
    }
    case 'Member': {
      const obj = compileExpr(cx, e.object);
      const name = e.name;
      return (env) => {
        const o = obj(env);
        if (o instanceof Promise) return o.then((x) => getMember(rt, x, name, e, env));
        if (typeof o === 'object' && o !== null && !Array.isArray(o)) {
          if (!Object.hasOwn(o, name)) return null;
          const v = (o as Record<string, unknown>)[name];
          return v === undefined ? null : v;
        }
        return getMember(rt, o, name, e, env);
      };
    }
    case 'Index': {
      const obj = compileExpr(cx, e.object);
      const index = compileExpr(cx, e.index);
      const withObj = (o: unknown, env: Env): unknown => {
        const k = index(env);
        return k instanceof Promise ? k.then((x) => getIndex(rt, o, x, e, env)) : getIndex(rt, o, k, e, env);
      };
      return (env) => {
        const o = obj(env);
        return o instanceof Promise ? o.then((x) => withObj(x, env)) : withObj(o, env);
      };
    }
    case 'Call': {
      const callee = compileExpr(cx, e.callee);
      const args = e.args.map((a) => compileExpr(cx, a));
      const name = e.callee.type === 'Ident' || e.callee.type === 'Member' ? e.callee.name : '';
      const withCallee = (f: unknown, env: Env): unknown => {
        const a = evalList(args, env);
        return a instanceof Promise
          ? a.then((x) => rt.invoke(f, x, env, e, name))
          : rt.invoke(f, a, env, e, name);
      };
      return (env) => {
        const f = callee(env);
        return f instanceof Promise ? f.then((x) => withCallee(x, env)) : withCallee(f, env);
      };
    }
    case 'Func': {
      const info = compileFunction(cx, e, nameHint);
      return (env) => rt.makeFunction(info, env);
    }
  }
}
