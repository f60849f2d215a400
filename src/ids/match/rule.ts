/**
 * A compiled rule: everything the detector needs, in the order it checks it (cheapest first):
 * protocol, ports, addresses, flow state, packet header fields, flowbits conditions, then the
 * buffer lists. Produced by `src/ids/rules/compile.ts`; read-only afterwards.
 */
import type { XbitTrack } from './flow-vars.js';
import type { IpSet } from './ip-set.js';
import type { Op } from './ops.js';
import type { PortSet } from './port-set.js';
import type { ThresholdSpec } from './threshold.js';
import type { TransformName } from './transforms.js';
import type { UintCompare } from './uint.js';

export type RuleAction = 'alert' | 'drop' | 'pass' | 'reject' | 'rejectsrc' | 'rejectdst' | 'rejectboth';

/** Which payload a rule's pkt_data list reads. */
export const PayloadMode = {
  /** Packet payload and reassembled stream (Suricata's default for TCP). */
  BOTH: 0,
  /** Packet payload only (tcp-pkt, flow:no_stream, dsize). */
  PACKET: 1,
  /** Reassembled stream only (tcp-stream, flow:only_stream). */
  STREAM: 2,
} as const;

/** One buffer list: the ops run over one (possibly transformed) buffer. */
export interface BufferList {
  /** Buffer id (see buffers.ts). */
  readonly buffer: number;
  readonly transforms: readonly TransformName[];
  /**
   * Id of the derived buffer (buffer + transform chain). Equal to `buffer` without transforms;
   * above BUFFER_COUNT otherwise, one id per distinct chain in the rule set.
   */
  readonly variant: number;
  /** Side to read: true request, false response, null the side of the packet being inspected. */
  readonly toServer: boolean | null;
  readonly ops: readonly Op[];
}

/** Header-field checks done per packet. */
export const PacketField = {
  TTL: 0,
  ITYPE: 1,
  ICODE: 2,
  ICMP_ID: 3,
  ICMP_SEQ: 4,
  IP_PROTO: 5,
  DSIZE: 6,
  IP_ID: 7,
  TCP_SEQ: 8,
  TCP_ACK: 9,
  TCP_WINDOW: 10,
  TCP_MSS: 11,
  TOS: 12,
  FRAGOFFSET: 13,
} as const;

export interface PacketCheck {
  field: number;
  cmp: UintCompare;
}

/** flags: / fragbits: — bits that must be set exactly, plus any, or not. */
export interface BitsCheck {
  /** 0 exact (after ignoring `ignore` bits), 1 `+` these plus any others, 2 `*` any of these, 3 `!` none of these. */
  mode: 0 | 1 | 2 | 3;
  bits: number;
  ignore: number;
}

export interface FlowCheck {
  toServer: boolean;
  toClient: boolean;
  established: boolean;
  notEstablished: boolean;
  /** Requires a flow (stateless: any flow). */
  needsFlow: boolean;
}

export interface FlowbitCondition {
  /** isset / isnotset; with several ids: OR (`a|b`), or AND (`a&b`) when `all`. */
  cmd: 'isset' | 'isnotset';
  ids: number[];
  all: boolean;
}

export interface FlowbitAction {
  cmd: 'set' | 'unset' | 'toggle';
  ids: number[];
}

export interface FlowintOp {
  id: number;
  /** Comparisons are conditions; '=', '+', '-' are post-match actions. */
  op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'isset' | 'notset' | '=' | '+' | '-';
  value: number;
  /** When the operand is another flowint. */
  valueId: number;
}

export interface XbitOp {
  cmd: 'set' | 'unset' | 'toggle' | 'isset' | 'isnotset';
  id: number;
  track: XbitTrack;
  expire: number;
}

export interface StreamSizeCheck {
  side: 'server' | 'client' | 'both' | 'either';
  cmp: UintCompare;
}

export interface AppProtoCheck {
  /** Protocol names; `failed`/`unknown` match those states. */
  names: string[];
  negated: boolean;
}

export interface CompiledRule {
  /** Position in the rule set's evaluation order. */
  index: number;
  action: RuleAction;
  gid: number;
  sid: number;
  rev: number;
  msg: string;
  classtype: string | null;
  /** Description of the classtype (EVE `alert.category`), or '' when none. */
  category: string;
  /** priority keyword, else the classtype's priority, else 3 (EVE `alert.severity`). */
  priority: number;
  metadata: Record<string, string[]>;
  references: Array<{ system: string; id: string; url: string | null }>;
  /** target keyword: which side is the target (EVE alert.source/target). */
  target: 'src_ip' | 'dest_ip' | null;

  /** IP protocol number required (-1 any). */
  ipProto: number;
  /** Also matches this IP protocol (icmp rules accept 1 and 58), -1 none. */
  ipProtoAlt: number;
  /** Application protocol from the rule header (`alert http`), or null. */
  appProto: string | null;
  src: IpSet;
  dst: IpSet;
  srcPorts: PortSet;
  dstPorts: PortSet;
  /** `<>`: the rule also matches with source and destination swapped. */
  bidirectional: boolean;

  flow: FlowCheck | null;
  payloadMode: number;
  packetChecks: PacketCheck[];
  tcpFlags: BitsCheck | null;
  fragbits: BitsCheck | null;
  /** ipopts: bit of the IP option required (see DetectInput.ipOpts), 0 none. */
  ipOpts: number;
  sameip: boolean;
  streamSize: StreamSizeCheck[];
  appLayerProtocol: AppProtoCheck[];
  /** tls.version values accepted (0x0303...), empty = no check. */
  tlsVersions: number[];

  flowbitConditions: FlowbitCondition[];
  flowbitActions: FlowbitAction[];
  flowints: FlowintOp[];
  xbits: XbitOp[];
  noalert: boolean;

  lists: BufferList[];
  /** True when the rule reads transaction buffers (evaluated on transaction inputs). */
  isTx: boolean;
  /**
   * Its drop/pass applies to the whole flow (Suricata's action scope): IP-only rules (header,
   * flow and flowbits keywords only) and application-layer rules; packet rules act per packet.
   */
  flowScope: boolean;
  /** Direction the rule inspects: 0 either, 1 toserver, 2 toclient. */
  direction: number;

  threshold: ThresholdSpec | null;
  detectionFilter: ThresholdSpec | null;

  /**
   * Fast pattern: registered in the prefilter of `variant`; null when the rule has none.
   * `offset` and `depth` (absolute end, 0: none) are the window its content must match in,
   * when that window is fixed (no relative modifier, no variable).
   */
  prefilter: { variant: number; bytes: Uint8Array; nocase: boolean; offset: number; depth: number } | null;

  /** Ordering classes (Suricata's sig ordering): flowbits 4 set .. 1 unused. */
  flowbitsType: number;
  flowintType: number;
  xbitsType: number;

  /** Where it came from. */
  file: string;
  line: number;
  text: string;
}
