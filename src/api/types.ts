/**
 * The shape of the API facade's function table: each of the spec's functions is one
 * {@link ApiFunction} with its parameters documented (names as the spec writes them, in the
 * spec's order), so that Sentra scripts, the daemon's HTTP API and TypeScript callers all go
 * through the same validation and the same code.
 */
import type { ApiContext } from './context.js';

/**
 * What an argument must be. `port` is a whole number 0-65535 (or its text); `map` a plain
 * object; `function` a callable (a script function arrives as one); `any` is checked by the
 * function itself.
 */
export type ParamType =
  | 'string'
  | 'number'
  | 'integer'
  | 'port'
  | 'boolean'
  | 'map'
  | 'array'
  | 'function'
  | 'string|number'
  | 'map|function'
  | 'any';

/** One parameter of a spec function. */
export interface ParamDoc {
  /** The name the spec uses (`srcIP`, `proxyID`, `portRange`). */
  readonly name: string;
  readonly type: ParamType;
  /** Omitted or null: the function uses its default. */
  readonly optional?: boolean;
  readonly doc: string;
}

/**
 * One function of the facade. `fn` receives the context (whose firewall, monitors, captures and
 * proxies it uses, and whose maps rename interfaces and targets) and then the spec's arguments,
 * already checked against {@link ApiFunction.params}.
 */
export interface ApiFunction<A extends unknown[] = unknown[], R = unknown> {
  /** One line: what it does. */
  readonly summary: string;
  readonly params: readonly ParamDoc[];
  /** What it returns, in words (the fields are the result type's). */
  readonly returns: string;
  readonly fn: (ctx: ApiContext, ...args: A) => R | Promise<R>;
}

/** Keeps the argument and result types of a table entry while checking its shape. */
export function defineApi<A extends unknown[], R>(f: ApiFunction<A, R>): ApiFunction<A, R> {
  return f;
}

// biome-ignore lint/suspicious/noExplicitAny: a table holds functions of every signature
export type ApiFunctionTable = Readonly<Record<string, ApiFunction<any, any>>>;

/** The arguments of a table entry, without the context. */
// biome-ignore lint/suspicious/noExplicitAny: matches any entry
export type ApiArgs<F> = F extends ApiFunction<infer A, any> ? A : never;
/** The result of a table entry (the value a Promise resolves to). */
// biome-ignore lint/suspicious/noExplicitAny: matches any entry
export type ApiResult<F> = F extends ApiFunction<any, infer R> ? Awaited<R> : never;
