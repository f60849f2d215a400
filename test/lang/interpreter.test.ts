import { describe, expect, it } from 'vitest';
import { ScriptError } from '../../src/lang/script-error.js';
import { failure, lines, run } from './run-helpers.js';

describe('variables and scopes', () => {
  it('let, var and const declare; = assigns; compound assignment and ++/--', async () => {
    expect(
      await lines(
        'let a = 1\nvar b = 2\nconst c = 3\na = a + 10\nb += 5\nb *= 2\nb -= 2\nb /= 3\na %= 4\nlet i = 0\ni++\ni++\ni--\nlog(a, b, c, i)',
      ),
    ).toEqual(['3 4 3 1']);
  });

  it('a declaration without a value is null', async () => {
    expect(await lines('let x\nlog(x)')).toEqual(['null']);
  });

  it('blocks have their own scope; inner names shadow outer ones', async () => {
    expect(
      await lines('let x = 1\nif true { let x = 2\n log(x) }\nlog(x)\n{ let y = 3\n x = y }\nlog(x)'),
    ).toEqual(['2', '1', '3']);
  });

  it('assigning a constant is refused before the script runs', async () => {
    const e = await failure('log("start")\nconst k = 1\nk = 2');
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_SYNTAX');
    expect(e.message).toBe("t.sn:3:1: cannot assign to constant 'k'");
    expect(e.out).toBe('');
    expect((await failure('fn f() { const k = 1\n k += 1 }')).message).toBe(
      "t.sn:2:2: cannot assign to constant 'k' (declared at 1:10)",
    );
  });

  it('an undefined name is refused before the script runs', async () => {
    const e = await failure('log("start")\nfn f() { return undefined_thing + 1 }');
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_SYNTAX');
    expect(e.message).toBe(
      "t.sn:2:17: undefined name 'undefined_thing': not a variable, a builtin or a host function",
    );
    expect(e.out).toBe('');
  });

  it('assigning an undeclared name is refused', async () => {
    expect((await failure('x = 5')).message).toBe(
      "t.sn:1:1: undefined name 'x': not a variable, a builtin or a host function",
    );
  });

  it('redeclaring in the same block is refused; top-level redeclaration rebinds', async () => {
    expect((await failure('if true { let a = 1\n let a = 2 }')).message).toBe(
      "t.sn:2:2: 'a' is already declared in this scope (at 1:11); pick another name or assign with '='",
    );
    expect(await lines('let a = 1\nlet a = a + 1\nlog(a)')).toEqual(['2']);
  });

  it('reading a variable before its declaration runs is a runtime error', async () => {
    const e = await failure('fn f() { return later }\nlog(f())\nlet later = 1');
    expect(e.message).toBe("t.sn:1:17: 'later' is used before its declaration");
    expect((await failure('if true { log(y)\n let y = 1 }')).message).toBe(
      "t.sn:1:15: 'y' is used before its declaration",
    );
  });

  it('a top-level script can shadow a builtin', async () => {
    expect(await lines('fn len(x) { return 42 }\nlog(len([1]))')).toEqual(['42']);
  });
});

describe('functions', () => {
  it('named, anonymous and => functions; named ones can be called before their text', async () => {
    expect(
      await lines(
        'log(twice(4))\nfn twice(x) { return x * 2 }\nlet inc = fn(x) { return x + 1 }\nlet sq = fn(x) => x * x\nlog(inc(1), sq(5))',
      ),
    ).toEqual(['8', '2 25']);
  });

  it('a function without return gives null; bare return gives null', async () => {
    expect(await lines('fn a() { }\nfn b() { return }\nlog(a(), b())')).toEqual(['null null']);
  });

  it('default parameters, evaluated at each call, may use earlier parameters', async () => {
    expect(
      await lines(
        'fn f(a, b = a * 2, c = []) { push(c, a)\n return [a, b, c] }\nlog(f(1))\nlog(f(1, 5))\nlog(f(2))',
      ),
    ).toEqual(['[1, 2, [1]]', '[1, 5, [1]]', '[2, 4, [2]]']);
  });

  it('wrong argument counts are runtime errors naming the function', async () => {
    expect((await failure('fn f(a, b) { }\nf(1)')).message).toBe('t.sn:2:1: f() takes 2 arguments, got 1');
    expect((await failure('fn f(a, b = 1) { }\nf(1, 2, 3)')).message).toBe(
      't.sn:2:1: f() takes 1 to 2 arguments, got 3',
    );
    expect((await failure('let x = 5\nx(1)')).message).toBe(
      "t.sn:2:1: cannot call a value of type number ('x' is number)",
    );
  });

  it('closures capture variables by reference and keep them alive', async () => {
    const src = `
fn counter() {
  var n = 0
  return fn() { n += 1; return n }
}
let a = counter()
let b = counter()
a(); a()
log(a(), b())
fn adder(k) => fn(x) => x + k
log(adder(10)(5))`;
    expect(await lines(src)).toEqual(['3 1', '15']);
  });

  it('closures made in a for-in loop see their own iteration value', async () => {
    expect(
      await lines('let fs = []\nfor i in range(3) { push(fs, fn() => i) }\nlog(map(fs, fn(f) => f()))'),
    ).toEqual(['[0, 1, 2]']);
  });

  it('closures made in a C-style for loop see their own iteration value (as in JavaScript)', async () => {
    expect(
      await lines(
        'let fs = []\nfor (let i = 0; i < 3; i++) { push(fs, fn() => i) }\nlog(map(fs, fn(f) => f()))',
      ),
    ).toEqual(['[0, 1, 2]']);
  });

  it('recursion and mutual recursion', async () => {
    const src = `
fn fact(n) { if n <= 1 { return 1 } return n * fact(n - 1) }
fn is_even(n) { if n == 0 { return true } return is_odd(n - 1) }
fn is_odd(n) { if n == 0 { return false } return is_even(n - 1) }
fn fib(n) => n < 2 ? n : fib(n - 1) + fib(n - 2)
log(fact(10), is_even(10), is_odd(7), fib(20))`;
    expect(await lines(src)).toEqual(['3628800 true true 6765']);
  });

  it('deep recursion (5000 levels) does not overflow the JavaScript stack', async () => {
    expect(
      await lines('fn depth(n) { if n == 0 { return 0 } return 1 + depth(n - 1) }\nlog(depth(5000))'),
    ).toEqual(['5000']);
  });

  it('endless recursion stops at the call depth limit with a folded stack', async () => {
    const e = await failure('fn down(n) {\n  return down(n + 1)\n}\ndown(0)');
    expect(e.message).toBe('t.sn:2:10: call depth limit (10000) exceeded: is the recursion endless?');
    const stack = e.details.stack as string[];
    expect(stack).toEqual([
      'at down (t.sn:2:10)',
      '... the line above repeated 9999 more times',
      'at <main> (t.sn:4:1)',
    ]);
  });

  it('a function stored in a map is called through the member', async () => {
    expect(await lines('let m = {"f": fn(x) => x + 1}\nlog(m.f(1), m["f"](2))')).toEqual(['2 3']);
  });
});

describe('control flow', () => {
  it('if / else if / else picks one branch', async () => {
    const src =
      'fn grade(n) { if n >= 90 { return "A" } else if n >= 80 { return "B" } else { return "C" } }\nlog(grade(95), grade(85), grade(10))';
    expect(await lines(src)).toEqual(['A B C']);
  });

  it('while with break and continue', async () => {
    expect(
      await lines(
        'let i = 0\nlet out = []\nwhile true { i += 1\n if i % 2 == 0 { continue }\n if i > 7 { break }\n push(out, i) }\nlog(out)',
      ),
    ).toEqual(['[1, 3, 5, 7]']);
  });

  it('for-in over arrays, maps (keys), strings (characters); two names give index/key and value', async () => {
    const src = `
for x in [10, 20] { log(x) }
for k in {"a": 1, "b": 2} { log(k) }
for c in "hi" { log(c) }
for i, x in ["p", "q"] { log(i, x) }
for k, v in {"a": 1} { log(k, v) }`;
    expect(await lines(src)).toEqual(['10', '20', 'a', 'b', 'h', 'i', '0 p', '1 q', 'a 1']);
  });

  it('for-in over a non-collection is a runtime error at the collection', async () => {
    expect((await failure('for x in 5 { }')).message).toBe(
      "t.sn:1:10: cannot iterate over number: 'for ... in' takes an array, a map or a string",
    );
  });

  it("each iteration starts with the body's variables undeclared again", async () => {
    expect((await failure('for i in range(3) {\n  if i > 0 { log(y) }\n  let y = i\n}')).message).toBe(
      "t.sn:2:18: 'y' is used before its declaration",
    );
    expect(await lines('for i in range(3) { let y = i * 2\n log(y) }')).toEqual(['0', '2', '4']);
  });

  it('C-style for, with and without parentheses, with break and continue', async () => {
    const src = `
for (let i = 0; i < 5; i++) { if i == 1 { continue }
 if i == 4 { break }
 log(i) }
for let j = 10; j > 7; j -= 1 { log(j) }
let k = 0
for (; k < 2; ) { k += 1 }
log(k)`;
    expect(await lines(src)).toEqual(['0', '2', '3', '10', '9', '8', '2']);
  });

  it('break and continue leave only the innermost loop', async () => {
    expect(await lines('for i in [1, 2] { for j in [1, 2, 3] { if j == 2 { break }\n log(i, j) } }')).toEqual(
      ['1 1', '2 1'],
    );
  });

  it('return inside loops leaves the function', async () => {
    expect(
      await lines(
        'fn find(xs, t) { for i, x in xs { while true { if x == t { return i }\n break } }\n return -1 }\nlog(find([5, 6, 7], 7), find([1], 9))',
      ),
    ).toEqual(['2 -1']);
  });

  it('top-level return ends the script', async () => {
    expect(await lines('log(1)\nreturn\nlog(2)')).toEqual(['1']);
  });
});

describe('try / catch / finally / throw', () => {
  it('catches a thrown string; the error map names message, code, line, column', async () => {
    expect(
      await lines('try { throw "boom" } catch e { log(e.message, e.code, e.line, e.column, e.value) }'),
    ).toEqual(['boom SENTRA_ERR_SCRIPT_RUNTIME 1 7 boom']);
  });

  it('catches runtime errors with their message', async () => {
    expect(await lines('try { let x = 1 + {} } catch (e) { log(e.message) }')).toEqual([
      "cannot add number and map ('+' takes two numbers, two arrays, or a string and any value)",
    ]);
  });

  it('a thrown map keeps its code and fields', async () => {
    expect(
      await lines(
        'try { throw {"message": "bad input", "code": "E_INPUT", "field": "ip"} } catch e { log(e.message, e.code, e.value.field) }',
      ),
    ).toEqual(['bad input E_INPUT ip']);
  });

  it('catch without a name, finally alone, rethrow', async () => {
    const src = `
try { throw "a" } catch { log("caught") }
try { try { throw "inner" } finally { log("finally runs") } } catch e { log("outer got", e.message) }
try { try { throw "x" } catch e { throw "re-" + e.message } } catch e { log(e.message) }`;
    expect(await lines(src)).toEqual(['caught', 'finally runs', 'outer got inner', 're-x']);
  });

  it('orders try, catch and finally', async () => {
    const src = `
fn t(fail) {
  try { log("try"); if fail { throw "e" }; log("try end") }
  catch e { log("catch") }
  finally { log("finally") }
  log("after")
}
t(false)
t(true)`;
    expect(await lines(src)).toEqual([
      'try',
      'try end',
      'finally',
      'after',
      'try',
      'catch',
      'finally',
      'after',
    ]);
  });

  it('return inside try runs finally first and keeps the value', async () => {
    expect(await lines('fn f() { try { return "from try" } finally { log("cleanup") } }\nlog(f())')).toEqual([
      'cleanup',
      'from try',
    ]);
  });

  it('return in finally replaces the pending return or error', async () => {
    expect(
      await lines(
        'fn f() { try { return 1 } finally { return 2 } }\nfn g() { try { throw "lost" } finally { return "kept" } }\nlog(f(), g())',
      ),
    ).toEqual(['2 kept']);
  });

  it('break and continue inside try run finally', async () => {
    const src = `
for i in [1, 2, 3] {
  try {
    if i == 1 { continue }
    if i == 3 { break }
    log("body", i)
  } finally { log("finally", i) }
}`;
    expect(await lines(src)).toEqual(['finally 1', 'body 2', 'finally 2', 'finally 3']);
  });

  it('an error in catch still runs finally and propagates', async () => {
    const e = await failure('try { throw "one" } catch e { throw "two" } finally { log("finally") }');
    expect(e.message).toBe('t.sn:1:31: two');
    expect(e.out).toBe('finally\n');
  });

  it('an uncaught throw ends the script with its position and stack', async () => {
    const e = await failure('fn check(x) {\n  if x < 0 { throw "negative: " + x }\n}\ncheck(1)\ncheck(-2)');
    expect(e).toBeInstanceOf(ScriptError);
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_RUNTIME');
    expect(e.message).toBe('t.sn:2:14: negative: -2');
    expect(e.details.stack).toEqual(['at check (t.sn:2:14)', 'at <main> (t.sn:5:1)']);
    expect(e.details.frame).toBe('2 |   if x < 0 { throw "negative: " + x }\n  |              ^');
  });
});

describe('runtime errors', () => {
  it('a runtime error in a loop stops the script with the error, after the output so far', async () => {
    const src =
      'let items = [1, 2, "three", 4]\nfor x in items {\n  log("half of", x, "is", x / 2)\n}\nlog("never")';
    const e = await failure(src);
    expect(e.code).toBe('SENTRA_ERR_SCRIPT_RUNTIME');
    expect(e.message).toBe('t.sn:3:29: cannot divide string by number');
    expect(e.out).toBe('half of 1 is 0.5\nhalf of 2 is 1\n');
  });

  it('names the function chain in the stack', async () => {
    const e = await failure(
      'fn inner(m) {\n  return m.x.y\n}\nfn outer() { return inner({}) }\nlet v = outer()',
    );
    expect(e.message).toBe("t.sn:2:14: cannot read member 'y' of null");
    expect(e.details.stack).toEqual(['at inner (t.sn:2:14)', 'at outer (t.sn:4:21)', 'at <main> (t.sn:5:9)']);
  });

  it('exit(n) ends the script with that code; finally blocks run, catch does not see it', async () => {
    const r = await run(
      'try { log("a"); exit(3) } catch e { log("caught?") } finally { log("finally") }\nlog("never")',
    );
    expect(r).toEqual({ out: 'a\nfinally\n', exitCode: 3 });
  });
});

describe('maps, arrays and members', () => {
  it('member access to a missing key reads null; indexing too', async () => {
    expect(await lines('let m = {"a": 1}\nlog(m.b, m["b"], m.a)')).toEqual(['null null 1']);
  });

  it('scan.services[str(port)] and numeric keys both find string keys', async () => {
    expect(
      await lines(
        'let scan = {"services": {"22": "ssh"}}\nlet port = 22\nlog(scan.services[str(port)], scan.services[port])',
      ),
    ).toEqual(['ssh ssh']);
  });

  it('assigns members and elements, nested', async () => {
    expect(
      await lines(
        'let m = {"list": [1, 2]}\nm.list[1] = 20\nm["new"] = {}\nm.new.deep = true\nm.list[-1] += 1\nlog(m)',
      ),
    ).toEqual(['{"list": [1, 21], "new": {"deep": true}}']);
  });

  it('negative indexes count from the end; out of range is an error', async () => {
    expect(await lines('let a = [1, 2, 3]\nlog(a[-1], "abc"[1])')).toEqual(['3 b']);
    expect((await failure('let a = [1]\nlog(a[1])')).message).toBe(
      't.sn:2:6: index 1 is out of range for array of length 1',
    );
    expect((await failure('let a = [1]\na[5] = 1')).message).toBe(
      't.sn:2:2: index 5 is out of range for array of length 1 (use push() to append)',
    );
  });

  it('strings cannot be changed; members of non-maps are errors', async () => {
    expect((await failure('let s = "abc"\ns[0] = "x"')).message).toBe(
      't.sn:2:2: cannot change a character of a string (strings are immutable)',
    );
    expect((await failure('let a = [1]\nlog(a.length)')).message).toBe(
      "t.sn:2:7: cannot read member 'length' of array (use len(x))",
    );
    expect((await failure('let n = null\nn.x = 1')).message).toBe("t.sn:2:3: cannot set member 'x' of null");
  });

  it('keys such as __proto__ and toString are plain keys', async () => {
    expect(
      await lines('let m = {}\nm["__proto__"] = 1\nm.toString = 2\nlog(keys(m), m.constructor, len(m))'),
    ).toEqual(['["__proto__", "toString"] null 2']);
  });

  it('arrays and maps are shared by reference', async () => {
    expect(await lines('let a = [1]\nlet b = a\npush(b, 2)\nlog(a)')).toEqual(['[1, 2]']);
  });
});
