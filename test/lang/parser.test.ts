import { describe, expect, it } from 'vitest';
import { SentraError } from '../../src/errors.js';
import type { Expr, Stmt } from '../../src/lang/ast.js';
import { parseScript } from '../../src/lang/parser.js';

/** The tree of an expression as a Lisp-like string, to check precedence and associativity. */
function sx(e: Expr): string {
  switch (e.type) {
    case 'Literal':
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'Ident':
      return e.name;
    case 'Array':
      return `[${e.items.map(sx).join(' ')}]`;
    case 'Map':
      return `{${e.entries.map((x) => `${x.key}:${sx(x.value)}`).join(' ')}}`;
    case 'Unary':
      return `(${e.op} ${sx(e.operand)})`;
    case 'Binary':
    case 'Logical':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'Cond':
      return `(? ${sx(e.test)} ${sx(e.then)} ${sx(e.otherwise)})`;
    case 'Member':
      return `(. ${sx(e.object)} ${e.name})`;
    case 'Index':
      return `([] ${sx(e.object)} ${sx(e.index)})`;
    case 'Call':
      return `(call ${[e.callee, ...e.args].map(sx).join(' ')})`;
    case 'Func':
      return `(fn ${e.name ?? '_'} ${e.params.map((p) => p.name).join(',')})`;
  }
}

function expr(src: string): string {
  const s = parseScript(src, 't.sn').body[0];
  if (s.type !== 'ExprStmt') throw new Error(`not an expression: ${s.type}`);
  return sx(s.expr);
}

function stmts(src: string): Stmt[] {
  return parseScript(src, 't.sn').body;
}

function syntaxError(src: string): SentraError {
  try {
    parseScript(src, 't.sn');
  } catch (e) {
    if (e instanceof SentraError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parser: operator precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b * c % d', '(% (* (/ a b) c) d)'],
    ['-a * b', '(* (- a) b)'],
    ['- -a', '(- (- a))'],
    ['a + b < c - d', '(< (+ a b) (- c d))'],
    ['a < b == c >= d', '(== (< a b) (>= c d))'],
    ['a == b and c != d', '(and (== a b) (!= c d))'],
    ['a or b and c', '(or a (and b c))'],
    ['a || b && c', '(or a (and b c))'],
    ['not a == b', '(! (== a b))'],
    ['!a == b', '(== (! a) b)'],
    ['not a and b', '(and (! a) b)'],
    ['a and not b or c', '(or (and a (! b)) c)'],
    ['x in xs and y', '(and (in x xs) y)'],
    ['a ? b : c ? d : e', '(? a b (? c d e))'],
    ['a or b ? 1 : 2', '(? (or a b) 1 2)'],
    ['a.b.c', '(. (. a b) c)'],
    ['a.b(c)[d]', '([] (call (. a b) c) d)'],
    ['f(a)(b)', '(call (call f a) b)'],
    ['-a.b', '(- (. a b))'],
    ['"=" * 60', '(* "=" 60)'],
    ['x.not', '(. x not)'],
  ])('%s', (src, tree) => {
    expect(expr(src)).toBe(tree);
  });
});

describe('parser: literals', () => {
  it('arrays, maps (string, name and number keys), trailing commas, null and nil', () => {
    expect(expr('[1, "a", true, null, nil, [],]')).toBe('[1 "a" true null null []]');
    expect(expr('({"a": 1, b: 2, 3: x,})')).toBe('{a:1 b:2 3:x}');
  });
  it('literals and arguments span lines inside brackets', () => {
    expect(expr('f(\n  1,   // first\n  2\n)')).toBe('(call f 1 2)');
    expect(expr('[1,\n2]')).toBe('[1 2]');
    expect(expr('(a\n+ b)')).toBe('(+ a b)');
  });
});

describe('parser: statements', () => {
  it('let, var and const declarations', () => {
    expect(
      stmts('let a = 1\nvar b\nconst c = 3').map((s) => (s.type === 'Let' ? `${s.kind} ${s.name}` : s.type)),
    ).toEqual(['let a', 'var b', 'const c']);
  });

  it('named, anonymous and => functions, defaults', () => {
    const [decl, anon, arrow] = stmts(
      'fn f(a, b = 2) { return a }\nlet g = fn(x) { x }\nlet h = fn(x) => x * 2',
    );
    expect(decl.type === 'FnDecl' && decl.fn.params.map((p) => [p.name, p.defaultValue !== null])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(anon.type === 'Let' && anon.init?.type === 'Func' && anon.init.body.type).toBe('Block');
    expect(arrow.type === 'Let' && arrow.init?.type === 'Func' && arrow.init.body.type).toBe('Binary');
  });

  it('if / else if / else, with else on the next line', () => {
    const [s] = stmts('if a { x() }\nelse if b { y() } else { z() }');
    expect(s.type).toBe('If');
    if (s.type !== 'If') return;
    expect(s.otherwise?.type).toBe('If');
  });

  it('while, for-in (one or two names, parenthesised or not) and C-style for', () => {
    const types = stmts(
      'while x { break }\nfor a in xs { continue }\nfor i, a in xs { }\nfor (k in m) { }\n' +
        'for (let i = 0; i < 3; i++) { }\nfor let i = 0; i < 3; i += 1 { }\nfor (;;) { break }',
    ).map((s) => (s.type === 'ForIn' ? `ForIn ${s.names.join(',')}` : s.type));
    expect(types).toEqual(['While', 'ForIn a', 'ForIn i,a', 'ForIn k', 'For', 'For', 'For']);
  });

  it('try/catch/finally in every form, throw', () => {
    const forms = stmts(
      'try { a() } catch e { }\ntry { a() } catch (e) { }\ntry { a() } catch { }\ntry { a() } finally { }\n' +
        'try { a() } catch e { } finally { }\nthrow "x"',
    );
    expect(
      forms.map((s) =>
        s.type === 'Try' ? `${s.param}/${s.handler !== null}/${s.finalizer !== null}` : s.type,
      ),
    ).toEqual(['e/true/false', 'e/true/false', 'null/true/false', 'null/false/true', 'e/true/true', 'Throw']);
  });

  it('assignments to variables, members and elements; compound assignment; ++ and --', () => {
    const s = stmts('a = 1\na.b = 2\na[0] = 3\na += 1\na.b -= 1\na[1] *= 2\ni++\ni--');
    expect(s.map((x) => (x.type === 'Assign' ? `${x.target.type}${x.op}` : x.type))).toEqual([
      'Ident=',
      'Member=',
      'Index=',
      'Ident+=',
      'Member-=',
      'Index*=',
      'Ident+=',
      'Ident-=',
    ]);
  });

  it('statements end at line breaks or semicolons', () => {
    expect(stmts('a = 1; b = 2\nc = 3;').length).toBe(3);
  });

  it('an operator at the start of a line starts a new statement', () => {
    expect(stmts('a = b\n-c').map((s) => s.type)).toEqual(['Assign', 'ExprStmt']);
  });

  it('( and [ at the start of a line do not call or index the previous line', () => {
    expect(stmts('f\n(g)').length).toBe(2);
    expect(stmts('x = a\n[1].b').length).toBe(2);
  });

  it('return without a value before a line break or }', () => {
    const [f] = stmts('fn f() { return\n}');
    expect(f.type === 'FnDecl' && f.fn.body.type === 'Block' && f.fn.body.body[0]).toMatchObject({
      type: 'Return',
      value: null,
    });
  });
});

describe('parser: error messages name the position and what was expected', () => {
  it.each([
    [
      'log("a"\nlog(2)',
      "t.sn:2:1: syntax error: expected ',' or ')' after the argument (the list opened at 1:4), found name 'log'",
    ],
    ['let = 5', "t.sn:1:5: syntax error: expected a variable name after 'let', found '='"],
    [
      'let if = 5',
      "t.sn:1:5: syntax error: expected a variable name after 'let', found keyword 'if' (a reserved word)",
    ],
    ['if x == 1 log(x)', "t.sn:1:11: syntax error: expected '{' to start the 'if' body, found name 'log'"],
    [
      'if x = 1 { }',
      "t.sn:1:6: syntax error: expected '{' to start the 'if' body, found '=' (use '==' to compare)",
    ],
    ['while { }', "t.sn:1:7: syntax error: expected a condition after 'while', found '{'"],
    ['x = 1 2', "t.sn:1:7: syntax error: expected a line break or ';' after the statement, found number 2"],
    ['a + = 2', "t.sn:1:5: syntax error: expected an expression, found '='"],
    [
      'f(1) = 2',
      "t.sn:1:6: syntax error: cannot assign to this expression: '=' needs a variable, element or member on its left",
    ],
    ['break', "t.sn:1:1: syntax error: 'break' outside a loop"],
    ['fn f() { while x { fn g() { continue } } }', "t.sn:1:29: syntax error: 'continue' outside a loop"],
    ['else { }', "t.sn:1:1: syntax error: 'else' without a matching 'if'"],
    [
      'try { }',
      "t.sn:1:8: syntax error: expected 'catch' or 'finally' after the 'try' block, found end of file",
    ],
    ['fn f(a, a) { }', "t.sn:1:9: syntax error: duplicate parameter name 'a'"],
    [
      'fn f(a = 1, b) { }',
      "t.sn:1:13: syntax error: parameter 'b' needs a default value: it follows a parameter that has one",
    ],
    ['const k', "t.sn:1:8: syntax error: expected '=' and a value: a constant needs one, found end of file"],
    ['x = {"a" 1}', `t.sn:1:10: syntax error: expected ':' after the map key "a", found number 1`],
    ['x = a[1', "t.sn:1:8: syntax error: expected ']' to close the index opened at 1:6, found end of file"],
    [
      'x = a ? b',
      "t.sn:1:10: syntax error: expected ':' and the value used when the condition of '?' (at 1:7) is false, found end of file",
    ],
    [
      'throw\nx',
      "t.sn:2:1: syntax error: expected a value to throw on the same line as 'throw', found name 'x'",
    ],
    [
      'for x in xs\nlog(x)',
      "t.sn:2:1: syntax error: expected '{' to start the body of the 'for' loop, found name 'log'",
    ],
  ])('%j', (src, message) => {
    const e = syntaxError(src);
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_SYNTAX');
    expect(e.message).toBe(message);
  });

  it('an unclosed block names where it was opened, and is marked incomplete', () => {
    const e = syntaxError('fn f() {\n  if x {\n    y()\n');
    expect(e.message).toBe(
      "t.sn:4:1: syntax error: expected '}' to close the block opened at 2:8, found end of file",
    );
    expect(e.details.incomplete).toBe(true);
  });

  it('a complete but wrong input is not marked incomplete', () => {
    expect(syntaxError('x = )').details.incomplete).toBe(false);
  });

  it('carries a source frame with a caret under the column', () => {
    expect(syntaxError('let a = 1\nlet b = (2 + )\n').details.frame).toBe(
      '2 | let b = (2 + )\n  |              ^',
    );
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const e = syntaxError('x = ' + '('.repeat(5000) + '1' + ')'.repeat(5000));
    expect(e.message).toMatch(/too deeply nested \(more than 200 levels/);
  });
});
