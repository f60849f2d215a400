/**
 * Domain lists: `example.com` matches example.com and every subdomain (a.b.example.com), not
 * notexample.com. Matching walks the host's labels upwards through a Set: O(labels).
 */
import { ErrorCodes, SentraError } from '../../../errors.js';
import type { ProxyFilter, ProxyRequest } from './types.js';

const DOMAIN = /^(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/;

/** Normalises a user's domain (`*.Example.COM.` -> `example.com`); throws when invalid. */
export function normalizeDomain(d: string): string {
  const s = String(d).trim().toLowerCase();
  if (!DOMAIN.test(s) && !/^[0-9a-f:.]+$/.test(s)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid domain ${JSON.stringify(d)}`, {
      details: { domain: d },
    });
  }
  return s.replace(/^\*\./, '').replace(/\.$/, '');
}

export class DomainSet {
  private readonly set = new Set<string>();

  constructor(domains: Iterable<string>) {
    for (const d of domains) this.set.add(normalizeDomain(d));
  }

  /** The listed domain that `host` equals or is a subdomain of, or null. */
  match(host: string): string | null {
    if (this.set.size === 0) return null;
    let h = host;
    for (;;) {
      if (this.set.has(h)) return h;
      const dot = h.indexOf('.');
      if (dot < 0) return null;
      h = h.slice(dot + 1);
    }
  }

  get size(): number {
    return this.set.size;
  }
}

/** Blocks requests to the listed domains and their subdomains. */
export class BlockedDomainsFilter implements ProxyFilter {
  readonly name = 'blocked_domains';
  private readonly domains: DomainSet;

  constructor(domains: Iterable<string>) {
    this.domains = new DomainSet(domains);
  }

  check(req: ProxyRequest): string | null {
    const m = this.domains.match(req.host);
    return m === null ? null : `domain ${m} is blocked`;
  }
}

/** Blocks requests to every domain except the listed ones and their subdomains. */
export class AllowedDomainsFilter implements ProxyFilter {
  readonly name = 'allowed_domains';
  private readonly domains: DomainSet;

  constructor(domains: Iterable<string>) {
    this.domains = new DomainSet(domains);
  }

  check(req: ProxyRequest): string | null {
    return this.domains.match(req.host) === null ? `domain ${req.host} is not in the allowed list` : null;
  }
}
