/** Port blocks: validation, conflict check and the entries a block or unblock request makes. */
import { ErrorCodes, SentraError } from '../errors.js';
import type { PortElement } from './backend.js';
import { parseDuration } from './duration.js';
import { newId } from './ids.js';
import type { Entry, PortProtocol } from './model.js';
import type { BlockOptions } from './options.js';
import { findPortOverlap } from './overlap.js';
import type { FirewallStore } from './store.js';
import { parsePortProtocol, parsePortSpec, parseReason, parseSourceTag } from './validate.js';

export function portElement(e: Entry, timeoutMs: number | null = null): PortElement {
  return { protocol: e.protocol as PortProtocol, from: e.dstPort!.from, to: e.dstPort!.to, timeoutMs };
}

/**
 * Validates a port block request and returns the entries to store and the kernel elements to
 * add (`fresh`) or renew (`renew`). Refuses a range overlapping another block of the same
 * protocol (the kernel's interval set would refuse it too).
 */
export function preparePortBlock(
  store: FirewallStore,
  port: string | number,
  opts: BlockOptions & { protocol?: string },
  now: number,
  kernelTimeout: (expiresAt: number | null) => number | null,
): { entries: Entry[]; fresh: PortElement[]; renew: PortElement[] } {
  const range = parsePortSpec(port);
  if (!range) throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'a port block needs a port or a range');
  const protocols = parsePortProtocol(opts.protocol);
  const durationMs = parseDuration(opts.duration);
  const reason = parseReason(opts.reason);
  const source = parseSourceTag(opts.source);
  const existing = store.activeOfKind('port', now).map((e) => portElement(e));
  const wanted = protocols.map((protocol) => ({ protocol, from: range.from, to: range.to }));
  const pair = findPortOverlap([...existing, ...wanted]);
  if (pair) {
    throw new SentraError(
      ErrorCodes.FIREWALL_CONFLICT,
      `port block ${pair[1].protocol}:${pair[1].from}-${pair[1].to} overlaps ${pair[0].protocol}:${pair[0].from}-${pair[0].to}; unblock it first`,
      { details: { a: pair[0], b: pair[1] } },
    );
  }
  const expiresAt = durationMs === null ? null : now + durationMs;
  const timeoutMs = kernelTimeout(expiresAt);
  const entries: Entry[] = [];
  const fresh: PortElement[] = [];
  const renew: PortElement[] = [];
  for (const w of wanted) {
    const old = store.byKey('port', `${w.protocol}:${w.from}-${w.to}`);
    (old ? renew : fresh).push({ ...w, timeoutMs });
    entries.push({
      id: old?.id ?? newId(),
      kind: 'port',
      chain: 'input',
      protocol: w.protocol,
      src: null,
      dst: null,
      srcPort: null,
      dstPort: { from: w.from, to: w.to },
      action: 'drop',
      reason,
      source,
      position: 0,
      createdAt: now,
      expiresAt,
    });
  }
  return { entries, fresh, renew };
}

/** The stored port blocks an unblock request names, and the names that matched none. */
export function findPortBlocks(
  store: FirewallStore,
  port: string | number,
  protocol: string | undefined,
): { found: Entry[]; notFound: string[] } {
  const range = parsePortSpec(port);
  if (!range) throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'give the port or range to unblock');
  const found: Entry[] = [];
  const notFound: string[] = [];
  for (const p of parsePortProtocol(protocol ?? 'any')) {
    const e = store.byKey('port', `${p}:${range.from}-${range.to}`);
    if (e) found.push(e);
    else notFound.push(`${p}:${range.from === range.to ? range.from : `${range.from}-${range.to}`}`);
  }
  return { found, notFound };
}
