/**
 * Whether code creates functions. A loop whose body creates none can reuse one Env for all its
 * iterations (nothing can keep an iteration's variables alive), which saves an allocation per
 * iteration on the hottest path of most scripts.
 */
import type { Expr, Stmt } from '../ast.js';

function exprCreates(e: Expr | null): boolean {
  if (e === null) return false;
  switch (e.type) {
    case 'Func':
      return true;
    case 'Literal':
    case 'Ident':
      return false;
    case 'Array':
      return e.items.some(exprCreates);
    case 'Map':
      return e.entries.some((x) => exprCreates(x.value));
    case 'Unary':
      return exprCreates(e.operand);
    case 'Binary':
    case 'Logical':
      return exprCreates(e.left) || exprCreates(e.right);
    case 'Cond':
      return exprCreates(e.test) || exprCreates(e.then) || exprCreates(e.otherwise);
    case 'Member':
      return exprCreates(e.object);
    case 'Index':
      return exprCreates(e.object) || exprCreates(e.index);
    case 'Call':
      return exprCreates(e.callee) || e.args.some(exprCreates);
  }
}

function stmtCreates(s: Stmt | null): boolean {
  if (s === null) return false;
  switch (s.type) {
    case 'FnDecl':
      return true;
    case 'ExprStmt':
      return exprCreates(s.expr);
    case 'Assign':
      return exprCreates(s.target) || exprCreates(s.value);
    case 'Let':
      return exprCreates(s.init);
    case 'Return':
      return exprCreates(s.value);
    case 'Throw':
      return exprCreates(s.value);
    case 'If':
      return exprCreates(s.test) || createsFunctions(s.then.body) || stmtCreates(s.otherwise);
    case 'While':
      return exprCreates(s.test) || createsFunctions(s.body.body);
    case 'ForIn':
      return exprCreates(s.iterable) || createsFunctions(s.body.body);
    case 'For':
      return (
        stmtCreates(s.init) || exprCreates(s.test) || stmtCreates(s.update) || createsFunctions(s.body.body)
      );
    case 'Try':
      return (
        createsFunctions(s.block.body) ||
        createsFunctions(s.handler?.body ?? []) ||
        createsFunctions(s.finalizer?.body ?? [])
      );
    case 'Block':
      return createsFunctions(s.body);
    case 'Break':
    case 'Continue':
      return false;
  }
}

export function createsFunctions(stmts: readonly Stmt[]): boolean {
  return stmts.some(stmtCreates);
}
