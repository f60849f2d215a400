/**
 * Payload keywords: content and its modifiers, pcre, isdataat, bsize, urilen, dsize,
 * byte_test, byte_jump, byte_extract, base64_decode / base64_data.
 */
import { BufferId, pcreFlagBufferId } from '../../match/buffers.js';
import { MAX_BYTE_VARS } from '../../match/inspect.js';
import {
  Base64DecodeOp,
  ByteExtractOp,
  type ByteFormat,
  ByteJumpOp,
  ByteOperator,
  type ByteOperatorValue,
  ByteTestOp,
  IsdataatOp,
  LengthOp,
} from '../../match/ops.js';
import { PacketField } from '../../match/rule.js';
import { parseUintCompare } from '../../match/uint.js';
import { type ContentDraft, type RuleBuilder, syntax, unsupported } from '../builder.js';
import { parseContentString } from '../content-string.js';
import { PcreUnsupported, splitPcreValue, translatePcre } from '../pcre.js';
import { unquote } from '../text.js';
import type { KeywordTable } from './types.js';

function need(kw: string, v: string | null): string {
  if (v === null || v.trim() === '') throw syntax(kw, `${kw} needs a value`);
  return v;
}

function addContent(b: RuleBuilder, kw: string, value: string | null): ContentDraft {
  const parsed = parseContentString(need(kw, value));
  if (typeof parsed === 'string') throw syntax(kw, parsed);
  const d: ContentDraft = {
    kind: 'content',
    bytes: parsed.bytes,
    negated: parsed.negated,
    nocase: false,
    offset: null,
    depth: null,
    distance: null,
    within: null,
    startsWith: false,
    endsWith: false,
    fastPattern: false,
    fpChop: null,
    list: b.currentList(),
  };
  d.list = b.push(d);
  return d;
}

function noValue(kw: string, v: string | null): void {
  if (v !== null && v.trim() !== '') throw syntax(kw, `${kw} takes no value`);
}

const MAX_OFF = 65535;

function setModifier(b: RuleBuilder, kw: 'offset' | 'depth' | 'distance' | 'within', v: string | null): void {
  const c = b.requireContent(kw);
  if (c[kw] !== null) throw syntax(kw, `${kw} given twice for one content`);
  const relative = kw === 'distance' || kw === 'within';
  const absolute = kw === 'offset' || kw === 'depth';
  if ((relative && (c.offset || c.depth || c.startsWith)) || (absolute && (c.distance || c.within)))
    throw syntax(
      kw,
      'cannot mix relative (distance/within) and absolute (offset/depth/startswith) modifiers on one content',
    );
  const min = kw === 'distance' ? -MAX_OFF : 0;
  c[kw] = b.numRef(kw, need(kw, v), min, MAX_OFF, c.list);
  if (c[kw]!.varIndex < 0) {
    const val = c[kw]!.value;
    if ((kw === 'depth' || kw === 'within') && val < c.bytes.length)
      throw syntax(kw, `${kw} ${val} is smaller than the content length ${c.bytes.length}`);
  }
}

function byteFormatOptions(
  kw: string,
  opts: string[],
  allowed: Set<string>,
): {
  fmt: ByteFormat;
  relative: boolean;
  flags: Set<string>;
  multiplier: number;
  postOffset: number;
  align: number;
} {
  const fmt: ByteFormat = {
    nbytes: 0,
    nbytesVar: -1,
    little: false,
    string: false,
    base: 10,
    bitmask: 0,
    shift: 0,
  };
  const flags = new Set<string>();
  let relative = false;
  let multiplier = 1;
  let postOffset = 0;
  let align = 0;
  let baseSet = false;
  for (const raw of opts) {
    const o = raw.trim();
    const lo = o.toLowerCase();
    if (o === '') continue;
    if (lo === 'relative') relative = true;
    else if (lo === 'big') fmt.little = false;
    else if (lo === 'little') fmt.little = true;
    else if (lo === 'string') fmt.string = true;
    else if (lo === 'dec' || lo === 'hex' || lo === 'oct') {
      fmt.base = lo === 'dec' ? 10 : lo === 'hex' ? 16 : 8;
      baseSet = true;
    } else if (lo === 'dce') throw unsupported(kw, 'dce (DCERPC) byte order');
    else if (lo.startsWith('bitmask') && allowed.has('bitmask')) {
      const m = /^bitmask\s+(0x[0-9a-f]+|\d+)$/i.exec(o);
      if (!m) throw syntax(kw, `bad bitmask "${o}"`);
      const mask = m[1].toLowerCase().startsWith('0x') ? Number.parseInt(m[1].slice(2), 16) : Number(m[1]);
      if (mask > 0xffffffff) throw syntax(kw, 'bitmask above 32 bits');
      fmt.bitmask = mask;
      let sh = 0;
      if (mask) while (((mask >>> sh) & 1) === 0) sh++;
      fmt.shift = sh;
    } else if (lo.startsWith('multiplier') && allowed.has('multiplier')) {
      const m = /^multiplier\s+(\d+)$/i.exec(o);
      if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw syntax(kw, `bad multiplier "${o}"`);
      multiplier = Number(m[1]);
    } else if (lo.startsWith('post_offset') && allowed.has('post_offset')) {
      const m = /^post_offset\s+(-?\d+)$/i.exec(o);
      if (!m || Math.abs(Number(m[1])) > 65535) throw syntax(kw, `bad post_offset "${o}"`);
      postOffset = Number(m[1]);
    } else if (lo.startsWith('align') && allowed.has('align_value')) {
      const m = /^align\s+(\d+)$/i.exec(o);
      if (!m || (m[1] !== '2' && m[1] !== '4')) throw syntax(kw, `align must be 2 or 4, got "${o}"`);
      align = Number(m[1]);
    } else if (allowed.has(lo)) flags.add(lo);
    else throw syntax(kw, `unknown ${kw} option "${o}"`);
  }
  if (baseSet && !fmt.string) throw syntax(kw, 'a base (dec/hex/oct) needs "string"');
  return { fmt, relative, flags, multiplier, postOffset, align };
}

function parseNBytes(kw: string, s: string, string: boolean, allowZero = false): number {
  if (!/^\d+$/.test(s.trim())) {
    throw unsupported(kw, 'number of bytes taken from a variable');
  }
  const n = Number(s);
  // byte_test:0,...,string reads to the end of the buffer; byte_jump:0 jumps from the current position
  if (n === 0 && allowZero) return 0;
  if (n < 1 || n > (string ? 23 : 8))
    throw syntax(kw, `number of bytes must be 1-${string ? 23 : 8}${string ? ' with string' : ''}, got ${n}`);
  return n;
}

function parseByteValue(kw: string, s: string): bigint {
  const t = s.trim();
  const m = /^(0x[0-9a-f]+|0[0-7]*|\d+)$/i.exec(t);
  if (!m) throw syntax(kw, `bad value "${t}"`);
  const v = t.toLowerCase().startsWith('0x')
    ? BigInt(t)
    : t.length > 1 && t.startsWith('0')
      ? BigInt('0o' + t.slice(1))
      : BigInt(t);
  if (v > (1n << 64n) - 1n) throw syntax(kw, 'value above 64 bits');
  return v;
}

function addOp(b: RuleBuilder, op: import('../../match/ops.js').Op, relative = false): void {
  b.push({ kind: 'op', op }, relative ? b.relativeList() : undefined);
}

function byteVarSlot(b: RuleBuilder, kw: string, name: string, list = b.currentList()): number {
  if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw syntax(kw, `bad variable name "${name}"`);
  if (b.byteVars.has(name)) throw syntax(kw, `variable "${name}" defined twice`);
  const index = b.byteVars.size;
  if (index >= MAX_BYTE_VARS) throw unsupported(kw, `more than ${MAX_BYTE_VARS} byte_extract variables`);
  b.byteVars.set(name, { index, list });
  return index;
}

export const payloadKeywords: KeywordTable = {
  content(b, v) {
    addContent(b, 'content', v);
  },
  uricontent(b, v) {
    const d = addContent(b, 'uricontent', v);
    b.moveContent(d, BufferId.HTTP_URI, 'uricontent');
  },
  nocase(b, v) {
    noValue('nocase', v);
    const c = b.requireContent('nocase');
    if (c.nocase) throw syntax('nocase', 'nocase given twice');
    c.nocase = true;
  },
  rawbytes(b, v) {
    // Suricata ignores rawbytes: it has no normalized packet payload
    noValue('rawbytes', v);
    b.requireContent('rawbytes');
  },
  offset: (b, v) => setModifier(b, 'offset', v),
  depth: (b, v) => setModifier(b, 'depth', v),
  distance: (b, v) => setModifier(b, 'distance', v),
  within: (b, v) => setModifier(b, 'within', v),
  startswith(b, v) {
    noValue('startswith', v);
    const c = b.requireContent('startswith');
    if (c.offset || c.depth || c.distance || c.within)
      throw syntax('startswith', 'startswith cannot be combined with offset, depth, distance or within');
    c.startsWith = true;
  },
  endswith(b, v) {
    noValue('endswith', v);
    const c = b.requireContent('endswith');
    c.endsWith = true;
  },
  fast_pattern(b, v) {
    const c = b.requireContent('fast_pattern');
    c.fastPattern = true;
    if (v === null || v.trim() === '' || v.trim() === 'only') return;
    const m = /^(\d+)\s*,\s*(\d+)$/.exec(v.trim());
    if (!m) throw syntax('fast_pattern', `fast_pattern takes "only" or "offset,length", got "${v}"`);
    const off = Number(m[1]);
    const len = Number(m[2]);
    if (len === 0 || off + len > c.bytes.length)
      throw syntax('fast_pattern', 'fast_pattern chop is outside the content');
    c.fpChop = [off, len];
  },
  pcre(b, v) {
    const parts = splitPcreValue(need('pcre', v));
    if (parts === 'capture') throw unsupported('pcre', 'pcre capture into flow/packet variables');
    if (typeof parts === 'string') throw syntax('pcre', parts);
    let opts = '';
    let relative = false;
    let buffer = -1;
    for (const f of parts.flags) {
      if ('ismxAEG'.includes(f)) opts += f;
      else if (f === 'R') relative = true;
      else if (f === 'O' || f === 'B') {
        // O: match-limit override; B: rawbytes (ignored by Suricata)
      } else {
        const id = pcreFlagBufferId(f);
        if (id === undefined) throw syntax('pcre', `unknown pcre flag "${f}"`);
        if (buffer >= 0) throw syntax('pcre', 'only one buffer flag per pcre');
        buffer = id;
      }
    }
    let tr: ReturnType<typeof translatePcre>;
    try {
      tr = translatePcre(parts.pattern, opts);
    } catch (e) {
      if (e instanceof PcreUnsupported) throw unsupported('pcre', `pcre ${e.message}`);
      throw syntax('pcre', `invalid regex: ${(e as Error).message}`);
    }
    const d = {
      kind: 'pcre' as const,
      regex: new RegExp(tr.source, tr.flags),
      negated: parts.negated,
      relative,
      source: v!,
    };
    if (buffer >= 0 && b.hasSticky() && b.currentList().buffer === buffer) buffer = -1;
    if (buffer >= 0) {
      if (b.hasSticky()) throw syntax('pcre', 'pcre buffer flag names another buffer than the sticky buffer');
      const list = b.listFor(buffer);
      list.items.push(d);
      b.lastPm = d;
    } else b.push(d);
  },
  isdataat(b, v) {
    const parts = need('isdataat', v)
      .split(',')
      .map((s) => s.trim());
    let first = parts[0];
    let negated = false;
    if (first.startsWith('!')) {
      negated = true;
      first = first.slice(1).trim();
    }
    let relative = false;
    for (const p of parts.slice(1)) {
      if (p === 'relative') relative = true;
      else if (p === 'rawbytes') {
        /* ignored */
      } else throw syntax('isdataat', `unknown isdataat option "${p}"`);
    }
    const ref = b.numRef('isdataat', first, 0, MAX_OFF);
    addOp(b, new IsdataatOp(ref.value, ref.varIndex, relative, negated), relative);
  },
  bsize(b, v) {
    const cmp = parseUintCompare(need('bsize', v), 2 ** 53);
    if (!cmp) throw syntax('bsize', `bad bsize "${v}"`);
    if (!b.hasSticky()) throw syntax('bsize', 'bsize needs a sticky buffer');
    addOp(b, new LengthOp(cmp, 'bsize'));
  },
  urilen(b, v) {
    const parts = need('urilen', v)
      .split(',')
      .map((s) => s.trim());
    const cmp = parseUintCompare(parts[0], 65535);
    if (!cmp) throw syntax('urilen', `bad urilen "${v}"`);
    let buffer = BufferId.HTTP_URI;
    if (parts[1] === 'raw') buffer = BufferId.HTTP_URI_RAW;
    else if (parts[1] !== undefined && parts[1] !== 'norm')
      throw syntax('urilen', `urilen option must be raw or norm`);
    b.listFor(buffer).items.push({ kind: 'op', op: new LengthOp(cmp, 'urilen') });
  },
  dsize(b, v) {
    const cmp = parseUintCompare(need('dsize', v), 65535);
    if (!cmp) throw syntax('dsize', `bad dsize "${v}"`);
    b.packetChecks.push({ field: PacketField.DSIZE, cmp });
    b.hasDsize = true;
  },
  byte_test(b, v) {
    const a = need('byte_test', v)
      .split(',')
      .map((s) => s.trim());
    if (a.length < 4) throw syntax('byte_test', 'byte_test needs nbytes, operator, value, offset');
    const o = byteFormatOptions('byte_test', a.slice(4), new Set(['bitmask']));
    if (/^[A-Za-z_]/.test(a[0])) o.fmt.nbytesVar = b.numRef('byte_test', a[0], 0, 0).varIndex;
    else o.fmt.nbytes = parseNBytes('byte_test', a[0], o.fmt.string, true);
    if (o.fmt.nbytesVar < 0 && o.fmt.nbytes === 0 && !o.fmt.string)
      throw syntax('byte_test', 'byte_test with 0 bytes needs "string"');
    let opText = a[1];
    let negated = false;
    if (opText.startsWith('!')) {
      negated = true;
      opText = opText.slice(1).trim();
    }
    const ops: Record<string, ByteOperatorValue> = {
      '=': ByteOperator.EQ,
      '': ByteOperator.EQ,
      '<': ByteOperator.LT,
      '>': ByteOperator.GT,
      '&': ByteOperator.AND,
      '^': ByteOperator.XOR,
      '>=': ByteOperator.GE,
      '<=': ByteOperator.LE,
    };
    const op = ops[opText];
    if (op === undefined || (opText === '' && !negated)) throw syntax('byte_test', `bad operator "${a[1]}"`);
    let value = 0;
    let valueBig = 0n;
    let valueVar = -1;
    if (/^[A-Za-z_]/.test(a[2]) && !/^0x/i.test(a[2])) valueVar = b.numRef('byte_test', a[2], 0, 0).varIndex;
    else {
      valueBig = parseByteValue('byte_test', a[2]);
      value = Number(valueBig);
    }
    const off = b.numRef('byte_test', a[3], -(2 ** 31), 2 ** 31 - 1);
    addOp(
      b,
      new ByteTestOp(o.fmt, op, negated, value, valueBig, valueVar, off.value, off.varIndex, o.relative),
      o.relative,
    );
  },
  byte_jump(b, v) {
    const a = need('byte_jump', v)
      .split(',')
      .map((s) => s.trim());
    if (a.length < 2) throw syntax('byte_jump', 'byte_jump needs nbytes and offset');
    const o = byteFormatOptions(
      'byte_jump',
      a.slice(2),
      new Set(['align', 'from_beginning', 'from_end', 'multiplier', 'post_offset', 'bitmask']),
    );
    if (/^[A-Za-z_]/.test(a[0])) o.fmt.nbytesVar = b.numRef('byte_jump', a[0], 0, 0).varIndex;
    else o.fmt.nbytes = parseNBytes('byte_jump', a[0], o.fmt.string, true);
    if (o.flags.has('from_beginning') && o.flags.has('from_end'))
      throw syntax('byte_jump', 'from_beginning and from_end exclude each other');
    const off = b.numRef('byte_jump', a[1], -(2 ** 31), 2 ** 31 - 1);
    addOp(
      b,
      new ByteJumpOp(
        o.fmt,
        off.value,
        off.varIndex,
        o.relative,
        o.multiplier,
        o.flags.has('align'),
        o.flags.has('from_beginning'),
        o.flags.has('from_end'),
        o.postOffset,
      ),
      o.relative,
    );
  },
  byte_extract(b, v) {
    const a = need('byte_extract', v)
      .split(',')
      .map((s) => s.trim());
    if (a.length < 3) throw syntax('byte_extract', 'byte_extract needs nbytes, offset and a variable name');
    const o = byteFormatOptions('byte_extract', a.slice(3), new Set(['multiplier', 'align_value']));
    o.fmt.nbytes = parseNBytes('byte_extract', a[0], o.fmt.string);
    if (!/^-?\d+$/.test(a[1])) throw syntax('byte_extract', `bad offset "${a[1]}"`);
    const offset = Number(a[1]);
    if (Math.abs(offset) > MAX_OFF) throw syntax('byte_extract', 'offset out of range');
    const slot = byteVarSlot(b, 'byte_extract', a[2], o.relative ? b.relativeList() : undefined);
    addOp(b, new ByteExtractOp(o.fmt, offset, o.relative, o.multiplier, o.align, slot, a[2]), o.relative);
  },
  base64_decode(b, v) {
    let bytes = 0;
    let offset = 0;
    let relative = false;
    if (v !== null && v.trim() !== '') {
      for (const p of v.split(',').map((s) => s.trim())) {
        const bm = /^bytes\s+(\d+)$/.exec(p);
        const om = /^offset\s+(\d+)$/.exec(p);
        if (p === 'relative') relative = true;
        else if (bm) bytes = Number(bm[1]);
        else if (om) offset = Number(om[1]);
        else throw syntax('base64_decode', `unknown option "${p}"`);
      }
    }
    const l = b.currentList();
    if (l.b64 !== null) throw unsupported('base64_decode', 'more than one base64_decode in a buffer');
    const op = new Base64DecodeOp(bytes, offset, relative);
    l.items.push({ kind: 'op', op });
    l.b64 = op;
  },
  base64_data(b, v) {
    noValue('base64_data', v);
    const l = b.currentList();
    if (l.b64 === null) throw syntax('base64_data', 'base64_data needs a preceding base64_decode');
    l.inB64Data = true;
  },
};

export { unquote };
