/**
 * The Sentra parser: tokens to a syntax tree, by recursive descent.
 *
 * Statements end at a line break or `;`. Inside `()`, `[]` and map literals line breaks do not
 * matter, so long argument lists and literals span lines freely. Outside them, an operator that
 * starts a new line begins a new statement, and `(` or `[` at the start of a line never calls or
 * indexes the previous line's value (so `f()` then `(x)` on the next line are two statements).
 */
import type {
  AssignOp,
  AssignStmt,
  AssignTarget,
  BinaryOp,
  BlockStmt,
  Expr,
  ExprStmt,
  FuncExpr,
  IfStmt,
  LetStmt,
  MapEntry,
  Param,
  Program,
  Stmt,
} from './ast.js';
import { tokenize } from './lexer.js';
import { scriptSyntaxError } from './script-error.js';
import { describeToken, type Token } from './tokens.js';

const ASSIGN_OPS: ReadonlySet<string> = new Set(['=', '+=', '-=', '*=', '/=', '%=']);
/** Binary operator levels, loosest first (below `not`, above unary operators). */
const BINARY_LEVELS: readonly ReadonlySet<string>[] = [
  new Set(['==', '!=']),
  new Set(['<', '<=', '>', '>=', 'in']),
  new Set(['+', '-']),
  new Set(['*', '/', '%']),
];
/** Deeper nesting of expressions and blocks is refused, so the parser's own recursion stays bounded. */
export const MAX_NESTING = 200;

/** Parses a whole script. Throws SENTRA_ERR_SCRIPT_SYNTAX naming file, line, column and what was expected. */
export function parseScript(source: string, file = '<script>'): Program {
  return new Parser(tokenize(source, file), source, file).parseProgram();
}

class Parser {
  private pos = 0;
  /** > 0 inside (), [] and map literals, where line breaks are insignificant. */
  private groupDepth = 0;
  private loopDepth = 0;
  private nesting = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly file: string,
  ) {}

  parseProgram(): Program {
    const body: Stmt[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.eatOp(';')) continue;
      body.push(this.parseStatement());
    }
    return { file: this.file, source: this.source, body };
  }

  // --- token helpers ------------------------------------------------------------------

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isOp(text: string, t: Token = this.peek()): boolean {
    return t.kind === 'op' && t.text === text;
  }
  private isKw(text: string, t: Token = this.peek()): boolean {
    return t.kind === 'kw' && t.text === text;
  }
  private eatOp(text: string): boolean {
    if (!this.isOp(text)) return false;
    this.pos++;
    return true;
  }
  /** Whether an infix/postfix token may continue the expression on its left. */
  private continues(t: Token): boolean {
    return !t.nl || this.groupDepth > 0;
  }

  private fail(t: Token, reason: string): never {
    throw scriptSyntaxError({
      file: this.file,
      source: this.source,
      line: t.line,
      col: t.col,
      reason,
      incomplete: t.kind === 'eof',
    });
  }
  private expected(what: string, t: Token = this.peek()): never {
    this.fail(t, `expected ${what}, found ${describeToken(t)}`);
  }
  private expectOp(text: string, what: string): Token {
    const t = this.peek();
    if (!this.isOp(text, t)) this.expected(what, t);
    this.pos++;
    return t;
  }
  private expectName(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') {
      if (t.kind === 'kw') this.fail(t, `expected ${what}, found ${describeToken(t)} (a reserved word)`);
      this.expected(what, t);
    }
    this.pos++;
    return t;
  }
  private endStatement(): void {
    const t = this.peek();
    if (this.isOp(';', t)) {
      this.pos++;
      return;
    }
    if (t.nl || t.kind === 'eof' || this.isOp('}', t)) return;
    if (this.isOp('=', t)) this.fail(t, "unexpected '=' here (use '==' to compare)");
    this.expected("a line break or ';' after the statement", t);
  }
  private nested<T>(fn: () => T): T {
    if (++this.nesting > MAX_NESTING) {
      this.nesting = 0;
      this.fail(
        this.peek(),
        `too deeply nested (more than ${MAX_NESTING} levels of brackets, blocks or operators)`,
      );
    }
    try {
      return fn();
    } finally {
      this.nesting--;
    }
  }
  private withGroup<T>(fn: () => T): T {
    this.groupDepth++;
    try {
      return fn();
    } finally {
      this.groupDepth--;
    }
  }

  // --- statements ---------------------------------------------------------------------

  private parseStatement(): Stmt {
    return this.nested(() => this.parseStatementInner());
  }

  private parseStatementInner(): Stmt {
    const t = this.peek();
    // `{` starts a block, unless it is clearly a map literal (`{"k": ...`, `{k: ...`)
    if (t.kind === 'op' && t.text === '{' && !this.isOp(':', this.peek(2)))
      return this.parseBlock('the block');
    if (t.kind === 'kw') {
      switch (t.text) {
        case 'let':
        case 'var':
        case 'const': {
          const s = this.parseLet();
          this.endStatement();
          return s;
        }
        case 'fn':
          if (this.peek(1).kind === 'ident') {
            this.next();
            const name = this.next();
            const fn = this.parseFunctionRest(t, name.text) as FuncExpr & { name: string };
            if (fn.body.type !== 'Block') this.endStatement();
            return { type: 'FnDecl', fn, line: t.line, col: t.col };
          }
          break;
        case 'return': {
          this.next();
          const n = this.peek();
          const bare = n.nl || n.kind === 'eof' || this.isOp('}', n) || this.isOp(';', n);
          const value = bare ? null : this.parseExpression();
          this.endStatement();
          return { type: 'Return', value, line: t.line, col: t.col };
        }
        case 'if':
          return this.parseIf();
        case 'while': {
          this.next();
          const test = this.parseCondition("'while'");
          const body = this.parseLoopBody("the 'while' loop");
          return { type: 'While', test, body, line: t.line, col: t.col };
        }
        case 'for':
          return this.parseFor();
        case 'break':
        case 'continue': {
          this.next();
          if (this.loopDepth === 0) this.fail(t, `'${t.text}' outside a loop`);
          this.endStatement();
          return { type: t.text === 'break' ? 'Break' : 'Continue', line: t.line, col: t.col };
        }
        case 'try':
          return this.parseTry();
        case 'throw': {
          this.next();
          const n = this.peek();
          if (n.nl || n.kind === 'eof') this.expected("a value to throw on the same line as 'throw'", n);
          const value = this.parseExpression();
          this.endStatement();
          return { type: 'Throw', value, line: t.line, col: t.col };
        }
        case 'else':
          this.fail(t, "'else' without a matching 'if'");
          break;
        case 'catch':
        case 'finally':
          this.fail(t, `'${t.text}' without a matching 'try'`);
          break;
      }
    }
    const s = this.parseSimpleStatement();
    this.endStatement();
    return s;
  }

  private parseLet(): LetStmt {
    const kw = this.next();
    const kind = kw.text as LetStmt['kind'];
    const name = this.expectName(`a variable name after '${kind}'`);
    let init: Expr | null = null;
    if (this.eatOp('=')) init = this.parseExpression();
    else if (kind === 'const') this.expected(`'=' and a value: a constant needs one`);
    return { type: 'Let', kind, name: name.text, init, line: kw.line, col: kw.col };
  }

  /** An expression statement, an assignment (`=`, `+=`...) or an increment (`i++`). */
  private parseSimpleStatement(): ExprStmt | AssignStmt {
    const start = this.peek();
    const expr = this.parseExpression();
    const t = this.peek();
    if (t.kind === 'op' && (ASSIGN_OPS.has(t.text) || t.text === '++' || t.text === '--') && !t.nl) {
      if (expr.type !== 'Ident' && expr.type !== 'Member' && expr.type !== 'Index') {
        this.fail(
          t,
          `cannot assign to this expression: '${t.text}' needs a variable, element or member on its left`,
        );
      }
      this.next();
      const target = expr as AssignTarget;
      if (t.text === '++' || t.text === '--') {
        const one: Expr = { type: 'Literal', value: 1, line: t.line, col: t.col };
        return {
          type: 'Assign',
          op: t.text === '++' ? '+=' : '-=',
          target,
          value: one,
          line: t.line,
          col: t.col,
        };
      }
      const value = this.parseExpression();
      return { type: 'Assign', op: t.text as AssignOp, target, value, line: t.line, col: t.col };
    }
    return { type: 'ExprStmt', expr, line: start.line, col: start.col };
  }

  private parseBlock(what: string): BlockStmt {
    const open = this.peek();
    if (!this.isOp('{', open)) {
      if (this.isOp('=', open))
        this.fail(open, `expected '{' to start ${what}, found '=' (use '==' to compare)`);
      this.expected(`'{' to start ${what}`, open);
    }
    this.pos++;
    const savedGroup = this.groupDepth;
    this.groupDepth = 0;
    const body: Stmt[] = [];
    for (;;) {
      const t = this.peek();
      if (this.isOp('}', t)) break;
      if (t.kind === 'eof') this.expected(`'}' to close the block opened at ${open.line}:${open.col}`, t);
      if (this.eatOp(';')) continue;
      body.push(this.parseStatement());
    }
    this.pos++;
    this.groupDepth = savedGroup;
    return { type: 'Block', body, line: open.line, col: open.col };
  }

  private parseLoopBody(what: string): BlockStmt {
    this.loopDepth++;
    try {
      return this.parseBlock(`the body of ${what}`);
    } finally {
      this.loopDepth--;
    }
  }

  private parseCondition(after: string): Expr {
    const t = this.peek();
    if (this.isOp('{', t)) this.expected(`a condition after ${after}`, t);
    return this.parseExpression();
  }

  private parseIf(): IfStmt {
    const kw = this.next();
    const test = this.parseCondition("'if'");
    const then = this.parseBlock("the 'if' body");
    let otherwise: IfStmt | BlockStmt | null = null;
    if (this.isKw('else')) {
      this.next();
      otherwise = this.isKw('if') ? this.parseIf() : this.parseBlock("the 'else' body");
    }
    return { type: 'If', test, then, otherwise, line: kw.line, col: kw.col };
  }

  private parseFor(): Stmt {
    const kw = this.next();
    const paren = this.isOp('(') ? this.next() : null;
    // for-in: `for x in xs`, `for i, x in xs`, optionally inside parentheses
    const a = this.peek();
    const isForIn =
      a.kind === 'ident' &&
      (this.isKw('in', this.peek(1)) ||
        (this.isOp(',', this.peek(1)) && this.peek(2).kind === 'ident' && this.isKw('in', this.peek(3))));
    if (isForIn) {
      const names = [this.next().text];
      if (this.eatOp(',')) names.push(this.next().text);
      if (names.length === 2 && names[0] === names[1])
        this.fail(a, `the two loop variables are both named '${a.text}'`);
      this.next(); // in
      const iterable = paren ? this.withGroup(() => this.parseExpression()) : this.parseExpression();
      if (paren) this.expectOp(')', `')' to close the 'for' header opened at ${paren.line}:${paren.col}`);
      const body = this.parseLoopBody("the 'for' loop");
      return { type: 'ForIn', names, iterable, body, line: kw.line, col: kw.col };
    }
    // C style: `for init; test; update { }` or `for (init; test; update) { }`
    const header = () => {
      let init: LetStmt | AssignStmt | ExprStmt | null = null;
      if (!this.isOp(';')) {
        const t = this.peek();
        init =
          t.kind === 'kw' && (t.text === 'let' || t.text === 'var')
            ? this.parseLet()
            : this.parseSimpleStatement();
      }
      this.expectOp(';', `';' after the initialiser of the 'for' loop (or 'for x in xs')`);
      const test = this.isOp(';') ? null : this.parseExpression();
      this.expectOp(';', "';' after the condition of the 'for' loop");
      let update: AssignStmt | ExprStmt | null = null;
      if (!this.isOp(paren ? ')' : '{')) update = this.parseSimpleStatement();
      return { init, test, update };
    };
    const { init, test, update } = paren ? this.withGroup(header) : header();
    if (paren) this.expectOp(')', `')' to close the 'for' header opened at ${paren.line}:${paren.col}`);
    const body = this.parseLoopBody("the 'for' loop");
    return { type: 'For', init, test, update, body, line: kw.line, col: kw.col };
  }

  private parseTry(): Stmt {
    const kw = this.next();
    const block = this.parseBlock("the 'try' block");
    let param: string | null = null;
    let handler: BlockStmt | null = null;
    let finalizer: BlockStmt | null = null;
    if (this.isKw('catch')) {
      this.next();
      if (this.eatOp('(')) {
        param = this.expectName("the error variable name after 'catch ('").text;
        this.expectOp(')', "')' after the error variable name");
      } else if (this.peek().kind === 'ident') {
        param = this.next().text;
      }
      handler = this.parseBlock("the 'catch' block");
    }
    if (this.isKw('finally')) {
      this.next();
      finalizer = this.parseBlock("the 'finally' block");
    }
    if (!handler && !finalizer) this.expected("'catch' or 'finally' after the 'try' block");
    return { type: 'Try', block, param, handler, finalizer, line: kw.line, col: kw.col };
  }

  // --- expressions, lowest precedence first ----------------------------------------------

  parseExpression(): Expr {
    return this.nested(() => this.parseConditional());
  }

  private parseConditional(): Expr {
    const test = this.parseOr();
    const q = this.peek();
    if (!this.isOp('?', q) || !this.continues(q)) return test;
    this.next();
    const then = this.withGroup(() => this.parseExpression());
    this.expectOp(':', `':' and the value used when the condition of '?' (at ${q.line}:${q.col}) is false`);
    const otherwise = this.parseExpression();
    return { type: 'Cond', test, then, otherwise, line: q.line, col: q.col };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    for (;;) {
      const t = this.peek();
      if (!(this.isKw('or', t) || this.isOp('||', t)) || !this.continues(t)) return left;
      this.next();
      const right = this.parseAnd();
      left = { type: 'Logical', op: 'or', left, right, line: t.line, col: t.col };
    }
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    for (;;) {
      const t = this.peek();
      if (!(this.isKw('and', t) || this.isOp('&&', t)) || !this.continues(t)) return left;
      this.next();
      const right = this.parseNot();
      left = { type: 'Logical', op: 'and', left, right, line: t.line, col: t.col };
    }
  }

  /** `not` binds looser than comparisons (as in Python): `not a == b` is `not (a == b)`. */
  private parseNot(): Expr {
    const t = this.peek();
    if (!this.isKw('not', t)) return this.parseBinary();
    this.next();
    const operand = this.nested(() => this.parseNot());
    return { type: 'Unary', op: '!', operand, line: t.line, col: t.col };
  }

  /** Left-associative binary operators, one precedence level per entry of BINARY_LEVELS. */
  private parseBinary(level = 0): Expr {
    const operand = () =>
      level + 1 < BINARY_LEVELS.length ? this.parseBinary(level + 1) : this.parseUnary();
    const ops = BINARY_LEVELS[level];
    let left = operand();
    for (;;) {
      const t = this.peek();
      if (!((t.kind === 'op' || t.kind === 'kw') && ops.has(t.text)) || !this.continues(t)) return left;
      this.next();
      const right = operand();
      left = { type: 'Binary', op: t.text as BinaryOp, left, right, line: t.line, col: t.col };
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp('-', t) || this.isOp('+', t) || this.isOp('!', t) || this.isKw('not', t)) {
      this.next();
      const op = t.text === 'not' ? '!' : (t.text as '-' | '+' | '!');
      const operand = this.nested(() => this.parseUnary());
      return { type: 'Unary', op, operand, line: t.line, col: t.col };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') return expr;
      if (t.text === '.') {
        this.next();
        const name = this.peek();
        if (name.kind !== 'ident' && name.kind !== 'kw') this.expected("a member name after '.'", name);
        this.next();
        expr = { type: 'Member', object: expr, name: name.text, line: name.line, col: name.col };
      } else if (t.text === '(' && this.continues(t)) {
        this.next();
        const args = this.withGroup(() => this.parseList(')', 'argument', t));
        const at = expr.type === 'Ident' || expr.type === 'Member' ? expr : t;
        expr = { type: 'Call', callee: expr, args, line: at.line, col: at.col };
      } else if (t.text === '[' && this.continues(t)) {
        this.next();
        const index = this.withGroup(() => this.parseExpression());
        this.expectOp(']', `']' to close the index opened at ${t.line}:${t.col}`);
        expr = { type: 'Index', object: expr, index, line: t.line, col: t.col };
      } else {
        return expr;
      }
    }
  }

  /** Comma-separated expressions up to `close`; a trailing comma is allowed. */
  private parseList(close: string, what: string, open: Token): Expr[] {
    const items: Expr[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseExpression());
      if (this.eatOp(',')) continue;
      if (!this.isOp(close)) {
        this.expected(`',' or '${close}' after the ${what} (the list opened at ${open.line}:${open.col})`);
      }
    }
    this.next();
    return items;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'num':
        this.next();
        return { type: 'Literal', value: t.num, line: t.line, col: t.col };
      case 'str':
        this.next();
        return { type: 'Literal', value: t.text, line: t.line, col: t.col };
      case 'ident':
        this.next();
        return { type: 'Ident', name: t.text, line: t.line, col: t.col };
      case 'kw':
        switch (t.text) {
          case 'true':
          case 'false':
            this.next();
            return { type: 'Literal', value: t.text === 'true', line: t.line, col: t.col };
          case 'null':
          case 'nil':
            this.next();
            return { type: 'Literal', value: null, line: t.line, col: t.col };
          case 'fn': {
            this.next();
            let name: string | null = null;
            if (this.peek().kind === 'ident') name = this.next().text;
            return this.parseFunctionRest(t, name);
          }
        }
        break;
      case 'op':
        if (t.text === '(') {
          this.next();
          const inner = this.withGroup(() => this.parseExpression());
          this.expectOp(')', `')' to close the '(' at ${t.line}:${t.col}`);
          return inner;
        }
        if (t.text === '[') {
          this.next();
          const items = this.withGroup(() => this.parseList(']', 'array element', t));
          return { type: 'Array', items, line: t.line, col: t.col };
        }
        if (t.text === '{') {
          this.next();
          const entries = this.withGroup(() => this.parseMapEntries(t));
          return { type: 'Map', entries, line: t.line, col: t.col };
        }
        break;
    }
    return this.expected('an expression', t);
  }

  private parseMapEntries(open: Token): MapEntry[] {
    const entries: MapEntry[] = [];
    while (!this.isOp('}')) {
      const k = this.peek();
      if (k.kind !== 'str' && k.kind !== 'ident' && k.kind !== 'kw' && k.kind !== 'num') {
        this.expected(`a key (a string or a name) in the map opened at ${open.line}:${open.col}`, k);
      }
      this.next();
      const key = k.kind === 'num' ? String(k.num) : k.text;
      this.expectOp(':', `':' after the map key ${JSON.stringify(key)}`);
      entries.push({ key, value: this.parseExpression() });
      if (this.eatOp(',')) continue;
      if (!this.isOp('}'))
        this.expected(`',' or '}' after the map entry (the map opened at ${open.line}:${open.col})`);
    }
    this.next();
    return entries;
  }

  /** After `fn` and the optional name: parameters, then a `=> expr` or block body. */
  private parseFunctionRest(kw: Token, name: string | null): FuncExpr {
    const open = this.expectOp('(', name ? `'(' after the function name '${name}'` : "'(' after 'fn'");
    const params: Param[] = [];
    const seen = new Set<string>();
    this.withGroup(() => {
      while (!this.isOp(')')) {
        const p = this.expectName('a parameter name');
        if (seen.has(p.text)) this.fail(p, `duplicate parameter name '${p.text}'`);
        seen.add(p.text);
        const defaultValue = this.eatOp('=') ? this.parseExpression() : null;
        if (!defaultValue && params.some((q) => q.defaultValue)) {
          this.fail(p, `parameter '${p.text}' needs a default value: it follows a parameter that has one`);
        }
        params.push({ name: p.text, defaultValue, line: p.line, col: p.col });
        if (this.eatOp(',')) continue;
        if (!this.isOp(')'))
          this.expected(`',' or ')' in the parameter list opened at ${open.line}:${open.col}`);
      }
      this.next();
    });
    const savedLoop = this.loopDepth;
    this.loopDepth = 0;
    try {
      let body: BlockStmt | Expr;
      if (this.eatOp('=>')) {
        body = this.isOp('{') ? this.parseBlock('the function body') : this.parseExpression();
      } else {
        body = this.parseBlock(`the function body (or '=>' and an expression)`);
      }
      return { type: 'Func', name, params, body, line: kw.line, col: kw.col };
    } finally {
      this.loopDepth = savedLoop;
    }
  }
}
