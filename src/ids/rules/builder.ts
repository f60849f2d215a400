/**
 * The state of one rule while its options are read in order: the buffer lists being filled
 * (sticky buffers switch the current list; legacy content modifiers move the last content),
 * the last content (which modifiers like nocase or depth apply to), and everything else the
 * keywords set. compile.ts turns a finished builder into a CompiledRule.
 */
import { BUFFERS, BufferId } from '../match/buffers.js';
import type { Base64DecodeOp, Op } from '../match/ops.js';
import type {
  AppProtoCheck,
  BitsCheck,
  FlowbitAction,
  FlowbitCondition,
  FlowCheck,
  FlowintOp,
  PacketCheck,
  RuleAction,
  StreamSizeCheck,
  XbitOp,
} from '../match/rule.js';
import type { ThresholdSpec } from '../match/threshold.js';
import type { TransformName } from '../match/transforms.js';

/** Why a rule was left out: malformed (`syntax`) or using something Sentra does not implement. */
export class RuleProblem extends Error {
  constructor(
    readonly kind: 'syntax' | 'unsupported',
    /** Keyword (or header part) at fault. */
    readonly keyword: string,
    message: string,
  ) {
    super(message);
  }
}

export const syntax = (keyword: string, msg: string) => new RuleProblem('syntax', keyword, msg);
export const unsupported = (keyword: string, msg: string) => new RuleProblem('unsupported', keyword, msg);

/** A numeric content modifier value: a constant or a byte_extract variable. */
export type NumRef = { value: number; varIndex: number };

export interface ContentDraft {
  kind: 'content';
  bytes: Uint8Array;
  negated: boolean;
  nocase: boolean;
  offset: NumRef | null;
  depth: NumRef | null;
  distance: NumRef | null;
  within: NumRef | null;
  startsWith: boolean;
  endsWith: boolean;
  fastPattern: boolean;
  /** fast_pattern:offset,length */
  fpChop: [number, number] | null;
  list: ListDraft;
}

export interface PcreDraft {
  kind: 'pcre';
  regex: RegExp;
  negated: boolean;
  relative: boolean;
  source: string;
}

export interface OpDraft {
  kind: 'op';
  op: Op;
}

export type Draft = ContentDraft | PcreDraft | OpDraft;

export interface ListDraft {
  buffer: number;
  transforms: TransformName[];
  items: Draft[];
  /** base64_decode seen in this list: later ops go to its data list after base64_data. */
  b64: Base64DecodeOp | null;
  /** The list that ops go to after base64_data (the decoded buffer). */
  inB64Data: boolean;
  b64Items: Draft[];
}

export class RuleBuilder {
  action: RuleAction = 'alert';
  ipProto = -1;
  ipProtoAlt = -1;
  appProto: string | null = null;
  payloadMode = 0;
  headerProto = '';

  msg = '';
  sid = -1;
  rev = 0;
  gid = 1;
  classtype: string | null = null;
  priority = -1;
  metadata: Record<string, string[]> = {};
  references: Array<{ system: string; id: string }> = [];
  target: 'src_ip' | 'dest_ip' | null = null;

  readonly lists: ListDraft[] = [];
  /** The list new payload keywords go to (null: pkt_data, created on first use). */
  private current: ListDraft | null = null;
  lastContent: ContentDraft | null = null;
  /** Last content or pcre, for relative keywords. */
  lastPm: Draft | null = null;

  flow: FlowCheck | null = null;
  packetChecks: PacketCheck[] = [];
  tcpFlags: BitsCheck | null = null;
  fragbits: BitsCheck | null = null;
  ipOpts = 0;
  sameip = false;
  streamSize: StreamSizeCheck[] = [];
  appLayerProtocol: AppProtoCheck[] = [];
  tlsVersions: number[] = [];
  flowbitConditions: FlowbitCondition[] = [];
  flowbitActions: FlowbitAction[] = [];
  flowints: FlowintOp[] = [];
  xbits: XbitOp[] = [];
  noalert = false;
  threshold: ThresholdSpec | null = null;
  detectionFilter: ThresholdSpec | null = null;
  hasDsize = false;
  /** byte_extract variables: name -> slot and the list that defined it. */
  readonly byteVars = new Map<string, { index: number; list: ListDraft }>();
  /** Keywords seen, for duplicate checks. */
  readonly seen = new Set<string>();

  constructor(
    /** Interns flowbit/flowint/xbit names. */
    readonly intern: (name: string) => number,
  ) {}

  private newList(buffer: number): ListDraft {
    const l: ListDraft = { buffer, transforms: [], items: [], b64: null, inB64Data: false, b64Items: [] };
    this.lists.push(l);
    return l;
  }

  /** The list for `buffer`: the existing one, or a new one (multi buffers always get a new one). */
  listFor(buffer: number, fresh = false): ListDraft {
    if (!fresh || !BUFFERS[buffer].multi) {
      for (const l of this.lists) if (l.buffer === buffer) return l;
    }
    return this.newList(buffer);
  }

  /** Makes `buffer` the sticky buffer: following payload keywords go to its list. */
  setSticky(buffer: number): void {
    this.current = this.listFor(buffer, true);
  }

  /** The list payload keywords currently go to. */
  currentList(): ListDraft {
    if (this.current === null) this.current = this.listFor(BufferId.PKT_DATA);
    return this.current;
  }

  hasSticky(): boolean {
    return this.current !== null && this.current.buffer !== BufferId.PKT_DATA;
  }

  /**
   * The list a relative keyword (isdataat / byte_* with `relative`) goes to: with no sticky
   * buffer, that of the previous content when a legacy modifier (http_uri, uricontent...) moved
   * it to another buffer, as Suricata attaches it to the last content's list.
   */
  relativeList(): ListDraft {
    const pm = this.lastPm;
    if (!this.hasSticky() && pm !== null && pm.kind === 'content' && pm.list.buffer !== BufferId.PKT_DATA)
      return pm.list;
    return this.currentList();
  }

  /** Appends a draft to the current list (or to its base64_data list). */
  push(d: Draft, list?: ListDraft): ListDraft {
    const l = list ?? this.currentList();
    if (l.inB64Data) l.b64Items.push(d);
    else {
      if (l.b64 !== null)
        throw unsupported('base64_decode', 'keywords between base64_decode and base64_data');
      l.items.push(d);
    }
    if (d.kind === 'content') this.lastContent = d;
    if (d.kind === 'content' || d.kind === 'pcre') this.lastPm = d;
    return l;
  }

  /** Moves `d` (the last content) to `buffer`'s list: legacy modifiers like http_uri. */
  moveContent(d: ContentDraft, buffer: number, keyword: string): void {
    if (this.hasSticky())
      throw syntax(
        keyword,
        `${keyword} cannot follow a sticky buffer (${BUFFERS[this.current!.buffer].name})`,
      );
    const from = d.list;
    if (from.buffer === buffer) return;
    if (from.buffer !== BufferId.PKT_DATA)
      throw syntax(keyword, `content already belongs to ${BUFFERS[from.buffer].name}`);
    const at = from.items.indexOf(d);
    if (at < 0) throw syntax(keyword, 'content modifier must follow its content');
    from.items.splice(at, 1);
    const to = this.listFor(buffer);
    to.items.push(d);
    d.list = to;
    if (from.items.length === 0 && from.b64 === null) {
      this.lists.splice(this.lists.indexOf(from), 1);
      if (this.current === from) this.current = null;
    }
  }

  /** The content a modifier applies to. */
  requireContent(keyword: string): ContentDraft {
    if (this.lastContent === null) throw syntax(keyword, `${keyword} needs a preceding content`);
    return this.lastContent;
  }

  /** Resolves a number or a byte_extract variable name used by `keyword`. */
  numRef(keyword: string, s: string, min: number, max: number, list: ListDraft = this.currentList()): NumRef {
    const t = s.trim();
    if (/^-?\d+$/.test(t)) {
      const v = Number(t);
      if (v < min || v > max) throw syntax(keyword, `${keyword} value ${v} is out of range ${min}..${max}`);
      return { value: v, varIndex: -1 };
    }
    const bv = this.byteVars.get(t);
    if (!bv) throw syntax(keyword, `"${t}" is neither a number nor a byte_extract variable`);
    // a variable from another buffer works when that buffer's list is evaluated first (lists run in rule order)
    void list;
    return { value: 0, varIndex: bv.index };
  }
}
