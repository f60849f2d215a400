/**
 * A filter written as a function (TypeScript, or a Sentra script through the facade). A
 * function that throws blocks the request (fail closed) and the error becomes the reason.
 */
import { type FilterFunction, type ProxyFilter, type ProxyRequest, verdictReason } from './types.js';

let counter = 0;

export class FunctionFilter implements ProxyFilter {
  readonly name: string;

  constructor(
    private readonly fn: FilterFunction,
    name?: string,
  ) {
    this.name = name ?? (fn.name ? `function ${fn.name}` : `function #${++counter}`);
  }

  check(req: ProxyRequest): string | null | Promise<string | null> {
    let v: ReturnType<FilterFunction>;
    try {
      v = this.fn(req);
    } catch (e) {
      return `filter ${this.name} failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (v !== null && typeof v === 'object' && typeof (v as Promise<unknown>).then === 'function') {
      return (v as Promise<Parameters<typeof verdictReason>[0]>).then(
        (r) => verdictReason(r, this.name),
        (e: unknown) => `filter ${this.name} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return verdictReason(v as Parameters<typeof verdictReason>[0], this.name);
  }
}
