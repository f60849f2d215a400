/**
 * The filter registry: declarative filters by type name (what scripts and the CLI pass), a
 * function, or any object implementing {@link ProxyFilter}.
 */
import { ErrorCodes, SentraError } from '../../../errors.js';
import { ClientFilter } from './client.js';
import { AllowedDomainsFilter, BlockedDomainsFilter } from './domain.js';
import { FunctionFilter } from './function.js';
import { MethodFilter } from './method.js';
import type { FilterFunction, ProxyFilter } from './types.js';
import { type UrlPattern, UrlPatternFilter } from './url.js';

export { CidrList } from './client.js';
export { DomainSet, normalizeDomain } from './domain.js';
export type { FilterFunction, FilterVerdict, ProxyFilter, ProxyRequest } from './types.js';
export { verdictReason } from './types.js';

/** A declarative filter: `{ type: 'blocked_domains', values: ['ads.example'] }`. */
export interface FilterSpec {
  type: string;
  values: (string | RegExp)[];
}

export type FilterInput = ProxyFilter | FilterFunction | FilterSpec;

const registry = new Map<string, (values: (string | RegExp)[]) => ProxyFilter>([
  ['blocked_domains', (v) => new BlockedDomainsFilter(v.map(String))],
  ['allowed_domains', (v) => new AllowedDomainsFilter(v.map(String))],
  ['blocked_urls', (v) => new UrlPatternFilter(v as UrlPattern[], 'block')],
  ['allowed_urls', (v) => new UrlPatternFilter(v as UrlPattern[], 'allow')],
  ['blocked_methods', (v) => new MethodFilter(v.map(String), 'block')],
  ['allowed_methods', (v) => new MethodFilter(v.map(String), 'allow')],
  ['blocked_clients', (v) => new ClientFilter(v.map(String), 'block')],
  ['allowed_clients', (v) => new ClientFilter(v.map(String), 'allow')],
]);

export function filterTypes(): string[] {
  return [...registry.keys()];
}

/** Registers a declarative filter type (plug-ins). */
export function registerFilterType(type: string, make: (values: (string | RegExp)[]) => ProxyFilter): void {
  registry.set(type, make);
}

/** Makes a filter from a function, a filter object or a declarative spec. */
export function createFilter(input: FilterInput): ProxyFilter {
  if (typeof input === 'function') return new FunctionFilter(input);
  if (input !== null && typeof input === 'object') {
    if (typeof (input as ProxyFilter).check === 'function') return input as ProxyFilter;
    const spec = input as FilterSpec;
    const make = registry.get(String(spec.type));
    if (make === undefined) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `unknown filter type ${JSON.stringify(spec.type)}; use one of ${filterTypes().join(', ')} or a function`,
        { details: { type: spec.type } },
      );
    }
    const values = Array.isArray(spec.values) ? spec.values : [spec.values as unknown as string];
    return make(values);
  }
  throw new SentraError(
    ErrorCodes.INVALID_ARGUMENT,
    'a filter must be a function, a filter object or { type, values }',
  );
}
