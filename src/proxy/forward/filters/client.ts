/** Client addresses: CIDR blocks allowed (everything else blocked) or blocked. */
import { type Cidr, cidrContains, parseCidr, parseIp } from '../../../net/address.js';
import type { ProxyFilter, ProxyRequest } from './types.js';

export class CidrList {
  private readonly cidrs: Cidr[];

  constructor(blocks: string[]) {
    this.cidrs = blocks.map((b) => parseCidr(String(b).trim()));
  }

  contains(ip: string): boolean {
    let bytes: Uint8Array;
    try {
      bytes = parseIp(ip).bytes;
    } catch {
      return false;
    }
    for (const c of this.cidrs) if (cidrContains(c, bytes)) return true;
    return false;
  }
}

export class ClientFilter implements ProxyFilter {
  readonly name: string;
  private readonly list: CidrList;

  constructor(
    blocks: string[],
    private readonly mode: 'block' | 'allow',
  ) {
    this.name = mode === 'block' ? 'blocked_clients' : 'allowed_clients';
    this.list = new CidrList(blocks);
  }

  check(req: ProxyRequest): string | null {
    const listed = this.list.contains(req.client);
    if (this.mode === 'block') return listed ? `client ${req.client} is blocked` : null;
    return listed ? null : `client ${req.client} is not allowed`;
  }
}
