/**
 * The allowlist no ban may cover: loopback, the configured management addresses, and what is
 * explicitly allowed. A ban is refused when its block shares even one address with a protected
 * block, so `0.0.0.0/0`, `::/0` or a /8 around the admin's address can never lock anyone out.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { cidrOverlaps } from '../net/address.js';
import type { AddrTarget } from './model.js';
import { parseTarget } from './validate.js';

/** Loopback in both families, and IPv4 loopback as IPv4-mapped IPv6. */
export const LOOPBACK_BLOCKS: readonly string[] = ['127.0.0.0/8', '::1', '::ffff:127.0.0.0/104'];

export type ProtectionKind = 'loopback' | 'management' | 'allowed';

export interface ProtectedBlock {
  target: AddrTarget;
  kind: ProtectionKind;
}

export class ProtectedSet {
  private readonly blocks: ProtectedBlock[];

  constructor(blocks: ProtectedBlock[]) {
    this.blocks = blocks;
  }

  static build(management: readonly string[], allowed: readonly AddrTarget[]): ProtectedSet {
    const blocks: ProtectedBlock[] = LOOPBACK_BLOCKS.map((t) => ({
      target: parseTarget(t),
      kind: 'loopback',
    }));
    for (const m of management) blocks.push({ target: parseTarget(m), kind: 'management' });
    for (const a of allowed) blocks.push({ target: a, kind: 'allowed' });
    return new ProtectedSet(blocks);
  }

  /** The first protected block `t` shares an address with, or null. */
  overlap(t: AddrTarget, kinds?: readonly ProtectionKind[]): ProtectedBlock | null {
    for (const b of this.blocks) {
      if (kinds && !kinds.includes(b.kind)) continue;
      if (cidrOverlaps(b.target, t)) return b;
    }
    return null;
  }

  list(kind?: ProtectionKind): ProtectedBlock[] {
    return kind ? this.blocks.filter((b) => b.kind === kind) : [...this.blocks];
  }
}

export function protectedError(what: string, t: AddrTarget, hit: ProtectedBlock): SentraError {
  const why =
    hit.kind === 'loopback'
      ? 'loopback'
      : hit.kind === 'management'
        ? 'a management address (remove it from the allowlist first if this is intended)'
        : 'explicitly allowed (remove the allow entry first)';
  return new SentraError(
    ErrorCodes.FIREWALL_PROTECTED_ADDRESS,
    `refusing to ${what} ${t.text}: it covers ${hit.target.text}, which is ${why}`,
    { details: { target: t.text, protected: hit.target.text, kind: hit.kind } },
  );
}
