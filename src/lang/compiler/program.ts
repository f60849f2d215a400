/** Compiles a whole program (a script file, or one REPL input) against a runtime's globals. */
import type { Program } from '../ast.js';
import { Env, type ExprFn, Frame, type Runtime, type StmtFn } from '../runtime.js';
import { CompileContext } from './context.js';
import { compileExpr, compileFunction } from './expressions.js';
import { compileSeq, compileStmt } from './statements.js';

export interface CompileOptions {
  /** Return the value of the last statement when it is an expression (the REPL prints it). */
  readonly captureLast?: boolean;
  /** The name of the outermost frame in stacks: `<main>` for scripts, `<repl>` for the REPL. */
  readonly frameName?: string;
}

/**
 * Compiles `program`; the result runs it and returns the captured value (or null), or a
 * Promise of it when the script waited. Throws SENTRA_ERR_SCRIPT_SYNTAX for undefined names,
 * assignments to constants and redeclarations, before anything runs.
 */
export function compileProgram(rt: Runtime, program: Program, options: CompileOptions = {}): () => unknown {
  const cx = new CompileContext(rt, program);
  const frameName = options.frameName ?? '<main>';
  let seq: StmtFn;
  let last: ExprFn | null = null;
  let hoisted: { slot: number; info: ReturnType<typeof compileFunction> }[];
  try {
    for (const s of program.body) {
      if (s.type === 'Let') cx.topLevel.set(s.name, s.kind);
      else if (s.type === 'FnDecl') cx.topLevel.set(s.fn.name, 'fn');
    }
    hoisted = [];
    for (const s of program.body) {
      if (s.type === 'FnDecl')
        hoisted.push({ slot: cx.globalSlot(s.fn.name, s), info: compileFunction(cx, s.fn) });
    }
    const body = program.body.filter((s) => s.type !== 'FnDecl');
    const tail = body[body.length - 1];
    if (options.captureLast && tail !== undefined && tail.type === 'ExprStmt') {
      seq = compileSeq(cx, body.slice(0, -1));
      last = compileExpr(cx, tail.expr);
    } else {
      seq = body.length === 1 ? compileStmt(cx, body[0]) : compileSeq(cx, body);
    }
  } catch (e) {
    cx.rollback();
    throw e;
  }
  const finish = (env: Env): unknown => (last === null ? null : last(env));
  return () => {
    const frame = new Frame(frameName, program.file, 0, 0, null, 0);
    const env = new Env([], null, frame);
    for (const h of hoisted) rt.globals[h.slot] = rt.makeFunction(h.info, env);
    const r = seq(env);
    if (r instanceof Promise) return r.then((sig) => (sig === 0 ? finish(env) : null));
    return r === 0 ? finish(env) : null;
  };
}
