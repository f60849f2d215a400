/**
 * `API_FUNCTIONS`: the spec's functions by name, the one table that Sentra scripts (through
 * {@link apiScriptHost}), the daemon's HTTP API and TypeScript callers (through {@link bindApi})
 * dispatch through. Order and names follow the spec's sections.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { checkArgs } from './args.js';
import type { ApiContext } from './context.js';
import { FIREWALL_FUNCTIONS } from './functions/firewall.js';
import { NETWORK_FUNCTIONS } from './functions/network.js';
import { PROXY_FUNCTIONS } from './functions/proxy.js';
import { REVERSE_PROXY_FUNCTIONS } from './functions/reverse-proxy.js';
import { SCAN_FUNCTIONS } from './functions/scan.js';
import { IDS_API_FUNCTIONS } from './ids-slot.js';
import type { ApiArgs, ApiFunction, ApiFunctionTable, ApiResult } from './types.js';

/** The 37 functions of the spec other than `ids_*`, typed. */
export const CORE_API_FUNCTIONS = {
  ...FIREWALL_FUNCTIONS,
  ...PROXY_FUNCTIONS,
  ...REVERSE_PROXY_FUNCTIONS,
  ...NETWORK_FUNCTIONS,
  ...SCAN_FUNCTIONS,
};

export type CoreApiName = keyof typeof CORE_API_FUNCTIONS;

/** Every function available: the core ones plus the IDS functions once wired (ids-slot.ts). */
export const API_FUNCTIONS: ApiFunctionTable = { ...CORE_API_FUNCTIONS, ...IDS_API_FUNCTIONS };

/** Looks a function up; SENTRA_ERR_NOT_FOUND for a name that is not in the table. */
export function apiFunction(name: string): ApiFunction {
  const f = Object.hasOwn(API_FUNCTIONS, name) ? API_FUNCTIONS[name] : undefined;
  if (f === undefined) {
    throw new SentraError(ErrorCodes.NOT_FOUND, `no API function '${name}'`, { details: { function: name } });
  }
  return f;
}

/** Calls `name` with positional arguments, checked against its parameters first. */
export async function callApi(ctx: ApiContext, name: string, args: readonly unknown[]): Promise<unknown> {
  const f = apiFunction(name);
  return f.fn(ctx, ...checkArgs(name, f.params, args));
}

/**
 * Turns named arguments (`{"ipAddress": "10.0.0.5"}`, as an HTTP client sends them) into the
 * positional list; unknown names are refused.
 */
export function argsFromNamed(name: string, named: Readonly<Record<string, unknown>>): unknown[] {
  const f = apiFunction(name);
  const known = new Set(f.params.map((p) => p.name));
  for (const k of Object.keys(named)) {
    if (!known.has(k)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `${name} has no parameter '${k}' (it takes ${f.params.map((p) => p.name).join(', ') || 'none'})`,
        { details: { function: name, argument: k } },
      );
    }
  }
  return f.params.map((p) => named[p.name]);
}

/** The core functions bound to one context, with the spec's names and argument order. */
export type BoundApi = {
  [K in CoreApiName]: (
    ...args: ApiArgs<(typeof CORE_API_FUNCTIONS)[K]>
  ) => Promise<ApiResult<(typeof CORE_API_FUNCTIONS)[K]>>;
};

/** Binds every function of the table to the context `get()` returns (looked up per call). */
export function bindApi(
  get: () => ApiContext,
): BoundApi & Record<string, (...args: unknown[]) => Promise<unknown>> {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(API_FUNCTIONS)) {
    // a named function, so that a script printing it sees `<host fn firewall_block_ip>`
    out[name] = { [name]: (...args: unknown[]) => callApi(get(), name, args) }[name];
  }
  return out as BoundApi & Record<string, (...args: unknown[]) => Promise<unknown>>;
}
