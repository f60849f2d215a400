/**
 * Capture filters: tcpdump/libpcap filter expressions (pcap-filter(7)) compiled to a fast
 * predicate over a packet's raw bytes, with libpcap 1.10's semantics, for capture files.
 *
 * ```ts
 * const f = compileFilter('tcp[tcpflags] & tcp-syn != 0 and dst port 80', LinkType.ETHERNET);
 * await readCapture(path, (rec) => { if (f.matchRecord(rec)) ... });
 * ```
 * For pcapng files whose interfaces have different link types, {@link PacketFilter} compiles
 * the expression once per link type as packets of that type arrive.
 */
import type { PacketRecord } from '../record.js';
import type { FilterAst } from './ast.js';
import { buildMatcher, generateSource, type RawMatch } from './codegen.js';
import { filterUnsupportedError } from './errors.js';
import { Gencode } from './gencode.js';
import { TRUE } from './ir.js';
import { linkInfo } from './link.js';
import { parseFilter as parse } from './parser.js';

export type { FilterAst, FilterNode } from './ast.js';
export type { FilterErrorDetails } from './errors.js';

/**
 * Runs a compiler stage, turning a stack overflow (thousands of `or`s or parentheses: every
 * stage is recursive) into an error a person can act on.
 */
function withinLimits<T>(expression: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) {
      throw filterUnsupportedError(expression, 0, 'an expression this large or deeply nested', 'split it');
    }
    throw e;
  }
}

/**
 * Parses a capture-filter expression (pcap-filter(7) syntax) without compiling it. Throws a
 * SentraError FILTER_SYNTAX with `details.position`, `details.expected` and `details.found`
 * when it does not parse, FILTER_UNSUPPORTED for valid primitives Sentra does not implement.
 */
export function parseFilter(expression: string): FilterAst {
  return withinLimits(expression, () => parse(expression));
}

export interface CompileFilterOptions {
  /**
   * The capture file is big-endian (`PcapHeader.bigEndian`). Only LINKTYPE_NULL depends on it:
   * its 4-byte address family is in the byte order of the machine that captured, which is the
   * file's. Default false (little-endian).
   */
  bigEndian?: boolean;
}

/** A filter compiled for one link type. Its methods allocate nothing. */
export interface CompiledFilter {
  readonly expression: string;
  readonly linkType: number;
  /** The expression matches every packet (it is empty, or reduces to true on this link type). */
  readonly matchesAll: boolean;
  /**
   * The expression can match no packet on this link type (`arp` on raw IP, `ip and arp`).
   * tcpdump refuses such an expression ("expression rejects all packets"); Sentra compiles it
   * to a predicate that is always false, so that a caller may warn and go on.
   */
  readonly matchesNothing: boolean;
  /** The generated JavaScript body, for debugging. */
  readonly source: string;
  /**
   * Whether the packet matches. `data` holds the captured bytes (at least `capLen` of them);
   * `origLen` is the length on the wire, which `len`, `less` and `greater` test.
   */
  match(data: Uint8Array, capLen: number, origLen: number): boolean;
  /** The same over `buf[offset, offset + capLen)`, without making a view. */
  matchAt(buf: Uint8Array, offset: number, capLen: number, origLen: number): boolean;
  /** The same for a record of `readCapture` or live capture (zero-copy when it has `buffer`). */
  matchRecord(rec: PacketRecord): boolean;
}

class Compiled implements CompiledFilter {
  constructor(
    readonly expression: string,
    readonly linkType: number,
    readonly matchesAll: boolean,
    readonly matchesNothing: boolean,
    readonly source: string,
    private readonly raw: RawMatch,
  ) {}

  match(data: Uint8Array, capLen: number, origLen: number): boolean {
    return this.raw(data, 0, Math.min(capLen, data.length), origLen);
  }

  matchAt(buf: Uint8Array, offset: number, capLen: number, origLen: number): boolean {
    const room = buf.length - offset;
    return this.raw(buf, offset, Math.min(capLen, room), origLen);
  }

  matchRecord(rec: PacketRecord): boolean {
    const buf = rec.buffer;
    if (buf !== undefined) return this.matchAt(buf, rec.offset ?? 0, rec.capLen, rec.origLen);
    return this.match(rec.data, rec.capLen, rec.origLen);
  }
}

/**
 * Compiles a capture-filter expression for packets of one link type (a LINKTYPE_* number:
 * Ethernet 1, raw IP 101/228/229, Linux cooked 113/276, BSD loopback 0/108).
 *
 * Throws SentraError:
 * - FILTER_SYNTAX when the expression does not parse (`details.position`, `details.expected`,
 *   `details.found`) or when libpcap would refuse it for this link type (`vlan` on raw IP,
 *   `tcp host 10.0.0.1`, `port 70000`...), with the position of the primitive at fault;
 * - FILTER_UNSUPPORTED for valid primitives Sentra does not implement (host names, `mpls`,
 *   `protochain`, 802.11, ...);
 * - PCAP_UNSUPPORTED_LINKTYPE for another link type.
 */
export function compileFilter(
  expression: string | FilterAst,
  linkType: number,
  opts: CompileFilterOptions = {},
): CompiledFilter {
  const ast = typeof expression === 'string' ? parseFilter(expression) : expression;
  const info = linkInfo(linkType, opts);
  return withinLimits(ast.expression, () => {
    const root = ast.root;
    const cond = root === null ? TRUE : new Gencode(ast.expression, info).compile(root);
    const source = generateSource(cond);
    const all = cond.k === 'const' && cond.v;
    const none = cond.k === 'const' && !cond.v;
    return new Compiled(ast.expression, linkType, all, none, source, buildMatcher(source));
  });
}

/**
 * One expression for packets of any link type: parsed at construction (syntax errors are
 * thrown there), compiled for a link type the first time a packet of that type is tested, or
 * ahead of time with {@link PacketFilter.forLinkType} (from `readCapture`'s `onInterface`, to
 * report a link-type error before the first packet).
 *
 * ```ts
 * const filter = new PacketFilter(expr);
 * await readCapture(path, (rec) => { if (filter.matchRecord(rec)) ... }, {
 *   onPcapHeader: (h) => filter.setBigEndian(h.bigEndian),
 *   onInterface: (i) => filter.forLinkType(i.linkType),
 * });
 * ```
 */
export class PacketFilter {
  readonly ast: FilterAst;
  private readonly byLink = new Map<number, CompiledFilter>();
  private lastType = -1;
  private last: CompiledFilter | null = null;
  private bigEndian: boolean;

  constructor(
    readonly expression: string,
    opts: CompileFilterOptions = {},
  ) {
    this.ast = parseFilter(expression);
    this.bigEndian = opts.bigEndian ?? false;
  }

  /**
   * The byte order of the capture file, once known (`PcapHeader.bigEndian`); it matters for
   * LINKTYPE_NULL only. Filters compiled before with the other order are compiled again.
   */
  setBigEndian(bigEndian: boolean): void {
    if (bigEndian === this.bigEndian) return;
    this.bigEndian = bigEndian;
    this.byLink.clear();
    this.last = null;
    this.lastType = -1;
  }

  /** The filter compiled for this link type (cached); throws what {@link compileFilter} throws. */
  forLinkType(linkType: number): CompiledFilter {
    let f = this.byLink.get(linkType);
    if (f === undefined) {
      f = compileFilter(this.ast, linkType, { bigEndian: this.bigEndian });
      this.byLink.set(linkType, f);
    }
    return f;
  }

  /** Whether the record matches, compiling for its link type on first sight. */
  matchRecord(rec: PacketRecord): boolean {
    if (rec.linkType !== this.lastType || this.last === null) {
      this.last = this.forLinkType(rec.linkType);
      this.lastType = rec.linkType;
    }
    return this.last.matchRecord(rec);
  }
}
