/**
 * A parsed pattern made executable: the kind of event it is evaluated on (the most specific
 * one its terms need) and a predicate over a {@link MatchContext}. Text comparisons ignore case,
 * as people write `user-agent contains 'scanner'` meaning any case.
 */
import { cidrContains, formatIp, parseCidr, parseIp } from '../../net/address.js';
import { keyText } from '../common.js';
import { EVENT_KIND_NAMES, EventKind, type EventKindId, type MatchContext } from './fields.js';
import { patternError } from './lexer.js';
import { type Cond, type ParsedPattern, parsePattern } from './parser.js';

export type Predicate = (ctx: MatchContext) => boolean;

export interface CompiledPattern extends ParsedPattern {
  source: string;
  kind: EventKindId;
  test: Predicate;
}

function walk(c: Cond, f: (c: Cond) => void): void {
  f(c);
  if (c.t === 'and' || c.t === 'or') {
    walk(c.a, f);
    walk(c.b, f);
  } else if (c.t === 'not') walk(c.a, f);
}

/** The event kind a pattern runs on, or a SentraError pointing at the term that does not fit. */
function kindOf(src: string, cond: Cond): EventKindId {
  let kind: EventKindId | null = null;
  let eventPos = -1;
  walk(cond, (c) => {
    if (c.t !== 'event') return;
    if (kind !== null && kind !== c.kind) {
      throw patternError(
        src,
        c.pos,
        `one kind of event per pattern (already ${EVENT_KIND_NAMES[kind]})`,
        EVENT_KIND_NAMES[c.kind],
      );
    }
    kind = c.kind;
    eventPos = c.pos;
  });
  if (kind === null) {
    // the most specific kind that the fields need: response > request > packet
    let k: EventKindId = EventKind.PACKET;
    walk(cond, (c) => {
      if (c.t !== 'cmp') return;
      const ks = c.field.kinds;
      if (ks.includes(EventKind.PACKET) && k === EventKind.PACKET) return;
      if (ks.includes(EventKind.HTTP_RESPONSE) && !ks.includes(EventKind.HTTP_REQUEST))
        k = EventKind.HTTP_RESPONSE;
      else if (ks.includes(EventKind.HTTP_REQUEST) && k !== EventKind.HTTP_RESPONSE)
        k = EventKind.HTTP_REQUEST;
      else if (ks.includes(EventKind.LOGIN_FAILURE) && !ks.includes(EventKind.PACKET))
        k = EventKind.LOGIN_FAILURE;
    });
    kind = k;
  }
  const final: EventKindId = kind;
  walk(cond, (c) => {
    if (c.t === 'cmp' && !c.field.kinds.includes(final)) {
      throw patternError(
        src,
        c.pos,
        `a field that ${EVENT_KIND_NAMES[final]} events have (${c.field.name} is not one${eventPos >= 0 ? ' of them' : ''})`,
        c.field.name,
      );
    }
  });
  return final;
}

function ipMatcher(v: string): (k: number | string) => boolean {
  if (v.includes('/')) {
    const cidr = parseCidr(v);
    return (k) => {
      const ip = parseIp(keyText(k));
      return cidrContains(cidr, ip.bytes);
    };
  }
  const want = formatIp(parseIp(v).bytes);
  return (k) => keyText(k) === want;
}

function compileCond(c: Cond): Predicate {
  switch (c.t) {
    case 'and': {
      const a = compileCond(c.a);
      const b = compileCond(c.b);
      return (x) => a(x) && b(x);
    }
    case 'or': {
      const a = compileCond(c.a);
      const b = compileCond(c.b);
      return (x) => a(x) || b(x);
    }
    case 'not': {
      const a = compileCond(c.a);
      return (x) => !a(x);
    }
    case 'event': {
      const { kind, service } = c;
      return (x) => x.kind === kind && (service === null || x.service === service);
    }
    case 'cmp':
      return compileCmp(c);
  }
}

function compileCmp(c: Extract<Cond, { t: 'cmp' }>): Predicate {
  const get = c.field.get;
  if (c.field.type === 'ip') {
    const ms = c.values.map((v) => ipMatcher(String(v)));
    const any = (k: number | string) => ms.some((m) => m(k));
    const neg = c.op === 'ne' || c.op === 'not_in';
    return (x) => {
      const v = get(x);
      if (v === null) return false;
      return any(v) !== neg;
    };
  }
  if (c.field.type === 'number') {
    const nums = c.values.map(Number);
    const n = nums[0];
    switch (c.op) {
      case 'gt':
        return (x) => num(get(x)) > n;
      case 'ge':
        return (x) => num(get(x)) >= n;
      case 'lt':
        return (x) => num(get(x)) < n;
      case 'le':
        return (x) => num(get(x)) <= n;
      case 'ne':
      case 'not_in':
        return (x) => {
          const v = get(x);
          return v !== null && !nums.includes(Number(v));
        };
      default:
        return (x) => {
          const v = get(x);
          return v !== null && nums.includes(Number(v));
        };
    }
  }
  const vals = c.values.map((v) => String(v).toLowerCase());
  const re = c.re;
  const test = (s: string): boolean => {
    switch (c.op) {
      case 'contains':
      case 'not_contains':
        return vals.some((v) => s.includes(v));
      case 'starts':
        return vals.some((v) => s.startsWith(v));
      case 'ends':
        return vals.some((v) => s.endsWith(v));
      case 'matches':
        return re?.test(s) === true;
      default:
        return vals.includes(s);
    }
  };
  const neg = c.op === 'ne' || c.op === 'not_in' || c.op === 'not_contains';
  return (x) => {
    const v = get(x);
    if (v === null) return false;
    return test(String(v).toLowerCase()) !== neg;
  };
}

function num(v: string | number | null): number {
  return v === null ? Number.NaN : Number(v);
}

/** Parses and compiles a pattern (SentraError RULE_SYNTAX with the position on failure). */
export function compilePattern(source: string): CompiledPattern {
  const p = parsePattern(source);
  const kind = kindOf(source, p.cond);
  return { ...p, source, kind, test: compileCond(p.cond) };
}
