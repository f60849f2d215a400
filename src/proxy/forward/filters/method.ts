/** HTTP methods: an allowed list (everything else blocked) or a blocked list. */
import { ErrorCodes, SentraError } from '../../../errors.js';
import type { ProxyFilter, ProxyRequest } from './types.js';

function normalizeMethods(methods: string[]): Set<string> {
  const out = new Set<string>();
  for (const m of methods) {
    const u = String(m).trim().toUpperCase();
    if (!/^[A-Z][A-Z-]*$/.test(u)) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid HTTP method ${JSON.stringify(m)}`);
    }
    out.add(u);
  }
  return out;
}

export class MethodFilter implements ProxyFilter {
  readonly name: string;
  private readonly methods: Set<string>;

  constructor(
    methods: string[],
    private readonly mode: 'block' | 'allow',
  ) {
    this.name = mode === 'block' ? 'blocked_methods' : 'allowed_methods';
    this.methods = normalizeMethods(methods);
  }

  check(req: ProxyRequest): string | null {
    const listed = this.methods.has(req.method);
    if (this.mode === 'block') return listed ? `method ${req.method} is blocked` : null;
    return listed ? null : `method ${req.method} is not allowed`;
  }
}
