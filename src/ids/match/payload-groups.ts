/**
 * Packet-payload prefilters split by IP protocol and ports, a simplified form of Suricata's
 * signature group heads: a UDP datagram is not scanned for the fast patterns of TCP rules, nor
 * a flow on port 443 for rules that only apply to port 80. Fewer patterns make each scan
 * cheaper (Hyperscan's speed falls with the number of literals) and give fewer candidates.
 *
 * Ports fall into classes: two ports are in the same class when every rule port list holds
 * both or neither, so a (protocol, source class, destination class) key decides exactly which
 * rules' headers can match. Building a Hyperscan database costs milliseconds, and traffic
 * meets many such keys, so a key gets its own prefilter only once it has been scanned often
 * ({@link HEAVY_SCANS}); until then it uses its protocol's prefilter (the rules of that
 * protocol, any ports). Keys whose rule lists are equal share one prefilter.
 *
 * A rule left out of a group is one whose protocol or ports cannot match the input, which
 * full evaluation ({@link Detector.matchRule}) would reject anyway: the matches are the same.
 */
import type { LiteralAddon } from '../prefilter/native.js';
import { BufferPrefilter, type FastPattern } from '../prefilter/prefilter.js';
import type { CompiledRule } from './rule.js';

/** Scans of one key before it gets a prefilter of its own. */
export const HEAVY_SCANS = 16384;

export class PayloadGroups {
  /** Non-transaction rules whose fast pattern is in the plain packet payload. */
  private readonly rules: readonly CompiledRule[];
  private readonly native: LiteralAddon | null;
  /** Port -> class; classRep[c] is one port of class c. */
  private readonly portClass: Uint16Array;
  private readonly classRep: number[] = [];
  /** Per (protocol, source class, destination class) key: scans so far, prefilter id + 1 (0: none yet). */
  private readonly keyScans: Uint32Array;
  private readonly keyPf: Int32Array;
  private readonly built: BufferPrefilter[] = [];
  private readonly byProto: Array<BufferPrefilter | undefined> = [];
  private readonly byMembers = new Map<string, BufferPrefilter>();
  private readonly heavyScans: number;

  /** A group holding at least this share of the rules uses the full prefilter instead. */
  private static readonly REUSE_FULL = 0.8;
  private readonly full: BufferPrefilter | null;

  /**
   * `full`: the payload prefilter of every rule, used for groups holding nearly all of them
   * (a database less to build); `heavyScans`: see {@link HEAVY_SCANS} (tests lower it).
   */
  constructor(
    rules: readonly CompiledRule[],
    native: LiteralAddon | null,
    full: BufferPrefilter | null = null,
    heavyScans = HEAVY_SCANS,
  ) {
    this.rules = rules;
    this.full = full;
    this.native = native;
    this.heavyScans = heavyScans;
    this.portClass = new Uint16Array(65536);
    // every port list, once; their range bounds cut the port space into intervals
    const lists = new Map<string, CompiledRule['srcPorts']>();
    for (const r of rules)
      for (const ps of [r.srcPorts, r.dstPorts]) if (!ps.any) lists.set(ps.ranges.join(','), ps);
    const cuts = new Set<number>([0]);
    for (const ps of lists.values())
      for (let k = 0; k < ps.ranges.length; k += 2) {
        cuts.add(ps.ranges[k]);
        if (ps.ranges[k + 1] < 65535) cuts.add(ps.ranges[k + 1] + 1);
      }
    const starts = [...cuts].sort((a, b) => a - b);
    const sets = [...lists.values()];
    const classOf = new Map<string, number>();
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i];
      const to = i + 1 < starts.length ? starts[i + 1] : 65536;
      let sig = '';
      for (const ps of sets) sig += ps.has(from) ? '1' : '0';
      let c = classOf.get(sig);
      if (c === undefined) {
        c = this.classRep.length;
        classOf.set(sig, c);
        this.classRep.push(from);
      }
      this.portClass.fill(c, from, to);
    }
    const n = this.classRep.length;
    this.keyScans = new Uint32Array(3 * n * n);
    this.keyPf = new Int32Array(3 * n * n);
  }

  /** Number of port classes (for statistics and tests). */
  get classCount(): number {
    return this.classRep.length;
  }

  /** The class of a port (for tests). */
  classOf(port: number): number {
    return this.portClass[port];
  }

  /** Prefilters built so far (protocol and port groups with distinct rule lists). */
  get prefilterCount(): number {
    return this.byMembers.size;
  }

  /** The prefilter for a packet or stream chunk of this protocol and ports (as oriented in the input). */
  get(ipProto: number, srcPort: number, dstPort: number): BufferPrefilter {
    const p = ipProto === 6 ? 0 : ipProto === 17 ? 1 : ipProto === 132 ? 2 : -1;
    if (p < 0) return this.protoGroup(ipProto);
    const n = this.classRep.length;
    const key = (p * n + this.portClass[srcPort]) * n + this.portClass[dstPort];
    const id = this.keyPf[key];
    if (id > 0) return this.built[id - 1];
    if (++this.keyScans[key] < this.heavyScans) return this.protoGroup(ipProto);
    return this.buildKey(key, ipProto, srcPort, dstPort);
  }

  /**
   * A key's own prefilter. Apart from get(): a closure over get()'s parameters made V8
   * allocate their context on every call of get() (170 MB per ET Open run on the bench mix).
   */
  private buildKey(key: number, ipProto: number, srcPort: number, dstPort: number): BufferPrefilter {
    this.built.push(this.build((r) => applies(r, ipProto, srcPort, dstPort)));
    this.keyPf[key] = this.built.length;
    return this.built[this.built.length - 1];
  }

  private protoGroup(ipProto: number): BufferPrefilter {
    let pf = this.byProto[ipProto];
    if (pf === undefined) {
      pf = this.build((r) => r.ipProto < 0 || r.ipProto === ipProto || r.ipProtoAlt === ipProto);
      this.byProto[ipProto] = pf;
    }
    return pf;
  }

  private build(keep: (r: CompiledRule) => boolean): BufferPrefilter {
    const pats: FastPattern[] = [];
    const members: number[] = [];
    for (const r of this.rules) {
      if (r.prefilter === null || !keep(r)) continue;
      members.push(r.index);
      pats.push(fastPatternOf(r, r.prefilter));
    }
    if (this.full !== null && members.length >= PayloadGroups.REUSE_FULL * this.rules.length)
      return this.full;
    const id = members.join(',');
    let pf = this.byMembers.get(id);
    if (pf === undefined) {
      pf = new BufferPrefilter(pats, this.native);
      this.byMembers.set(id, pf);
    }
    return pf;
  }
}

/** The protocol and port part of {@link Detector}'s header check. */
function applies(r: CompiledRule, ipProto: number, sp: number, dp: number): boolean {
  if (r.ipProto >= 0 && ipProto !== r.ipProto && ipProto !== r.ipProtoAlt) return false;
  if (r.srcPorts.has(sp) && r.dstPorts.has(dp)) return true;
  return r.bidirectional && r.srcPorts.has(dp) && r.dstPorts.has(sp);
}

/** The prefilter's input for rule `r`'s fast pattern `fp` (its `prefilter`). */
export function fastPatternOf(r: CompiledRule, fp: NonNullable<CompiledRule['prefilter']>): FastPattern {
  return { rule: r.index, bytes: fp.bytes, nocase: fp.nocase, offset: fp.offset, depth: fp.depth };
}
