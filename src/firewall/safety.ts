/**
 * The checks that keep an administrator from locking themselves out: a default drop policy on
 * input needs a permanent allow entry (or accept rule) for every management address, entries
 * that keep that access cannot be removed while the policy is drop, and a custom drop rule on
 * input may not cover a management address that is not allowed first.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { cidrContains } from '../net/address.js';
import type { AddrTarget, Entry } from './model.js';
import { parseTarget } from './validate.js';

/** True when block `outer` contains every address of block `inner`. */
export function blockCovers(outer: AddrTarget, inner: AddrTarget): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && cidrContains(outer, inner.bytes);
}

/** True when two blocks share an address (CIDR blocks nest or are apart). */
export function blocksOverlap(a: AddrTarget, b: AddrTarget): boolean {
  return blockCovers(a, b) || blockCovers(b, a);
}

/** Management addresses not covered by an allow entry. */
export function unallowedManagement(
  allows: readonly AddrTarget[],
  management: readonly string[],
): AddrTarget[] {
  return management.map((m) => parseTarget(m)).filter((m) => !allows.some((a) => blockCovers(a, m)));
}

/** Management addresses that nothing permanent keeps reachable under a drop policy. */
export function managementWithoutAccess(entries: readonly Entry[], management: readonly string[]): string[] {
  const keepers = entries.filter(
    (e) =>
      e.expiresAt === null &&
      (e.kind === 'allow' || (e.kind === 'rule' && e.chain === 'input' && e.action === 'accept')),
  );
  return management.filter((m) => {
    const t = parseTarget(m);
    return !keepers.some((k) => k.src === null || blockCovers(parseTarget(k.src), t));
  });
}

/** Throws FIREWALL_UNSAFE_POLICY unless an input drop policy keeps every management address reachable. */
export function assertPolicyDropSafe(entries: readonly Entry[], management: readonly string[]): void {
  if (management.length === 0) {
    throw new SentraError(
      ErrorCodes.FIREWALL_UNSAFE_POLICY,
      'refusing to set the input policy to drop: no management address is configured, so Sentra cannot check that you keep access. Add yours with `sentra firewall allowlist add <addr>`, allow it, then retry (or pass --force)',
    );
  }
  const lost = managementWithoutAccess(entries, management);
  if (lost.length) {
    throw new SentraError(
      ErrorCodes.FIREWALL_UNSAFE_POLICY,
      `refusing to set the input policy to drop: no permanent allow entry or accept rule keeps ${lost.join(', ')} reachable; allow it first (or pass --force)`,
      { details: { unreachable: lost } },
    );
  }
}

/** Throws FIREWALL_UNSAFE_POLICY when removing `removing` (ids) would cut a management address off. */
export function assertManagementKept(
  entries: readonly Entry[],
  removing: readonly string[],
  management: readonly string[],
): void {
  const gone = new Set(removing);
  const lostBefore = new Set(managementWithoutAccess(entries, management));
  const lost = managementWithoutAccess(
    entries.filter((e) => !gone.has(e.id)),
    management,
  ).filter((m) => !lostBefore.has(m));
  if (lost.length) {
    throw new SentraError(
      ErrorCodes.FIREWALL_UNSAFE_POLICY,
      `refusing: the input policy is drop and this would leave ${lost.join(', ')} unreachable; set the policy to accept first`,
      { details: { unreachable: lost } },
    );
  }
}
