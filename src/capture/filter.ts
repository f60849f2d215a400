/**
 * Capture filters compiled by libpcap without opening an interface: to check a user's filter
 * before a capture starts, and to get the BPF program (what `tcpdump -dd` prints).
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { LinkType } from '../packet/record.js';
import { loadPcapAddon } from './addon.js';
import { fromNativeError } from './native-errors.js';

/** One classic BPF instruction (struct bpf_insn). */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export interface CompileFilterOptions {
  /** LINKTYPE_* of the packets the filter will see (default Ethernet). */
  linkType?: number;
  /** Snapshot length (default 262144). */
  snaplen?: number;
  /** Run libpcap's optimizer (default true, as tcpdump). */
  optimize?: boolean;
}

/**
 * Compiles `expr` (tcpdump syntax) with libpcap as for a capture file: the netmask is unknown,
 * so `ip broadcast` is rejected as it is by `tcpdump -r`, and `vlan` tests the tag inside the
 * packet, whereas on a live Linux interface libpcap uses the kernel's VLAN metadata instead
 * (the program differs; which packets match does not).
 * @throws SentraError FILTER_SYNTAX with libpcap's own message; CAPTURE_UNAVAILABLE.
 */
export function compileFilter(expr: string, options: CompileFilterOptions = {}): BpfInstruction[] {
  if (typeof expr !== 'string') throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'filter must be a string');
  const linkType = options.linkType ?? LinkType.ETHERNET;
  const snaplen = options.snaplen ?? 262144;
  if (!Number.isInteger(linkType) || linkType < 0 || !Number.isInteger(snaplen) || snaplen < 1) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'linkType and snaplen must be positive whole numbers');
  }
  const addon = loadPcapAddon();
  let raw: Uint32Array;
  try {
    raw = addon.compileFilter(expr, linkType, snaplen, options.optimize ?? true);
  } catch (e) {
    throw fromNativeError(e, { op: 'compileFilter', filter: expr });
  }
  const out: BpfInstruction[] = [];
  for (let i = 0; i < raw.length; i += 4)
    out.push({ code: raw[i], jt: raw[i + 1], jf: raw[i + 2], k: raw[i + 3] });
  return out;
}

/** Throws FILTER_SYNTAX when libpcap rejects `expr`; returns silently otherwise. */
export function checkFilter(expr: string, options: CompileFilterOptions = {}): void {
  compileFilter(expr, options);
}
