/**
 * Parser of custom rule patterns (grammar in docs/detect.md):
 *
 *   pattern   := condition [count] [window] [per]      (tail clauses in any order)
 *   condition := and-term ('or' and-term)*
 *   and-term  := unary ('and' unary)*
 *   unary     := 'not' unary | '(' condition ')' | event [cmp number] | field operator value
 *   count     := 'count' cmp number           window := ('within'|'in'|'over') duration | 'per' second|minute|hour
 *   per       := 'per' (source|destination|rule)
 *
 * so that `failed login attempts > 10`, `failed SSH login > 5`, `user-agent contains 'scanner'`
 * and `HTTP method in [TRACE, TRACK, DEBUG]` parse as written. Errors carry the column and
 * what was expected there.
 */
import { parseCidr, parseIp } from '../../net/address.js';
import { EventKind, type EventKindId, type FieldDef, LOGIN_SERVICES, matchField } from './fields.js';
import { lex, patternError, type Token } from './lexer.js';

export type Operator =
  | 'contains'
  | 'not_contains'
  | 'eq'
  | 'ne'
  | 'starts'
  | 'ends'
  | 'matches'
  | 'in'
  | 'not_in'
  | 'gt'
  | 'ge'
  | 'lt'
  | 'le';

export type Cond =
  | { t: 'and' | 'or'; a: Cond; b: Cond }
  | { t: 'not'; a: Cond }
  | {
      t: 'cmp';
      field: FieldDef;
      op: Operator;
      values: Array<string | number>;
      re: RegExp | null;
      pos: number;
    }
  | { t: 'event'; kind: EventKindId; service: string | null; pos: number };

export interface ParsedPattern {
  cond: Cond;
  /** Events per key within the window needed to fire; null: every matching event fires. */
  count: number | null;
  windowSec: number;
  per: 'src' | 'dst' | 'all';
}

const CMP: Record<string, Operator> = {
  '>': 'gt',
  '>=': 'ge',
  '<': 'lt',
  '<=': 'le',
  '==': 'eq',
  '!=': 'ne',
  '~': 'matches',
};
const UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hour: 3600, hours: 3600,
}; // biome-ignore format: table
const FIELD_HINT =
  'a field (http.method, user-agent, http.uri, http.status, src_ip, dst_port, payload...) or an event (failed login, connections, requests, packets)';

class Parser {
  private i = 0;
  count: number | null = null;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }
  private low(k = 0): string {
    const t = this.peek(k);
    return t.kind === 'word' ? t.text.toLowerCase() : '';
  }
  private fail(expected: string, t: Token = this.peek()): never {
    throw patternError(this.src, t.pos, expected, t.text);
  }

  parse(): ParsedPattern {
    if (this.peek().kind === 'end') this.fail(FIELD_HINT);
    const cond = this.or();
    let windowSec: number | null = null;
    let per: 'src' | 'dst' | 'all' | null = null;
    while (this.peek().kind !== 'end') {
      const w = this.low();
      if (w === 'count') {
        this.i++;
        this.countClause();
      } else if (w === 'within' || w === 'over' || w === 'in' || w === 'during') {
        if (windowSec !== null) this.fail('the end of the pattern (the window is given twice)');
        this.i++;
        windowSec = this.duration();
      } else if (w === 'per') {
        this.i++;
        const u = this.low();
        if (u === 'second' || u === 'minute' || u === 'hour') {
          if (windowSec !== null) this.fail('the end of the pattern (the window is given twice)');
          windowSec = UNITS[u];
          this.i++;
        } else {
          if (per !== null) this.fail('the end of the pattern (per is given twice)');
          per = this.perKey();
        }
      } else {
        this.fail("'and', 'or', 'count', 'within' or 'per' (or the end of the pattern)");
      }
    }
    if (this.count === null && windowSec !== null) {
      throw patternError(this.src, this.src.length, "a count ('count > N') for the window", '');
    }
    return { cond, count: this.count, windowSec: windowSec ?? 60, per: per ?? 'src' };
  }

  private countClause(): void {
    const t = this.peek();
    if (this.count !== null) this.fail('one count only', t);
    if (t.kind !== 'op' || !(t.text === '>' || t.text === '>=' || t.text === '=='))
      this.fail("'>' or '>=' before the count");
    this.i++;
    const n = this.peek();
    if (n.kind !== 'number' || !Number.isInteger(Number(n.text))) this.fail('a whole number of events');
    this.i++;
    const v = Number(n.text);
    this.count = t.text === '>' ? v + 1 : Math.max(1, v);
  }

  private duration(): number {
    const t = this.peek();
    if (t.kind === 'number') {
      this.i++;
      const u = this.low();
      if (u in UNITS) {
        this.i++;
        return Number(t.text) * UNITS[u];
      }
      return Number(t.text);
    }
    const m = t.kind === 'word' ? /^(\d+(?:\.\d+)?)([a-z]+)$/i.exec(t.text) : null;
    if (m !== null && m[2].toLowerCase() in UNITS) {
      this.i++;
      return Number(m[1]) * UNITS[m[2].toLowerCase()];
    }
    return this.fail('a duration (60s, 5m, 1h, 30 seconds)');
  }

  private perKey(): 'src' | 'dst' | 'all' {
    const w = this.low();
    this.i++;
    if (['source', 'src', 'src_ip', 'client', 'attacker', 'ip'].includes(w)) {
      if (w === 'source' && this.low() === 'ip') this.i++;
      return 'src';
    }
    if (['destination', 'dst', 'dst_ip', 'target', 'server', 'host'].includes(w)) return 'dst';
    if (w === 'rule' || w === 'all') return 'all';
    this.i--;
    return this.fail('source, destination or rule after per');
  }

  private or(): Cond {
    let a = this.and();
    while (this.low() === 'or') {
      this.i++;
      a = { t: 'or', a, b: this.and() };
    }
    return a;
  }

  private and(): Cond {
    let a = this.unary();
    while (this.low() === 'and') {
      this.i++;
      a = { t: 'and', a, b: this.unary() };
    }
    return a;
  }

  private unary(): Cond {
    const t = this.peek();
    if (this.low() === 'not') {
      this.i++;
      return { t: 'not', a: this.unary() };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.i++;
      const c = this.or();
      if (!(this.peek().kind === 'punct' && this.peek().text === ')')) this.fail("')'");
      this.i++;
      return c;
    }
    if (t.kind !== 'word') this.fail(FIELD_HINT);
    const ev = this.event();
    if (ev !== null) {
      if (this.peek().kind === 'op') this.countClause();
      return ev;
    }
    const words: string[] = [];
    for (let k = 0; this.peek(k).kind === 'word'; k++) words.push(this.low(k));
    const f = matchField(words, 0);
    if (f === null) this.fail(FIELD_HINT);
    this.i += f.used;
    return this.comparison(f.field, t.pos);
  }

  /** An event phrase at the cursor (consumed), or null. */
  private event(): Cond | null {
    const start = this.i;
    const pos = this.peek().pos;
    const w = (k: number) => this.low(k);
    let k = 0;
    if (w(0) === 'failed' || w(0) === 'invalid' || w(0) === 'unsuccessful') {
      k = 1;
      let service: string | null = null;
      if (LOGIN_SERVICES.has(w(k))) service = w(k++) === 'postgres' ? 'postgresql' : w(k - 1);
      if (
        !/^(login|logins|logon|logons|authentication|authentications|auth|password|passwords|sign-in|sign-ins)$/.test(
          w(k),
        )
      ) {
        this.i = start + k;
        return this.fail('login (as in failed login attempts)');
      }
      k++;
      if (/^(attempt|attempts|tries|failures)$/.test(w(k))) k++;
      this.i = start + k;
      return { t: 'event', kind: EventKind.LOGIN_FAILURE, service, pos };
    }
    let service: string | null = null;
    if (LOGIN_SERVICES.has(w(0)) && /^(login|authentication)$/.test(w(1)) && /^(failures?)$/.test(w(2))) {
      service = w(0);
      k = 3;
    } else if (/^(login|authentication)$/.test(w(0)) && /^(failures?)$/.test(w(1))) k = 2;
    if (k > 0) {
      this.i = start + k;
      return { t: 'event', kind: EventKind.LOGIN_FAILURE, service, pos };
    }
    if (
      w(0) === 'connections' ||
      (w(0) === 'new' && w(1) === 'connections') ||
      (w(0) === 'connection' && w(1) === 'attempts')
    ) {
      this.i = start + (w(0) === 'connections' ? 1 : 2);
      return { t: 'event', kind: EventKind.CONNECTION, service: null, pos };
    }
    if (w(0) === 'requests' || (w(0) === 'http' && w(1) === 'requests')) {
      this.i = start + (w(0) === 'requests' ? 1 : 2);
      return { t: 'event', kind: EventKind.HTTP_REQUEST, service: null, pos };
    }
    if (w(0) === 'responses' || (w(0) === 'http' && w(1) === 'responses')) {
      this.i = start + (w(0) === 'responses' ? 1 : 2);
      return { t: 'event', kind: EventKind.HTTP_RESPONSE, service: null, pos };
    }
    if (w(0) === 'packets') {
      this.i = start + 1;
      return { t: 'event', kind: EventKind.PACKET, service: null, pos };
    }
    return null;
  }

  private operator(): Operator {
    const t = this.peek();
    if (t.kind === 'op') {
      this.i++;
      return CMP[t.text];
    }
    const w = this.low();
    const w1 = this.low(1);
    const take = (n: number, op: Operator): Operator => {
      this.i += n;
      return op;
    };
    if (w === 'contains' || w === 'contain' || w === 'has') return take(1, 'contains');
    if (w === 'in') return take(1, 'in');
    if (w === 'matches' || w === 'match') return take(1, 'matches');
    if (w === 'equals' || w === 'eq') return take(1, 'eq');
    if (w === 'startswith' || (w === 'starts' && w1 === 'with'))
      return take(w === 'starts' ? 2 : 1, 'starts');
    if (w === 'endswith' || (w === 'ends' && w1 === 'with')) return take(w === 'ends' ? 2 : 1, 'ends');
    if (w === 'is') {
      if (w1 === 'not') return this.low(2) === 'in' ? take(3, 'not_in') : take(2, 'ne');
      return w1 === 'in' ? take(2, 'in') : take(1, 'eq');
    }
    if (w === 'not') {
      if (w1 === 'in') return take(2, 'not_in');
      if (w1 === 'contains' || w1 === 'contain') return take(2, 'not_contains');
    }
    if (w === 'does' && w1 === 'not' && (this.low(2) === 'contain' || this.low(2) === 'contains'))
      return take(3, 'not_contains');
    return this.fail('an operator (contains, ==, !=, in, not in, starts with, ends with, matches, >, <)');
  }

  private comparison(field: FieldDef, pos: number): Cond {
    const opTok = this.peek();
    const op = this.operator();
    const numericOp = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
    if (numericOp && field.type !== 'number') {
      throw patternError(
        this.src,
        opTok.pos,
        `an operator for text (${field.name} is text: contains, ==, in, matches...)`,
        opTok.text,
      );
    }
    if (
      (op === 'contains' || op === 'not_contains' || op === 'starts' || op === 'ends' || op === 'matches') &&
      field.type !== 'text'
    ) {
      throw patternError(
        this.src,
        opTok.pos,
        `==, !=, in or a comparison (${field.name} is not text)`,
        opTok.text,
      );
    }
    const values: Array<string | number> = [];
    const valuePos = this.peek().pos;
    const list = this.peek().kind === 'punct' && this.peek().text === '[';
    if (list) {
      if (op !== 'in' && op !== 'not_in' && op !== 'contains' && op !== 'eq') this.fail('a single value');
      this.i++;
      for (;;) {
        values.push(this.value(field));
        const t = this.peek();
        if (t.kind === 'punct' && t.text === ',') {
          this.i++;
          continue;
        }
        if (t.kind === 'punct' && t.text === ']') {
          this.i++;
          break;
        }
        this.fail("',' or ']'");
      }
    } else {
      values.push(this.value(field));
    }
    let re: RegExp | null = null;
    if (op === 'matches') {
      try {
        re = new RegExp(String(values[0]), 'i');
      } catch (e) {
        throw patternError(
          this.src,
          valuePos,
          `a valid regular expression (${(e as Error).message})`,
          String(values[0]),
        );
      }
    }
    return { t: 'cmp', field, op, values, re, pos };
  }

  private value(field: FieldDef): string | number {
    const t = this.peek();
    if (t.kind !== 'string' && t.kind !== 'number' && t.kind !== 'word')
      this.fail(`a value for ${field.name}`);
    if (t.kind === 'word' && ['and', 'or', 'count', 'within', 'per'].includes(t.text.toLowerCase())) {
      this.fail(`a value for ${field.name}`);
    }
    this.i++;
    if (field.type === 'number') {
      const n = Number(t.text);
      if (t.text === '' || !Number.isFinite(n))
        throw patternError(this.src, t.pos, `a number for ${field.name}`, t.text);
      return n;
    }
    if (field.type === 'ip') {
      try {
        if (t.text.includes('/')) parseCidr(t.text);
        else parseIp(t.text);
      } catch {
        throw patternError(this.src, t.pos, `an IP address or CIDR for ${field.name}`, t.text);
      }
    }
    return t.text;
  }
}

/** Parses a pattern; throws SentraError RULE_SYNTAX with `details.position` and `details.expected`. */
export function parsePattern(src: string): ParsedPattern {
  if (typeof src !== 'string') {
    throw patternError(String(src), 0, 'a pattern string', String(src));
  }
  return new Parser(src, lex(src)).parse();
}
