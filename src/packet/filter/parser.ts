/**
 * Parser of pcap-filter(7) expressions into a {@link FilterAst}, accepting the language of
 * libpcap's grammar.y and giving it the same meaning:
 *
 * - `and` and `or` have the same precedence and associate to the left (`a or b and c` is
 *   `(a or b) and c`); `not` binds tighter.
 * - A bare id takes the qualifiers of the primitive before it (`host a or b`, `port 80 or 443`);
 *   after a parenthesized group it takes those in force before the group, and after a term with
 *   no qualifiers (`tcp`, a relation) it has none, which libpcap reports as a syntax error.
 * - In arithmetic, `|` < `&` < `<<` `>>` < `+` `-` < `*` `/` < unary minus, all left
 *   associative; `%` and `^` have no precedence in grammar.y, so yacc always shifts on them:
 *   `a % b + c` is `a % (b + c)`.
 *
 * It is a recursive-descent parser that backtracks where the LALR parser would decide on the
 * next token, and reports the farthest position it reached with everything it expected there.
 */
import type {
  AddrQual,
  Arith,
  ArithOp,
  DirQual,
  FilterAst,
  FilterNode,
  IdValue,
  ProtoQual,
  Qual,
  RelOp,
} from './ast.js';
import { QUAL_UNDEF } from './ast.js';
import { filterSyntaxError, filterUnsupportedError } from './errors.js';
import { HEAD_KWS, PNAMES, UNSUPPORTED_KWS } from './keywords.js';
import { type Token, tokenize } from './lexer.js';

const RELOPS = new Set<string>(['>', '>=', '=', '<=', '<', '!=']);
const BINOPS = new Set<string>(['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>']);
/** yacc precedence levels of grammar.y; `%` and `^` have none. */
const PREC: Readonly<Record<string, number>> = {
  '|': 1,
  '&': 2,
  '<<': 3,
  '>>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  neg: 6,
};

type Parsed<T> = { node: T; q: Qual } | null;

class Parser {
  private i = 0;
  private far = -1;
  private readonly expected = new Set<string>();

  constructor(
    private readonly expr: string,
    private readonly toks: Token[],
  ) {}

  parse(): FilterAst {
    if (this.atEnd()) return { expression: this.expr, root: null };
    const r = this.expression(QUAL_UNDEF);
    if (r && this.atEnd()) return { expression: this.expr, root: r.node };
    if (r) this.miss('the end of the expression');
    throw this.syntaxError();
  }

  // --- token helpers -----------------------------------------------------------------

  private get t(): Token {
    return this.toks[this.i];
  }

  private atEnd(): boolean {
    return this.toks[this.i].kind === 'eof';
  }

  private peek(k = 1): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  private kw(t: Token, ...names: string[]): boolean {
    return t.kind === 'kw' && names.includes(t.text);
  }

  private op(t: Token, ...ops: string[]): boolean {
    return t.kind === 'op' && ops.includes(t.text);
  }

  /** Records that `what` was expected at the current token; returns null for `return miss()`. */
  private miss(what: string): null {
    if (this.i > this.far) {
      this.far = this.i;
      this.expected.clear();
    }
    if (this.i === this.far) this.expected.add(what);
    return null;
  }

  private attempt<T>(fn: () => T | null): T | null {
    const save = this.i;
    const r = fn();
    if (r === null) this.i = save;
    return r;
  }

  private unsupported(t: Token, hint?: string): never {
    throw filterUnsupportedError(this.expr, t.pos, `'${t.text}'`, hint);
  }

  private syntaxError() {
    const at = this.toks[Math.max(0, this.far)];
    const expected = [...this.expected];
    const found = at.kind === 'eof' ? 'end of expression' : at.text;
    if (at.kind === 'error') {
      return filterSyntaxError(this.expr, at.pos, at.message ?? `unexpected ${JSON.stringify(at.text)}`, {
        expected,
        found,
      });
    }
    const list =
      expected.length <= 1
        ? (expected[0] ?? 'something else')
        : `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
    const shown = at.kind === 'eof' ? 'the end of the expression' : JSON.stringify(at.text);
    return filterSyntaxError(this.expr, at.pos, `expected ${list}, found ${shown}`, { expected, found });
  }

  // --- boolean level -------------------------------------------------------------------

  /** expr: term ((and|or) (term|id))*, left associative, one precedence. */
  private expression(q: Qual): Parsed<FilterNode> {
    const first = this.term(q);
    if (!first) return null;
    let node = first.node;
    let cur = first.q;
    for (;;) {
      const t = this.t;
      if (!this.kw(t, 'and', 'or')) {
        this.miss('`and`, `or`');
        return { node, q: cur };
      }
      const save = this.i;
      this.i++;
      const qq = cur;
      const rhs = this.attempt(() => this.term(qq)) ?? this.attempt(() => this.id(qq));
      if (!rhs) {
        this.i = save;
        return { node, q: cur };
      }
      node = { type: t.text as 'and' | 'or', left: node, right: rhs.node, pos: node.pos, end: rhs.node.end };
      cur = rhs.q;
    }
  }

  private term(q: Qual): Parsed<FilterNode> {
    const t = this.t;
    if (this.kw(t, 'not')) {
      this.i++;
      const r = this.term(q);
      if (!r) return null;
      return { node: { type: 'not', operand: r.node, pos: t.pos, end: r.node.end }, q: r.q };
    }
    return this.rterm(q);
  }

  private rterm(q: Qual): Parsed<FilterNode> {
    const t = this.t;
    if (this.op(t, '(')) {
      const save = this.i;
      this.i++;
      const inner = this.expression(q);
      if (inner && this.op(this.t, ')')) {
        this.i++;
        // a group passes on the qualifiers in force before it, not those inside it
        return { node: inner.node, q };
      }
      if (inner) this.miss('`)`');
      this.i = save;
      return this.relation();
    }
    if (t.kind === 'num' || this.op(t, '-') || this.kw(t, 'len')) return this.relation();
    if (t.kind !== 'kw') return this.miss('a filter primitive');
    const pname = Object.hasOwn(PNAMES, t.text) ? PNAMES[t.text] : undefined;
    if (pname !== undefined) {
      const nx = this.peek();
      if (this.op(nx, '[')) return this.relation();
      if (nx.kind === 'kw' && HEAD_KWS.has(nx.text)) return this.headId();
      if (this.kw(nx, 'broadcast', 'multicast')) {
        this.i += 2;
        const type = nx.text as 'broadcast' | 'multicast';
        return { node: { type, proto: pname, pos: t.pos, end: nx.end }, q: QUAL_UNDEF };
      }
      if (this.kw(nx, 'type', 'subtype', 'dir'))
        this.unsupported(nx, '802.11 frame types are not implemented');
      this.i++;
      return { node: { type: 'proto', proto: pname, pos: t.pos, end: t.end }, q: QUAL_UNDEF };
    }
    if (HEAD_KWS.has(t.text)) return this.headId();
    return this.other();
  }

  /** grammar.y's `other`: primitives that take no qualifiers. */
  private other(): Parsed<FilterNode> {
    const t = this.t;
    const done = (node: FilterNode): Parsed<FilterNode> => ({ node, q: QUAL_UNDEF });
    switch (t.text) {
      case 'broadcast':
      case 'multicast':
        this.i++;
        return done({ type: t.text, proto: 'default', pos: t.pos, end: t.end });
      case 'less':
      case 'greater':
      case 'ifindex': {
        this.i++;
        const n = this.t;
        if (n.kind !== 'num') return this.miss('a number');
        this.i++;
        return done({ type: t.text, value: n.value, pos: t.pos, end: n.end });
      }
      case 'inbound':
      case 'outbound':
        this.i++;
        return done({ type: t.text, pos: t.pos, end: t.end });
      case 'byte': {
        this.i++;
        const idx = this.t;
        if (idx.kind !== 'num') return this.miss('a byte offset');
        this.i++;
        const o = this.t;
        if (this.op(o, '&', '|'))
          this.unsupported(o, `'byte N ${o.text} M' does not load the byte in libpcap 1.10`);
        if (!this.op(o, '=', '<', '>')) return this.miss('`=`, `<` or `>`');
        this.i++;
        const v = this.t;
        if (v.kind !== 'num') return this.miss('a number');
        this.i++;
        return done({
          type: 'byte',
          index: idx.value,
          op: o.text as '=' | '<' | '>',
          value: v.value,
          pos: t.pos,
          end: v.end,
        });
      }
      case 'vlan': {
        this.i++;
        if (this.t.kind === 'num' || this.op(this.t, '(')) {
          const n = this.pnum();
          if (!n) return null;
          return done({ type: 'vlan', id: n.value, pos: t.pos, end: n.end });
        }
        return done({ type: 'vlan', id: null, pos: t.pos, end: t.end });
      }
    }
    if (UNSUPPORTED_KWS.has(t.text)) this.unsupported(t);
    return this.miss('a filter primitive');
  }

  // --- qualified primitives ------------------------------------------------------------

  /** head id: [pname] [src|dst|src or dst|src and dst] [host|net|port|portrange] | [pname] proto, then an id. */
  private headId(): Parsed<FilterNode> {
    let proto: ProtoQual = 'default';
    let dir: DirQual = 'default';
    let addr: AddrQual = 'default';
    const p = this.t;
    if (p.kind === 'kw' && Object.hasOwn(PNAMES, p.text)) {
      proto = PNAMES[p.text];
      this.i++;
    }
    let t = this.t;
    if (this.kw(t, 'src', 'dst')) {
      dir = t.text as DirQual;
      this.i++;
      const c = this.t;
      if (this.kw(c, 'and', 'or')) {
        const other = dir === 'src' ? 'dst' : 'src';
        this.i++;
        if (!this.kw(this.t, other)) return this.miss(`\`${other}\``);
        dir = c.text as DirQual;
        this.i++;
      }
      t = this.t;
      if (this.kw(t, 'host', 'net', 'port', 'portrange')) {
        addr = t.text as AddrQual;
        this.i++;
      }
    } else if (this.kw(t, 'host', 'net', 'port', 'portrange', 'proto', 'gateway')) {
      addr = t.text as AddrQual;
      this.i++;
    } else if (t.kind === 'kw' && UNSUPPORTED_KWS.has(t.text)) {
      this.unsupported(t);
    } else {
      return this.miss('`src`, `dst`, `host`, `net`, `port`, `portrange` or `proto`');
    }
    return this.id({ proto, dir, addr });
  }

  /** id: nid | pnum | ( pid ); nid includes `not id`. */
  private id(q: Qual): Parsed<FilterNode> {
    const t = this.t;
    if (this.kw(t, 'not')) {
      this.i++;
      const r = this.id(q);
      if (!r) return null;
      return { node: { type: 'not', operand: r.node, pos: t.pos, end: r.node.end }, q: r.q };
    }
    if (this.op(t, '(')) {
      this.i++;
      const r = this.pid(q);
      if (!r) return null;
      if (!this.op(this.t, ')')) return this.miss('`)`');
      this.i++;
      return r;
    }
    return this.simpleId(q);
  }

  /** pid: (nid | pnum) ((and|or) id)* inside parentheses. */
  private pid(q: Qual): Parsed<FilterNode> {
    const t = this.t;
    let first: Parsed<FilterNode>;
    if (this.kw(t, 'not')) {
      first = this.id(q);
    } else if (this.op(t, '(')) {
      const n = this.pnum();
      first = n ? { node: this.qualified(q, { kind: 'number', value: n.value }, n.pos, n.end), q } : null;
    } else {
      first = this.simpleId(q);
    }
    if (!first) return null;
    let node = first.node;
    let cur = first.q;
    while (this.kw(this.t, 'and', 'or')) {
      const c = this.t;
      this.i++;
      const r = this.id(cur);
      if (!r) return null;
      node = { type: c.text as 'and' | 'or', left: node, right: r.node, pos: node.pos, end: r.node.end };
      cur = r.q;
    }
    return { node, q: cur };
  }

  private qualified(q: Qual, id: IdValue, pos: number, end: number): FilterNode {
    return { type: 'qualified', qual: q, id, pos, end };
  }

  /** ID | NUM | HID [/ NUM | mask HID] | HID6 [/ NUM] | EID | AID. */
  private simpleId(q: Qual): Parsed<FilterNode> {
    const t = this.t;
    const ok = (id: IdValue, end: number): Parsed<FilterNode> => ({
      node: this.qualified(q, id, t.pos, end),
      q,
    });
    switch (t.kind) {
      case 'id':
        this.i++;
        return ok({ kind: 'name', text: t.text }, t.end);
      case 'num':
        this.i++;
        return ok({ kind: 'number', value: t.value }, t.end);
      case 'eid':
        this.i++;
        return ok({ kind: 'mac', text: t.text }, t.end);
      case 'aid':
        this.i++;
        return ok({ kind: 'arcnet', text: t.text }, t.end);
      case 'hid':
      case 'hid6': {
        this.i++;
        if (this.op(this.t, '/')) {
          this.i++;
          const n = this.t;
          if (n.kind !== 'num') return this.miss('a prefix length');
          this.i++;
          const kind = t.kind === 'hid' ? 'ipv4' : 'ipv6';
          return ok({ kind, text: t.text, prefix: n.value }, n.end);
        }
        if (t.kind === 'hid' && this.kw(this.t, 'mask')) {
          this.i++;
          const m = this.t;
          if (m.kind !== 'hid') return this.miss('a dotted netmask');
          this.i++;
          return ok({ kind: 'ipv4', text: t.text, mask: m.text }, m.end);
        }
        return ok(t.kind === 'hid' ? { kind: 'ipv4', text: t.text } : { kind: 'ipv6', text: t.text }, t.end);
      }
      default:
        return this.miss('an address, a name or a number');
    }
  }

  /** pnum: NUM | ( pnum ). */
  private pnum(): { value: number; pos: number; end: number } | null {
    const t = this.t;
    if (t.kind === 'num') {
      this.i++;
      return { value: t.value, pos: t.pos, end: t.end };
    }
    if (this.op(t, '(')) {
      this.i++;
      const n = this.pnum();
      if (!n) return null;
      if (!this.op(this.t, ')')) return this.miss('`)`');
      const end = this.t.end;
      this.i++;
      return { value: n.value, pos: t.pos, end };
    }
    return this.miss('a number');
  }

  // --- relations and arithmetic ----------------------------------------------------------

  private relation(): Parsed<FilterNode> {
    const left = this.arith();
    if (!left) return null;
    const t = this.t;
    if (t.kind !== 'op' || !RELOPS.has(t.text)) {
      return this.miss('a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)');
    }
    this.i++;
    const right = this.arith();
    if (!right) return null;
    return {
      node: { type: 'relation', op: t.text as RelOp, left, right, pos: left.pos, end: right.end },
      q: QUAL_UNDEF,
    };
  }

  /** Operator precedence by shift/reduce, with yacc's rule: no precedence on either side = shift. */
  private arith(): Arith | null {
    const vals: Arith[] = [];
    const ops: Array<{ op: ArithOp | 'neg'; pos: number }> = [];
    const reduce = () => {
      const o = ops.pop()!;
      if (o.op === 'neg') {
        const a = vals.pop()!;
        vals.push({ type: 'negate', operand: a, pos: o.pos, end: a.end });
      } else {
        const r = vals.pop()!;
        const l = vals.pop()!;
        vals.push({ type: 'binary', op: o.op, left: l, right: r, pos: l.pos, end: r.end });
      }
    };
    for (;;) {
      while (this.op(this.t, '-')) {
        ops.push({ op: 'neg', pos: this.t.pos });
        this.i++;
      }
      const p = this.primary();
      if (!p) return null;
      vals.push(p);
      const t = this.t;
      if (t.kind !== 'op' || !BINOPS.has(t.text)) {
        this.miss('an arithmetic operator');
        break;
      }
      const inc = PREC[t.text];
      while (ops.length > 0) {
        const top = PREC[ops[ops.length - 1].op];
        if (top === undefined || inc === undefined || top < inc) break;
        reduce();
      }
      ops.push({ op: t.text as ArithOp, pos: t.pos });
      this.i++;
    }
    while (ops.length > 0) reduce();
    return vals[0];
  }

  private primary(): Arith | null {
    const t = this.t;
    if (t.kind === 'num') {
      this.i++;
      return { type: 'number', value: t.value, pos: t.pos, end: t.end };
    }
    if (this.kw(t, 'len')) {
      this.i++;
      return { type: 'len', pos: t.pos, end: t.end };
    }
    if (this.op(t, '(')) {
      this.i++;
      const a = this.arith();
      if (!a) return null;
      if (!this.op(this.t, ')')) return this.miss('`)`');
      this.i++;
      return a;
    }
    if (t.kind === 'kw' && Object.hasOwn(PNAMES, t.text) && this.op(this.peek(), '[')) {
      this.i += 2;
      const index = this.arith();
      if (!index) return null;
      let size = 1;
      if (this.op(this.t, ':')) {
        this.i++;
        const n = this.t;
        if (n.kind !== 'num') return this.miss('a size (1, 2 or 4)');
        size = n.value;
        this.i++;
      } else {
        this.miss('`:`');
      }
      if (!this.op(this.t, ']')) return this.miss('`]`');
      const end = this.t.end;
      this.i++;
      return { type: 'load', proto: PNAMES[t.text], index, size, pos: t.pos, end };
    }
    return this.miss('a number, `len`, `proto[offset]` or `(`');
  }
}

/**
 * Parses a capture-filter expression (pcap-filter(7) syntax) without compiling it. Throws a
 * SentraError FILTER_SYNTAX with `details.position`, `details.expected` and `details.found`
 * when it does not parse, FILTER_UNSUPPORTED for valid primitives Sentra does not implement.
 */
export function parseFilter(expression: string): FilterAst {
  return new Parser(expression, tokenize(expression)).parse();
}
