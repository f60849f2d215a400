/**
 * URL patterns: a RegExp, or a glob where `*` matches any run of characters and the pattern
 * must match the whole URL (`*://ads.*`, `http://example.com/private/*`). For CONNECT the URL
 * is `host:port`.
 */
import { ErrorCodes, SentraError } from '../../../errors.js';
import type { ProxyFilter, ProxyRequest } from './types.js';

export type UrlPattern = string | RegExp;

export function compileUrlPattern(p: UrlPattern): RegExp {
  if (p instanceof RegExp) return p;
  if (typeof p !== 'string' || p.length === 0) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'a URL pattern must be a non-empty string or a RegExp',
    );
  }
  const body = p
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

export class UrlPatternFilter implements ProxyFilter {
  readonly name: string;
  private readonly patterns: { re: RegExp; text: string }[];

  constructor(
    patterns: UrlPattern[],
    private readonly mode: 'block' | 'allow',
  ) {
    this.name = mode === 'block' ? 'blocked_urls' : 'allowed_urls';
    this.patterns = patterns.map((p) => ({ re: compileUrlPattern(p), text: String(p) }));
  }

  check(req: ProxyRequest): string | null {
    for (const p of this.patterns) {
      p.re.lastIndex = 0;
      if (p.re.test(req.url)) return this.mode === 'block' ? `URL matches blocked pattern ${p.text}` : null;
    }
    return this.mode === 'block' ? null : 'URL matches no allowed pattern';
  }
}
