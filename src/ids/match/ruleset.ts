/**
 * A loaded, ordered set of compiled rules with its prefilters: what a {@link Detector} runs.
 *
 * Rules are put in Suricata's evaluation order (action, then flowbits/flowint/xbits setters
 * before readers, then priority, then sid) so that a rule setting a flowbit runs before a rule
 * on the same packet that checks it. Each rule with a fast pattern goes into the prefilter of
 * the buffer (or transformed buffer) holding it; the others go into a header index by
 * protocol and port, so that only plausible ones are looked at for a packet.
 */
import { AddressIndex, word0 } from '../prefilter/address-index.js';
import { type LiteralAddon, literalAddon } from '../prefilter/native.js';
import { BufferPrefilter, type FastPattern } from '../prefilter/prefilter.js';
import { BUFFER_COUNT, BufferId, bufferIdByName } from './buffers.js';
import type { VarNames } from './flow-vars.js';
import { fastPatternOf, PayloadGroups } from './payload-groups.js';
import { type CompiledRule, PacketField, type RuleAction } from './rule.js';
import type { TransformName } from './transforms.js';
import { UintMode } from './uint.js';

export interface VariantDef {
  buffer: number;
  transforms: readonly TransformName[];
}

const ACTION_ORDER: Record<RuleAction, number> = {
  pass: 0,
  drop: 1,
  reject: 2,
  rejectsrc: 2,
  rejectdst: 2,
  rejectboth: 2,
  alert: 3,
};

function actionOrderTable(names?: readonly string[]): Record<RuleAction, number> {
  if (!names || names.length === 0) return ACTION_ORDER;
  const pos = (n: string) => {
    const i = names.indexOf(n);
    return i < 0 ? names.length : i;
  };
  const rej = pos('reject');
  return {
    pass: pos('pass'),
    drop: pos('drop'),
    reject: rej,
    rejectsrc: rej,
    rejectdst: rej,
    rejectboth: rej,
    alert: pos('alert'),
  };
}

/** Rules without a fast pattern, indexed by IP protocol and port. */
export class HeaderIndex {
  /** Per protocol bucket (0 tcp, 1 udp, 2 icmp, 3 other): rules by destination port. */
  private readonly byDstPort: Array<Map<number, Int32Array>> = [];
  private readonly bySrcPort: Array<Map<number, Int32Array>> = [];
  /** Per protocol bucket: rules with no usable port key. */
  private readonly rest: Int32Array[] = [];
  /** Rules for any protocol (alert ip). */
  private readonly anyProto: Int32Array;
  /** Rules whose source / destination is a short specific IPv4 list (IP reputation rules). */
  private readonly bySrcAddr: AddressIndex;
  private readonly byDstAddr: AddressIndex;
  /**
   * The same rules' IPv6 ranges, by their first 32 bits: a superset of the rules whose list
   * holds an IPv6 address (full evaluation checks the whole address). Before, every IPv6
   * packet took all of them: ET's Tor relay rules made 270 candidates per IPv6 packet.
   */
  private readonly bySrcAddrV6: AddressIndex;
  private readonly byDstAddrV6: AddressIndex;
  readonly size: number;

  constructor(rules: readonly CompiledRule[], members: readonly number[]) {
    const dst: Array<Map<number, number[]>> = [new Map(), new Map(), new Map(), new Map()];
    const src: Array<Map<number, number[]>> = [new Map(), new Map(), new Map(), new Map()];
    const rest: number[][] = [[], [], [], []];
    const any: number[] = [];
    const srcAddr: Array<{ from: number; to: number; rule: number }> = [];
    const dstAddr: Array<{ from: number; to: number; rule: number }> = [];
    const srcV6: Array<{ from: number; to: number; rule: number }> = [];
    const dstV6: Array<{ from: number; to: number; rule: number }> = [];
    for (const i of members) {
      const r = rules[i];
      // the most selective key: a short address list (IP reputation), else a port list,
      // else a large address list ($HOME_NET, which most lab traffic is in), else none
      const srcN = r.bidirectional ? Number.POSITIVE_INFINITY : addressCount(r.src);
      const dstN = r.bidirectional ? Number.POSITIVE_INFINITY : addressCount(r.dst);
      const portKey =
        !r.bidirectional &&
        (r.ipProto === 6 || r.ipProto === 17) &&
        ((!r.dstPorts.any && r.dstPorts.size <= 64) || (!r.srcPorts.any && r.srcPorts.size <= 64));
      const addrN = Math.min(srcN, dstN);
      // an `ip` rule with `ip_proto:N` can only match protocol N: a rare protocol (not TCP,
      // UDP or ICMP) is a better key than a large address list (ET's 6in4 rule,
      // `$HOME_NET -> $EXTERNAL_NET`, was evaluated on every lab packet)
      const proto = r.ipProto >= 0 ? r.ipProto : ipProtoCheck(r);
      const rareProto = protoBucket(proto) === 3;
      if (addrN <= SMALL_ADDRESS_SET || (!portKey && !rareProto && addrN < Number.POSITIVE_INFINITY)) {
        const bySrc = srcN <= dstN;
        const set = bySrc ? r.src : r.dst;
        const target = bySrc ? srcAddr : dstAddr;
        for (let k = 0; k < set.v4.length; k += 2)
          target.push({ from: set.v4[k], to: set.v4[k + 1], rule: i });
        const target6 = bySrc ? srcV6 : dstV6;
        for (let k = 0; k < set.v6.length; k += 8)
          target6.push({ from: set.v6[k], to: set.v6[k + 4], rule: i });
        continue;
      }
      const b = protoBucket(proto);
      if (b < 0) {
        any.push(i);
        continue;
      }
      if (!r.bidirectional && (b === 0 || b === 1)) {
        if (!r.dstPorts.any && r.dstPorts.size <= 64) {
          for (const p of portsOf(r.dstPorts.ranges)) push(dst[b], p, i);
          continue;
        }
        if (!r.srcPorts.any && r.srcPorts.size <= 64) {
          for (const p of portsOf(r.srcPorts.ranges)) push(src[b], p, i);
          continue;
        }
      }
      rest[b].push(i);
      if (r.ipProtoAlt >= 0) {
        const b2 = protoBucket(r.ipProtoAlt);
        if (b2 >= 0 && b2 !== b) rest[b2].push(i);
      }
    }
    for (let b = 0; b < 4; b++) {
      this.byDstPort.push(new Map([...dst[b]].map(([k, v]) => [k, Int32Array.from(v)])));
      this.bySrcPort.push(new Map([...src[b]].map(([k, v]) => [k, Int32Array.from(v)])));
      this.rest.push(Int32Array.from(rest[b]));
    }
    this.anyProto = Int32Array.from(any);
    this.bySrcAddr = new AddressIndex(srcAddr);
    this.byDstAddr = new AddressIndex(dstAddr);
    this.bySrcAddrV6 = new AddressIndex(srcV6);
    this.byDstAddrV6 = new AddressIndex(dstV6);
    this.size = members.length;
  }

  /** Adds the rules that may apply to a packet of this protocol, addresses and ports. */
  collect(
    ipProto: number,
    src: Uint8Array,
    dst: Uint8Array,
    srcPort: number,
    dstPort: number,
    out: { addAll(r: Int32Array): void },
  ): void {
    out.addAll(this.anyProto);
    if (src.length === 16) {
      const bs = this.bySrcAddrV6.lookupWord(word0(src));
      if (bs) out.addAll(bs);
      const bd = this.byDstAddrV6.lookupWord(word0(dst));
      if (bd) out.addAll(bd);
    } else {
      const bs = this.bySrcAddr.lookup(src);
      if (bs) out.addAll(bs);
      const bd = this.byDstAddr.lookup(dst);
      if (bd) out.addAll(bd);
    }
    const b = protoBucket(ipProto);
    if (b < 0) return;
    out.addAll(this.rest[b]);
    if (b <= 1) {
      // a rule's ports may match either way round when the packet flows server -> client
      const d = this.byDstPort[b];
      const s = this.bySrcPort[b];
      let x = d.get(dstPort);
      if (x) out.addAll(x);
      x = s.get(srcPort);
      if (x) out.addAll(x);
    }
  }
}

function push(m: Map<number, number[]>, k: number, v: number): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

function* portsOf(r: Uint16Array): Generator<number> {
  for (let i = 0; i < r.length; i += 2) for (let p = r[i]; p <= r[i + 1]; p++) yield p;
}

/** Address sets of at most this many IPv4 addresses are indexed before ports. */
const SMALL_ADDRESS_SET = 65536;

/** The protocol an `ip_proto:N` (equality) check of the rule requires, else -1. */
function ipProtoCheck(r: CompiledRule): number {
  for (const c of r.packetChecks)
    if (c.field === PacketField.IP_PROTO && c.cmp.mode === UintMode.EQ) return c.cmp.a;
  return -1;
}

/** IPv4 addresses in a {@link specific} set, or +Infinity when the set is not specific. */
function addressCount(set: CompiledRule['src']): number {
  if (!specific(set)) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let k = 0; k < set.v4.length; k += 2) n += set.v4[k + 1] - set.v4[k] + 1;
  return n;
}

/**
 * A set covering less than half of the IPv4 space and no large IPv6 part: worth an interval
 * index (IP-reputation lists, $HOME_NET), unlike `any` or `!$HOME_NET`.
 */
function specific(set: CompiledRule['src']): boolean {
  if (set.any || (set.v4.length === 0 && set.v6.length === 0)) return false;
  let n = 0;
  for (let k = 0; k < set.v4.length; k += 2) n += set.v4[k + 1] - set.v4[k] + 1;
  // !$HOME_NET-like sets hold most of the IPv6 space: a range spanning half the top word
  let bigV6 = false;
  for (let k = 0; k < set.v6.length; k += 8) if (set.v6[k + 4] - set.v6[k] >= 0x80000000) bigV6 = true;
  return n < 2 ** 31 && !bigV6;
}

/** 0 tcp, 1 udp, 2 icmp (v4 and v6), 3 other IP protocols, -1 any protocol. */
export function protoBucket(p: number): number {
  if (p < 0) return -1;
  if (p === 6) return 0;
  if (p === 17) return 1;
  if (p === 1 || p === 58) return 2;
  return 3;
}

export class RuleSet {
  /** Rules in evaluation order; `rules[i].index === i`. */
  readonly rules: CompiledRule[];
  /** Derived buffers: variant id -> base buffer + transforms (ids below BUFFER_COUNT are plain). */
  readonly variants: VariantDef[];
  /**
   * Prefilter by variant id (null when no rule has a fast pattern there): of the packet rules
   * where any packet rule has its fast pattern there, else of the transaction rules.
   */
  readonly prefilters: Array<BufferPrefilter | null>;
  /**
   * Prefilter of the transaction rules by variant id. A buffer that packet and transaction
   * rules both use (pkt_data: ET Open has 2,809 packet and 49 transaction rules there) gets
   * one prefilter per side, so a transaction does not scan for the packet rules' patterns
   * (and then skip every packet rule found); elsewhere it is the object in `prefilters`.
   */
  readonly txPrefilters: Array<BufferPrefilter | null>;
  /** Variant ids that have a prefilter and are transaction buffers / packet buffers. */
  readonly txPrefilterVariants: number[];
  readonly packetPrefilterVariants: number[];
  /** Rules without a fast pattern. */
  readonly packetNoPrefilter: HeaderIndex;
  readonly txNoPrefilter: HeaderIndex;
  readonly varNames: VarNames;
  /**
   * With the Hyperscan matcher: packet-payload prefilters by protocol and ports, used for
   * packets and stream chunks instead of the payload prefilter of every rule (null: none).
   */
  readonly payloadGroups: PayloadGroups | null;

  /**
   * `actionOrder`: Suricata's `action-order` setting (default pass, drop, reject, alert); a
   * reject* action sorts with reject. `native`: the Hyperscan matcher for the long buffers
   * (packet payload and stream, bodies), by default the addon when it is built; null for the
   * JavaScript automaton everywhere.
   */
  constructor(
    rules: CompiledRule[],
    variants: VariantDef[],
    varNames: VarNames,
    actionOrder?: readonly string[],
    native: LiteralAddon | null = literalAddon(),
  ) {
    const order = actionOrderTable(actionOrder);
    const sorted = [...rules].sort((a, b) => compareRules(a, b, order));
    sorted.forEach((r, i) => {
      r.index = i;
    });
    this.rules = sorted;
    this.variants = variants;
    this.varNames = varNames;
    const perVariant = new Map<number, FastPattern[]>();
    const perTxVariant = new Map<number, FastPattern[]>();
    const packetNo: number[] = [];
    const txNo: number[] = [];
    for (const r of sorted) {
      if (r.prefilter) {
        const pv = scanVariant(r.prefilter.variant);
        const m = r.isTx ? perTxVariant : perVariant;
        let a = m.get(pv);
        if (!a) {
          a = [];
          m.set(pv, a);
        }
        a.push(fastPatternOf(r, r.prefilter));
      } else (r.isTx ? txNo : packetNo).push(r.index);
    }
    const slots = Math.max(BUFFER_COUNT, variants.length);
    this.prefilters = new Array(slots).fill(null);
    this.txPrefilters = new Array(slots).fill(null);
    const build = (v: number, pats: FastPattern[]) =>
      new BufferPrefilter(pats, NATIVE_VARIANTS.has(v) || pats.length >= NATIVE_MIN_PATTERNS ? native : null);
    for (const [v, pats] of perVariant) this.prefilters[v] = build(v, pats);
    for (const [v, pats] of perTxVariant) {
      const pf = build(v, pats);
      this.txPrefilters[v] = pf;
      if (this.prefilters[v] === null) this.prefilters[v] = pf;
    }
    const txVariants = perTxVariant.keys();
    const pktVariants = perVariant.keys();
    this.txPrefilterVariants = [...txVariants].sort((a, b) => a - b);
    this.packetPrefilterVariants = [...pktVariants].sort((a, b) => a - b);
    const payloadRules = sorted.filter(
      (r) => r.prefilter !== null && !r.isTx && r.prefilter.variant === BufferId.PKT_DATA,
    );
    this.payloadGroups =
      native !== null && payloadRules.length > 0
        ? new PayloadGroups(payloadRules, native, this.prefilters[BufferId.PKT_DATA])
        : null;
    this.packetNoPrefilter = new HeaderIndex(sorted, packetNo);
    this.txNoPrefilter = new HeaderIndex(sorted, txNo);
  }

  get size(): number {
    return this.rules.length;
  }

  /** Finds a rule by gid:sid. */
  bySid(sid: number, gid = 1): CompiledRule | undefined {
    return this.rules.find((r) => r.sid === sid && r.gid === gid);
  }
}

/**
 * Buffers always scanned with the Hyperscan addon when it is there: the long ones (payloads,
 * stream chunks, bodies, and the HTTP head buffers of a few hundred bytes, on which the
 * JavaScript automaton spent 0.3 s of an ET Open run). A short HTTP/DNS/TLS field with few
 * patterns stays on the JavaScript automaton, which then costs less than a call into the addon.
 */
const NATIVE_VARIANTS = new Set<number>([
  BufferId.PKT_DATA,
  BufferId.FILE_DATA,
  ...['http.start', 'http.header', 'http.header.raw', 'http.header_names'].map((n) => bufferIdByName(n)!),
]);
/**
 * Other buffers go to Hyperscan when they have this many fast patterns: their automata grow
 * past the dense 16-bit layout (tens of thousands of states) and a scan costs more than the
 * call into the addon.
 */
const NATIVE_MIN_PATTERNS = 256;

/** Suricata's signature ordering: action, flowbits, flowint, xbits (setters first), priority, sid. */
export function compareRules(
  a: CompiledRule,
  b: CompiledRule,
  order: Record<RuleAction, number> = ACTION_ORDER,
): number {
  return (
    order[a.action] - order[b.action] ||
    b.flowbitsType - a.flowbitsType ||
    b.flowintType - a.flowintType ||
    b.xbitsType - a.xbitsType ||
    a.priority - b.priority ||
    a.sid - b.sid
  );
}

/**
 * The variant whose automaton holds a fast pattern of variant `v`. The HTTP parser sets
 * file.data to the very bytes of http.request_body (to server) and http.response_body (to
 * client), so their plain patterns join file.data's automaton and each body is scanned once,
 * not twice. A pattern of one seen on the other side only adds a candidate that full
 * evaluation then rejects: the prefilter may over-select, never miss.
 */
function scanVariant(v: number): number {
  return v === BufferId.HTTP_REQUEST_BODY || v === BufferId.HTTP_RESPONSE_BODY ? BufferId.FILE_DATA : v;
}
