/**
 * Sentra values are plain JavaScript values, so that they cross to host functions unchanged:
 * `null`, booleans, numbers (IEEE doubles), strings, arrays, plain objects (maps) and functions
 * (script functions are real JS functions a host can call). Anything else a host returns
 * (a Buffer, a class instance) is kept as an opaque value the script can hold and pass back.
 */

/**
 * Marks a JS function as a Sentra script function; its value holds what the interpreter needs
 * to call it with a proper script stack. Host code can ignore it and just call the function.
 */
export const SCRIPT_FN: unique symbol = Symbol('sentra.scriptFunction');
/** Marks a builtin function (printed as `<builtin name>`). */
export const BUILTIN_NAME: unique symbol = Symbol('sentra.builtinName');

/** A map key that would touch a plain object's prototype if set with `obj[key] = v`. */
const PROTO_KEY = '__proto__';

export type ScriptMap = Record<string, unknown>;

/** A plain object: `{}` literal, JSON.parse output, or an object created with a null prototype. */
export function isMap(v: unknown): v is ScriptMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The name `typeof(x)` returns and error messages use. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
    case 'object':
      if (Array.isArray(v)) return 'array';
      if (v instanceof Uint8Array) return 'bytes';
      return isMap(v) ? 'map' : 'object';
    default:
      return typeof v;
  }
}

/**
 * Truth as in Python: `false`, `null`, `0`, `NaN`, `""`, `[]` and `{}` are false; every other
 * value is true.
 */
export function truthy(v: unknown): boolean {
  if (v === true) return true;
  if (v === false || v === null || v === undefined) return false;
  switch (typeof v) {
    case 'number':
      return v !== 0 && !Number.isNaN(v);
    case 'string':
      return v.length > 0;
    case 'object':
      if (Array.isArray(v)) return v.length > 0;
      if (isMap(v)) {
        for (const k in v) if (Object.hasOwn(v, k)) return true;
        return false;
      }
      return true;
    default:
      return true;
  }
}

const MAX_EQUAL_DEPTH = 100;

/**
 * `==`: numbers, strings, booleans and null by value; arrays and maps element by element;
 * functions and opaque host values by identity. `null` equals only `null`.
 */
export function equals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return a == null && b == null;
  if (typeof a !== 'object' || typeof b !== 'object' || depth > MAX_EQUAL_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (!isMap(a) || !isMap(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !equals(a[k], b[k], depth + 1)) return false;
  }
  return true;
}

/** Numbers print in their shortest form that reads back the same: `3`, `1.5`, `0.1`, `1e+21`, `NaN`. */
export function formatNumber(n: number): string {
  return String(n);
}

/** A function's name for messages and printing. */
export function functionLabel(f: (...args: never[]) => unknown): string {
  const tagged = f as unknown as { [SCRIPT_FN]?: { info: { name: string } }; [BUILTIN_NAME]?: string };
  const script = tagged[SCRIPT_FN];
  if (script !== undefined) return script.info.name ? `<fn ${script.info.name}>` : '<fn>';
  const builtin = tagged[BUILTIN_NAME];
  if (builtin !== undefined) return `<builtin ${builtin}>`;
  return f.name ? `<host fn ${f.name}>` : '<host fn>';
}

/** `str(v)`: strings as they are, everything else as {@link repr}. */
export function toDisplay(v: unknown): string {
  return typeof v === 'string' ? v : repr(v);
}

/**
 * The printed form of a value: strings quoted, arrays `[1, "a"]`, maps `{"k": 1}` in insertion
 * order (JavaScript puts integer-like keys first), cycles as `[...]` / `{...}`.
 */
export function repr(v: unknown, seen: Set<object> = new Set()): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'function':
      return functionLabel(v as (...args: never[]) => unknown);
    case 'object': {
      if (v instanceof Uint8Array) return `<bytes ${v.length}>`;
      if (v instanceof Date)
        return JSON.stringify(Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString());
      if (seen.has(v)) return Array.isArray(v) ? '[...]' : '{...}';
      seen.add(v);
      try {
        if (Array.isArray(v)) return `[${v.map((x) => repr(x, seen)).join(', ')}]`;
        const parts: string[] = [];
        for (const k of Object.keys(v))
          parts.push(`${JSON.stringify(k)}: ${repr((v as ScriptMap)[k], seen)}`);
        return `{${parts.join(', ')}}`;
      } finally {
        seen.delete(v);
      }
    }
    default:
      return String(v);
  }
}

/** Sets `map[key] = value` without ever touching the prototype, whatever the key. */
export function setKey(map: ScriptMap, key: string, value: unknown): void {
  if (key === PROTO_KEY) {
    Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    map[key] = value;
  }
}

/** Reads an own key of a map (or opaque object); a missing key reads as null. */
export function getKey(obj: object, key: string): unknown {
  if (!Object.hasOwn(obj, key)) return null;
  const v = (obj as ScriptMap)[key];
  return v === undefined ? null : v;
}

/** The keys of a map a script sees: own enumerable string keys. */
export function mapKeys(m: object): string[] {
  return Object.keys(m);
}
