/** The syntax tree of a Sentra script, as the parser builds it. Every node knows its position. */

interface At {
  readonly line: number;
  readonly col: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';
export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=';

export interface LiteralExpr extends At {
  readonly type: 'Literal';
  readonly value: null | boolean | number | string;
}
export interface IdentExpr extends At {
  readonly type: 'Ident';
  readonly name: string;
}
export interface ArrayExpr extends At {
  readonly type: 'Array';
  readonly items: Expr[];
}
export interface MapEntry {
  readonly key: string;
  readonly value: Expr;
}
export interface MapExpr extends At {
  readonly type: 'Map';
  readonly entries: MapEntry[];
}
export interface UnaryExpr extends At {
  readonly type: 'Unary';
  readonly op: '-' | '+' | '!';
  readonly operand: Expr;
}
export interface BinaryExpr extends At {
  readonly type: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}
export interface LogicalExpr extends At {
  readonly type: 'Logical';
  readonly op: 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
}
export interface CondExpr extends At {
  readonly type: 'Cond';
  readonly test: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
}
export interface MemberExpr extends At {
  readonly type: 'Member';
  readonly object: Expr;
  readonly name: string;
}
export interface IndexExpr extends At {
  readonly type: 'Index';
  readonly object: Expr;
  readonly index: Expr;
}
export interface CallExpr extends At {
  readonly type: 'Call';
  readonly callee: Expr;
  readonly args: Expr[];
}
export interface Param extends At {
  readonly name: string;
  readonly defaultValue: Expr | null;
}
export interface FuncExpr extends At {
  readonly type: 'Func';
  /** The declared name, or null for an anonymous function. */
  readonly name: string | null;
  readonly params: Param[];
  /** A block body, or the single expression of a `=>` body. */
  readonly body: BlockStmt | Expr;
}

export type Expr =
  | LiteralExpr
  | IdentExpr
  | ArrayExpr
  | MapExpr
  | UnaryExpr
  | BinaryExpr
  | LogicalExpr
  | CondExpr
  | MemberExpr
  | IndexExpr
  | CallExpr
  | FuncExpr;

export type AssignTarget = IdentExpr | MemberExpr | IndexExpr;

export interface ExprStmt extends At {
  readonly type: 'ExprStmt';
  readonly expr: Expr;
}
export interface AssignStmt extends At {
  readonly type: 'Assign';
  readonly op: AssignOp;
  readonly target: AssignTarget;
  readonly value: Expr;
}
export interface LetStmt extends At {
  readonly type: 'Let';
  readonly kind: 'let' | 'var' | 'const';
  readonly name: string;
  readonly init: Expr | null;
}
export interface FnDeclStmt extends At {
  readonly type: 'FnDecl';
  readonly fn: FuncExpr & { readonly name: string };
}
export interface ReturnStmt extends At {
  readonly type: 'Return';
  readonly value: Expr | null;
}
export interface IfStmt extends At {
  readonly type: 'If';
  readonly test: Expr;
  readonly then: BlockStmt;
  readonly otherwise: BlockStmt | IfStmt | null;
}
export interface WhileStmt extends At {
  readonly type: 'While';
  readonly test: Expr;
  readonly body: BlockStmt;
}
export interface ForInStmt extends At {
  readonly type: 'ForIn';
  /** One name (`for x in xs`) or two (`for i, x in xs` / `for k, v in map`). */
  readonly names: string[];
  readonly iterable: Expr;
  readonly body: BlockStmt;
}
export interface ForStmt extends At {
  readonly type: 'For';
  readonly init: LetStmt | AssignStmt | ExprStmt | null;
  readonly test: Expr | null;
  readonly update: AssignStmt | ExprStmt | null;
  readonly body: BlockStmt;
}
export interface BreakStmt extends At {
  readonly type: 'Break';
}
export interface ContinueStmt extends At {
  readonly type: 'Continue';
}
export interface TryStmt extends At {
  readonly type: 'Try';
  readonly block: BlockStmt;
  readonly param: string | null;
  readonly handler: BlockStmt | null;
  readonly finalizer: BlockStmt | null;
}
export interface ThrowStmt extends At {
  readonly type: 'Throw';
  readonly value: Expr;
}
export interface BlockStmt extends At {
  readonly type: 'Block';
  readonly body: Stmt[];
}

export type Stmt =
  | ExprStmt
  | AssignStmt
  | LetStmt
  | FnDeclStmt
  | ReturnStmt
  | IfStmt
  | WhileStmt
  | ForInStmt
  | ForStmt
  | BreakStmt
  | ContinueStmt
  | TryStmt
  | ThrowStmt
  | BlockStmt;

/** A parsed script: its statements, file name and source (kept for error frames). */
export interface Program {
  readonly file: string;
  readonly source: string;
  readonly body: Stmt[];
}
