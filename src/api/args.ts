/**
 * Checks a call's arguments against a function's documented parameters before anything runs, so
 * that a script, an HTTP client and a TypeScript caller get the same SENTRA_ERR_INVALID_ARGUMENT
 * message for the same mistake, naming the function, the argument and what it must be.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import type { ParamDoc, ParamType } from './types.js';

const WHAT: Record<ParamType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  port: 'a port number 0-65535',
  boolean: 'true or false',
  map: 'a map',
  array: 'an array',
  function: 'a function',
  'string|number': 'a string or a number',
  'map|function': 'a map or a function',
  any: 'a value',
};

function isMap(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'map';
  return typeof v;
}

/** The argument as the function gets it, or undefined when it does not fit `type`. */
function coerce(type: ParamType, v: unknown): { ok: boolean; value: unknown } {
  switch (type) {
    case 'string':
      return { ok: typeof v === 'string', value: v };
    case 'number':
      return { ok: typeof v === 'number' && Number.isFinite(v), value: v };
    case 'integer':
      return { ok: Number.isInteger(v), value: v };
    case 'port': {
      const n = typeof v === 'string' && /^\d{1,5}$/.test(v.trim()) ? Number(v) : v;
      return { ok: Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535, value: n };
    }
    case 'boolean':
      return { ok: typeof v === 'boolean', value: v };
    case 'map':
      return { ok: isMap(v), value: v };
    case 'array':
      return { ok: Array.isArray(v), value: v };
    case 'function':
      return { ok: typeof v === 'function', value: v };
    case 'string|number':
      return { ok: typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)), value: v };
    case 'map|function':
      return { ok: typeof v === 'function' || isMap(v), value: v };
    case 'any':
      return { ok: true, value: v };
  }
}

/**
 * Returns the arguments to pass (ports given as text become numbers; a missing optional argument
 * is undefined), or throws SENTRA_ERR_INVALID_ARGUMENT.
 */
export function checkArgs(name: string, params: readonly ParamDoc[], args: readonly unknown[]): unknown[] {
  const required = params.filter((p) => !p.optional).length;
  const signature = `${name}(${params.map((p) => (p.optional ? `${p.name}?` : p.name)).join(', ')})`;
  if (args.length > params.length) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `${signature} takes ${params.length === required ? '' : 'at most '}${params.length} argument${params.length === 1 ? '' : 's'}, got ${args.length}`,
      { details: { function: name } },
    );
  }
  const out: unknown[] = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const v = args[i];
    if (v === undefined || v === null) {
      if (!p.optional) {
        throw new SentraError(
          ErrorCodes.INVALID_ARGUMENT,
          `${signature}: argument ${i + 1} '${p.name}' is missing (${p.doc})`,
          { details: { function: name, argument: p.name } },
        );
      }
      out.push(undefined);
      continue;
    }
    const r = coerce(p.type, v);
    if (!r.ok) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `${signature}: argument ${i + 1} '${p.name}' must be ${WHAT[p.type]} (${p.doc}), got ${kindOf(v)} ${shortRepr(v)}`,
        { details: { function: name, argument: p.name, expected: p.type } },
      );
    }
    out.push(r.value);
  }
  // trailing undefineds are dropped so that functions see their own defaults
  while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
  return out;
}

function shortRepr(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'function' ? 'function' : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
