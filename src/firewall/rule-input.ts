/** A custom rule from user input to validated fields, and stored rules to the kernel layout. */
import { ErrorCodes, SentraError } from '../errors.js';
import type { ChainLayout, KernelRule } from './backend.js';
import type { Entry, Policies } from './model.js';
import type { RuleInput } from './options.js';
import {
  parseAction,
  parseAddressOrAny,
  parseChain,
  parsePortSpec,
  parseProtocol,
  parseReason,
  parseSourceTag,
  parseTarget,
} from './validate.js';

/** Validates every field of a custom rule and their combination. */
export function normalizeRule(input: RuleInput) {
  const chain = parseChain(input.chain);
  const protocol = parseProtocol(input.protocol);
  const src = parseAddressOrAny(input.src);
  const dst = parseAddressOrAny(input.dst);
  const srcPort = parsePortSpec(input.srcPort);
  const dstPort = parsePortSpec(input.dstPort);
  const action = parseAction(input.action);
  const reason = parseReason(input.reason);
  const source = parseSourceTag(input.source);
  const bad = (why: string) => new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid rule: ${why}`);
  if (src && dst && src.family !== dst.family)
    throw bad('source and destination are of different IP families');
  const fam = src?.family ?? dst?.family ?? null;
  if (protocol === 'icmp' && fam === 6) throw bad('icmp is IPv4; use icmpv6 with IPv6 addresses');
  if (protocol === 'icmpv6' && fam === 4) throw bad('icmpv6 is IPv6; use icmp with IPv4 addresses');
  if ((srcPort || dstPort) && protocol !== 'tcp' && protocol !== 'udp')
    throw bad('ports need protocol tcp or udp');
  return { chain, protocol, src, dst, srcPort, dstPort, action, reason, source };
}

export function toKernelRule(e: Entry): KernelRule {
  return {
    id: e.id,
    chain: e.chain,
    protocol: e.protocol,
    src: e.src ? parseTarget(e.src) : null,
    dst: e.dst ? parseTarget(e.dst) : null,
    srcPort: e.srcPort,
    dstPort: e.dstPort,
    action: e.action,
  };
}

/** The chains as the kernel should hold them: custom rules in their order, and the policies. */
export function layoutOf(rules: readonly Entry[], policies: Policies): ChainLayout {
  const sorted = [...rules].sort((a, b) => a.position - b.position || a.createdAt - b.createdAt);
  return { rules: sorted.map(toKernelRule), policies };
}
