/**
 * Compiled detection operations: what one buffer list of a rule runs, in order. Each op is a
 * small class with a numeric `kind`; the inspector switches on it. Numeric parameters that can
 * come from a byte_extract variable carry the variable's slot in `*Var` (-1 when constant).
 */
import type { SearchPattern } from './search.js';
import type { UintCompare } from './uint.js';

export const OpKind = {
  CONTENT: 1,
  PCRE: 2,
  BYTE_TEST: 3,
  BYTE_JUMP: 4,
  BYTE_EXTRACT: 5,
  ISDATAAT: 6,
  /** bsize and urilen: a comparison on the buffer length. */
  LENGTH: 7,
  BASE64_DECODE: 8,
} as const;

/** content, with all its modifiers resolved. */
export class ContentOp {
  readonly kind = OpKind.CONTENT;
  constructor(
    readonly pattern: SearchPattern,
    readonly negated: boolean,
    /** Absolute window: start searching at `offset`, stop at `depth` bytes (0 = no depth). */
    readonly offset: number,
    readonly depth: number,
    /** Relative window: from the previous match end + distance, at most `within` bytes. */
    readonly distance: number,
    readonly within: number,
    readonly hasDistance: boolean,
    readonly hasWithin: boolean,
    readonly endsWith: boolean,
    readonly offsetVar: number,
    readonly depthVar: number,
    readonly distanceVar: number,
    readonly withinVar: number,
  ) {}
  /** Set when compiling: the next op depends on where this one matched, so on failure try the next occurrence. */
  retryNext = false;

  get relative(): boolean {
    return this.hasDistance || this.hasWithin;
  }
}

/** pcre, translated to a JS RegExp (flags include `g` so that lastIndex sets the start). */
export class PcreOp {
  readonly kind = OpKind.PCRE;
  constructor(
    readonly regex: RegExp,
    readonly negated: boolean,
    readonly relative: boolean,
    /** The source text as written in the rule, for messages. */
    readonly source: string,
  ) {}
  retryNext = false;
  /** A later op reads the offset this one sets: run exec() rather than test(). */
  needsPosition = false;
}

export const ByteOperator = {
  EQ: 0,
  LT: 1,
  GT: 2,
  /** Bitwise AND non-zero. */
  AND: 3,
  /** Bitwise XOR non-zero (Suricata calls it "OR" internally; the rule operator is `^`). */
  XOR: 4,
  GE: 5,
  LE: 6,
} as const;

export type ByteOperatorValue = (typeof ByteOperator)[keyof typeof ByteOperator];

/** How a byte field is read. */
export interface ByteFormat {
  nbytes: number;
  /** byte_extract variable holding the number of bytes (-1: use `nbytes`). */
  nbytesVar: number;
  little: boolean;
  /** Parse as a numeric string instead of binary. */
  string: boolean;
  /** 8, 10 or 16 when `string`. */
  base: number;
  /** Bitmask applied after reading (0 = none); the value is then shifted right by `shift`. */
  bitmask: number;
  shift: number;
}

export class ByteTestOp {
  readonly kind = OpKind.BYTE_TEST;
  constructor(
    readonly fmt: ByteFormat,
    readonly op: ByteOperatorValue,
    readonly negated: boolean,
    readonly value: number,
    readonly valueBig: bigint,
    readonly valueVar: number,
    readonly offset: number,
    readonly offsetVar: number,
    readonly relative: boolean,
  ) {}
}

export class ByteJumpOp {
  readonly kind = OpKind.BYTE_JUMP;
  constructor(
    readonly fmt: ByteFormat,
    readonly offset: number,
    readonly offsetVar: number,
    readonly relative: boolean,
    readonly multiplier: number,
    readonly align: boolean,
    readonly fromBeginning: boolean,
    readonly fromEnd: boolean,
    readonly postOffset: number,
  ) {}
}

export class ByteExtractOp {
  readonly kind = OpKind.BYTE_EXTRACT;
  constructor(
    readonly fmt: ByteFormat,
    readonly offset: number,
    readonly relative: boolean,
    readonly multiplier: number,
    /** 0 (none), 2 or 4. */
    readonly align: number,
    /** Slot in the inspector's variable array. */
    readonly varIndex: number,
    readonly name: string,
  ) {}
}

export class IsdataatOp {
  readonly kind = OpKind.ISDATAAT;
  constructor(
    readonly dataat: number,
    readonly dataatVar: number,
    readonly relative: boolean,
    readonly negated: boolean,
  ) {}
}

/** bsize / urilen: compare the buffer length. */
export class LengthOp {
  readonly kind = OpKind.LENGTH;
  constructor(
    readonly cmp: UintCompare,
    readonly keyword: string,
  ) {}
}

/** base64_decode followed by the base64_data list run on the decoded bytes. */
export class Base64DecodeOp {
  readonly kind = OpKind.BASE64_DECODE;
  constructor(
    /** Bytes of input to decode (0 = all). */
    readonly bytes: number,
    readonly offset: number,
    readonly relative: boolean,
  ) {}
  /** Ops after base64_data, run on the decoded buffer; empty when the rule has no base64_data. */
  data: Op[] = [];
}

export type Op =
  | ContentOp
  | PcreOp
  | ByteTestOp
  | ByteJumpOp
  | ByteExtractOp
  | IsdataatOp
  | LengthOp
  | Base64DecodeOp;

/** True for ops whose position depends on the previous match (they read `bufferOffset`). */
export function isRelativeOp(op: Op): boolean {
  switch (op.kind) {
    case OpKind.CONTENT:
      return op.hasDistance || op.hasWithin;
    case OpKind.PCRE:
    case OpKind.BYTE_TEST:
    case OpKind.BYTE_JUMP:
    case OpKind.BYTE_EXTRACT:
    case OpKind.ISDATAAT:
    case OpKind.BASE64_DECODE:
      return op.relative;
    default:
      return false;
  }
}

/** True for ops that move `bufferOffset` when they match. */
export function setsOffset(op: Op): boolean {
  return (
    op.kind === OpKind.CONTENT ||
    op.kind === OpKind.PCRE ||
    op.kind === OpKind.BYTE_JUMP ||
    op.kind === OpKind.BYTE_EXTRACT
  );
}
