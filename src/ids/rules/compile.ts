/**
 * Turns a parsed rule (RuleBuilder) into a CompiledRule: content modifiers resolved into
 * absolute or relative windows, "retry the previous match" flags set where a later keyword
 * depends on the previous match position, buffer sides and the rule's direction decided, and
 * the fast pattern chosen.
 */
import { BUFFER_COUNT, BUFFERS, BufferId } from '../match/buffers.js';
import { ContentOp, isRelativeOp, type Op, OpKind, PcreOp, setsOffset } from '../match/ops.js';
import type { BufferList, CompiledRule } from '../match/rule.js';
import { PayloadMode } from '../match/rule.js';
import type { VariantDef } from '../match/ruleset.js';
import { makeSearchPattern } from '../match/search.js';
import {
  type ContentDraft,
  type Draft,
  type ListDraft,
  type RuleBuilder,
  syntax,
  unsupported,
} from './builder.js';
import type { Classification } from './classification.js';

/** Interns buffer + transform chains into variant ids shared by the whole rule set. */
export class VariantRegistry {
  readonly variants: VariantDef[] = [];
  private readonly ids = new Map<string, number>();

  constructor() {
    for (let i = 0; i < BUFFER_COUNT; i++) this.variants.push({ buffer: i, transforms: [] });
  }

  id(l: ListDraft): number {
    if (l.transforms.length === 0) return l.buffer;
    const key = l.buffer + '|' + l.transforms.join(',');
    let v = this.ids.get(key);
    if (v === undefined) {
      v = this.variants.length;
      this.variants.push({ buffer: l.buffer, transforms: [...l.transforms] });
      this.ids.set(key, v);
    }
    return v;
  }
}

function isPacketBuffer(buffer: number): boolean {
  return BUFFERS[buffer].appProto === null && buffer !== BufferId.FILE_DATA;
}

function compileContent(d: ContentDraft): ContentOp {
  let offset = d.offset?.value ?? 0;
  let depth = d.depth?.value ?? 0;
  if (d.startsWith) {
    offset = 0;
    depth = d.bytes.length;
  } else if (d.depth && d.depth.varIndex < 0 && (!d.offset || d.offset.varIndex < 0)) {
    // depth counts from offset: keep the absolute end, as Suricata does when parsing
    depth = depth + offset;
  }
  return new ContentOp(
    makeSearchPattern(d.bytes, d.nocase),
    d.negated,
    offset,
    depth,
    d.distance?.value ?? 0,
    d.within?.value ?? 0,
    d.distance !== null,
    d.within !== null,
    d.endsWith,
    d.offset?.varIndex ?? -1,
    d.depth?.varIndex ?? -1,
    d.distance?.varIndex ?? -1,
    d.within?.varIndex ?? -1,
  );
}

/**
 * The absolute window `[offset, depth)` the fast pattern's bytes must lie in, as full
 * evaluation applies it (see compileContent); [0, 0] when it has none or it depends on an
 * earlier match (distance, within) or a variable.
 */
function fastPatternWindow(d: ContentDraft): [number, number] {
  if (d.distance !== null || d.within !== null) return [0, 0];
  let offset: number;
  let depth: number;
  if (d.startsWith) {
    offset = 0;
    depth = d.bytes.length;
  } else {
    if (d.depth === null || d.depth.varIndex >= 0 || (d.offset !== null && d.offset.varIndex >= 0))
      return [0, 0];
    offset = d.offset?.value ?? 0;
    depth = offset + d.depth.value;
  }
  if (d.fpChop) {
    // the chopped bytes sit fpChop[0] bytes into the content
    const [at, n] = d.fpChop;
    offset += at;
    depth -= d.bytes.length - at - n;
  }
  return depth > offset ? [offset, depth] : [0, 0];
}

function compileOps(items: Draft[]): Op[] {
  const ops: Op[] = items.map((d) => {
    if (d.kind === 'content') return compileContent(d);
    if (d.kind === 'pcre') return new PcreOp(d.regex, d.negated, d.relative, d.source);
    return d.op;
  });
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const next = ops[i + 1];
    if (op.kind === OpKind.CONTENT || op.kind === OpKind.PCRE) {
      if (next !== undefined && isRelativeOp(next)) {
        // a relative content with distance but no within only shrinks as the anchor moves on:
        // retrying cannot help it (Suricata sets no WITHIN_NEXT for it)
        op.retryNext = !(next.kind === OpKind.CONTENT && !next.hasWithin);
      }
      if (op.kind === OpKind.PCRE) {
        for (let j = i + 1; j < ops.length; j++) {
          if (isRelativeOp(ops[j])) {
            op.needsPosition = true;
            break;
          }
          if (setsOffset(ops[j])) break;
        }
      }
    }
    if (op.kind === OpKind.BASE64_DECODE && i !== ops.length - 1)
      throw unsupported('base64_decode', 'keywords after base64_decode outside base64_data');
  }
  return ops;
}

export interface CompileContext {
  classifications: Map<string, Classification>;
  variants: VariantRegistry;
}

/** Builds the CompiledRule; `header` fields were set on the builder by the header parser. */
export function compileRule(
  b: RuleBuilder,
  header: Pick<CompiledRule, 'src' | 'dst' | 'srcPorts' | 'dstPorts' | 'bidirectional'>,
  ctx: CompileContext,
  where: { file: string; line: number; text: string },
): CompiledRule {
  if (b.sid < 0) throw syntax('sid', 'rule has no sid');
  // transforms with nothing to transform are pointless but harmless; empty lists are dropped
  const lists = b.lists.filter((l) => l.items.length > 0);
  const direction = b.flow?.toServer ? 1 : b.flow?.toClient ? 2 : 0;
  let inferred = direction;
  let isTx = false;
  let hasPacketList = false;
  let appProto = b.appProto;
  for (const l of lists) {
    const def = BUFFERS[l.buffer];
    if (isPacketBuffer(l.buffer)) {
      hasPacketList = true;
      continue;
    }
    isTx = true;
    if (def.appProto !== null) {
      if (appProto !== null && appProto !== def.appProto)
        throw syntax(def.name, `${def.name} cannot be used in a ${appProto} rule`);
      appProto = def.appProto;
    }
    if (direction === 0) {
      if (def.dir === 'toclient') inferred = 2;
      else if (def.dir === 'toserver' && inferred === 0) inferred = 1;
    } else if (direction === 1 && def.dir === 'toclient') {
      throw syntax(def.name, `${def.name} is a response buffer but the rule inspects to_server`);
    }
  }
  // a transaction rule may also inspect pkt_data: the engine then provides the raw stream of the current direction
  void hasPacketList;
  if (isTx && b.payloadMode !== PayloadMode.BOTH)
    throw unsupported('flow', 'only_stream/no_stream on an application-layer buffer rule');
  const compiled: BufferList[] = lists.map((l) => {
    const ops = compileOps(l.items);
    if (l.b64 !== null) l.b64.data = compileOps(l.b64Items);
    const def = BUFFERS[l.buffer];
    let toServer: boolean | null = null;
    if (def.dir === 'toserver') toServer = true;
    else if (def.dir === 'toclient') toServer = false;
    else if (!isPacketBuffer(l.buffer) && direction !== 0) toServer = direction === 1;
    return { buffer: l.buffer, transforms: l.transforms, variant: ctx.variants.id(l), toServer, ops };
  });
  // fast pattern: the explicit one, else the longest positive content (chop applied)
  let best: ContentDraft | null = null;
  let bestLen = -1;
  let explicit = false;
  for (const l of lists) {
    for (const d of l.items) {
      if (d.kind !== 'content' || d.negated) continue;
      const len = d.fpChop ? d.fpChop[1] : d.bytes.length;
      if (d.fastPattern) {
        if (explicit) throw syntax('fast_pattern', 'fast_pattern given on two contents');
        explicit = true;
        best = d;
        bestLen = len;
        continue;
      }
      if (!explicit && len > bestLen) {
        best = d;
        bestLen = len;
      }
    }
  }
  let prefilter: CompiledRule['prefilter'] = null;
  if (best !== null) {
    const bytes = best.fpChop
      ? best.bytes.subarray(best.fpChop[0], best.fpChop[0] + best.fpChop[1])
      : best.bytes;
    const [offset, depth] = fastPatternWindow(best);
    prefilter = {
      variant: ctx.variants.id(best.list),
      bytes: Uint8Array.from(bytes),
      nocase: best.nocase,
      offset,
      depth,
    };
  }
  const cls = b.classtype ? ctx.classifications.get(b.classtype.toLowerCase()) : undefined;
  let payloadMode = b.payloadMode;
  if (b.headerProto === 'tcp-pkt') payloadMode = PayloadMode.PACKET;
  if (b.headerProto === 'tcp-stream') payloadMode = PayloadMode.STREAM;
  if (b.hasDsize && payloadMode === PayloadMode.BOTH) payloadMode = PayloadMode.PACKET;
  const rw = (read: number, write: number) => (read && write ? 3 : write ? 4 : read ? 2 : 1);
  const fbRead = b.flowbitConditions.length;
  const fbWrite = b.flowbitActions.length;
  const fiRead = b.flowints.filter((f) => !['=', '+', '-'].includes(f.op)).length;
  const fiWrite = b.flowints.length - fiRead;
  const xbRead = b.xbits.filter((x) => x.cmd === 'isset' || x.cmd === 'isnotset').length;
  const xbWrite = b.xbits.length - xbRead;
  return {
    index: 0,
    action: b.action,
    gid: b.gid,
    sid: b.sid,
    rev: b.rev,
    msg: b.msg,
    classtype: b.classtype,
    category: cls?.description ?? '',
    priority: b.priority > 0 ? b.priority : (cls?.priority ?? 3),
    metadata: b.metadata,
    references: b.references.map((r) => ({ ...r, url: null })),
    target: b.target,
    ipProto: b.ipProto,
    ipProtoAlt: b.ipProtoAlt,
    appProto,
    ...header,
    flow: b.flow,
    payloadMode,
    packetChecks: b.packetChecks,
    tcpFlags: b.tcpFlags,
    fragbits: b.fragbits,
    ipOpts: b.ipOpts,
    sameip: b.sameip,
    streamSize: b.streamSize,
    appLayerProtocol: b.appLayerProtocol,
    tlsVersions: b.tlsVersions,
    flowbitConditions: b.flowbitConditions,
    flowbitActions: b.flowbitActions,
    flowints: b.flowints,
    xbits: b.xbits,
    noalert: b.noalert,
    lists: compiled,
    isTx,
    flowScope:
      isTx ||
      // an app-layer rule applies its action to the flow, unless it checks packet
      // properties (dsize, ttl...: bug-5578)
      (appProto !== null && b.packetChecks.length === 0 && b.tcpFlags === null) ||
      // IP-only (Suricata's SignatureIsIPOnly): no flow direction or state, no packet checks
      (compiled.length === 0 &&
        direction === 0 &&
        !(b.flow?.established || b.flow?.notEstablished) &&
        b.packetChecks.length === 0 &&
        b.tcpFlags === null &&
        b.fragbits === null &&
        b.ipOpts === 0 &&
        !b.sameip &&
        b.streamSize.length === 0 &&
        b.tlsVersions.length === 0),
    direction: isTx ? inferred : direction,
    threshold: b.threshold,
    detectionFilter: b.detectionFilter,
    prefilter,
    flowbitsType: rw(fbRead, fbWrite),
    flowintType: rw(fiRead, fiWrite),
    xbitsType: rw(xbRead, xbWrite),
    file: where.file,
    line: where.line,
    text: where.text,
  };
}
