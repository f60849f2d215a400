/** Meta keywords: msg sid rev gid classtype priority metadata reference target; thresholds. */
import type { ThresholdSpec, TrackBy } from '../../match/threshold.js';
import { type RuleBuilder, syntax, unsupported } from '../builder.js';
import { splitCommas, unescapeText, unquote } from '../text.js';
import type { KeywordTable } from './types.js';

function need(kw: string, v: string | null): string {
  if (v === null || v.trim() === '') throw syntax(kw, `${kw} needs a value`);
  return v.trim();
}

function uint(kw: string, v: string | null, max = 0xffffffff): number {
  const t = need(kw, v);
  if (!/^\d+$/.test(t) || Number(t) > max) throw syntax(kw, `${kw} must be a number 0-${max}, got "${t}"`);
  return Number(t);
}

function once(b: RuleBuilder, kw: string): void {
  if (b.seen.has(kw)) throw syntax(kw, `${kw} given twice`);
  b.seen.add(kw);
}

const TRACKS = new Set(['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow']);

/** Parses `type X, track Y, count N, seconds T` (order free) for threshold / detection_filter. */
export function parseThresholdSpec(kw: string, v: string, detection: boolean): ThresholdSpec {
  const o: Record<string, string> = {};
  for (const part of v.split(',')) {
    const m = /^\s*(\w+)\s+(\S+)\s*$/.exec(part);
    if (!m) throw syntax(kw, `bad ${kw} part "${part.trim()}"`);
    if (o[m[1]] !== undefined) throw syntax(kw, `${m[1]} given twice`);
    o[m[1]] = m[2];
  }
  let uniqueOn: ThresholdSpec['uniqueOn'];
  if (o.unique_on !== undefined) {
    if (!detection) throw syntax(kw, 'unique_on is a detection_filter option');
    if (o.unique_on !== 'src_port' && o.unique_on !== 'dst_port')
      throw syntax(kw, 'unique_on must be src_port or dst_port');
    uniqueOn = o.unique_on;
    delete o.unique_on;
  }
  for (const k of Object.keys(o)) {
    if (k === 'multiplier') throw unsupported(kw, 'backoff multiplier');
    if (!['type', 'track', 'count', 'seconds'].includes(k)) throw syntax(kw, `unknown ${kw} option "${k}"`);
  }
  let type: ThresholdSpec['type'];
  if (detection) {
    if (o.type !== undefined) throw syntax(kw, 'detection_filter has no type');
    type = 'detection_filter';
  } else {
    if (o.type === 'backoff') throw unsupported(kw, 'threshold type backoff');
    if (o.type !== 'limit' && o.type !== 'threshold' && o.type !== 'both')
      throw syntax(kw, `threshold type must be limit, threshold or both, got "${o.type}"`);
    type = o.type;
  }
  if (!o.track || !TRACKS.has(o.track)) throw syntax(kw, `track must be one of ${[...TRACKS].join(', ')}`);
  if (!o.count || !/^\d+$/.test(o.count)) throw syntax(kw, 'count must be a number');
  if (!o.seconds || !/^\d+$/.test(o.seconds)) throw syntax(kw, 'seconds must be a number');
  const count = Number(o.count);
  if (count === 0 && !detection) throw syntax(kw, 'count must be at least 1');
  const spec: ThresholdSpec = { type, track: o.track as TrackBy, count, seconds: Number(o.seconds) };
  if (uniqueOn) spec.uniqueOn = uniqueOn;
  return spec;
}

export const metaKeywords: KeywordTable = {
  msg(b, v) {
    once(b, 'msg');
    b.msg = unescapeText(unquote(need('msg', v)));
  },
  sid(b, v) {
    once(b, 'sid');
    b.sid = uint('sid', v);
    if (b.sid === 0) throw syntax('sid', 'sid must not be 0');
  },
  rev(b, v) {
    once(b, 'rev');
    b.rev = uint('rev', v);
  },
  gid(b, v) {
    once(b, 'gid');
    b.gid = uint('gid', v);
  },
  classtype(b, v, ctx) {
    once(b, 'classtype');
    const name = need('classtype', v);
    const c = ctx.classifications.get(name.toLowerCase());
    if (!c) throw syntax('classtype', `unknown classtype "${name}" (not in classification.config)`);
    b.classtype = c.name;
  },
  priority(b, v) {
    once(b, 'priority');
    b.priority = uint('priority', v, 255);
    if (b.priority === 0) throw syntax('priority', 'priority must be 1-255');
  },
  metadata(b, v) {
    for (const item of splitCommas(need('metadata', v))) {
      if (item === '') continue;
      const sp = item.search(/\s/);
      const key = sp < 0 ? item : item.slice(0, sp);
      const val = sp < 0 ? '' : item.slice(sp).trim();
      if (!b.metadata[key]) b.metadata[key] = [];
      b.metadata[key].push(val);
    }
  },
  reference(b, v, ctx) {
    const t = need('reference', v);
    const comma = t.indexOf(',');
    if (comma < 0) throw syntax('reference', 'reference must be "system,id"');
    const system = t.slice(0, comma).trim();
    const id = unquote(t.slice(comma + 1).trim());
    if (!ctx.references.has(system.toLowerCase()) && ctx.references.size > 0) {
      // Suricata refuses a reference system missing from reference.config
      throw syntax('reference', `unknown reference system "${system}" (not in reference.config)`);
    }
    b.references.push({ system, id });
  },
  target(b, v) {
    once(b, 'target');
    const t = need('target', v);
    if (t !== 'src_ip' && t !== 'dest_ip') throw syntax('target', 'target must be src_ip or dest_ip');
    b.target = t;
  },
  threshold(b, v) {
    once(b, 'threshold');
    // Suricata refuses the pair (detect-threshold.c): which one would gate the alert is undefined
    if (b.seen.has('detection_filter'))
      throw syntax('threshold', '"detection_filter" and "threshold" are not allowed in the same rule');
    b.threshold = parseThresholdSpec('threshold', need('threshold', v), false);
  },
  detection_filter(b, v) {
    once(b, 'detection_filter');
    if (b.seen.has('threshold'))
      throw syntax('detection_filter', '"detection_filter" and "threshold" are not allowed in the same rule');
    b.detectionFilter = parseThresholdSpec('detection_filter', need('detection_filter', v), true);
    if (b.detectionFilter.uniqueOn && b.ipProto !== 6 && b.ipProto !== 17 && b.ipProto !== 132)
      throw syntax('detection_filter', 'unique_on needs a protocol with ports (tcp, udp, sctp)');
  },
  noalert(b, v) {
    if (v !== null && v.trim() !== '') throw syntax('noalert', 'noalert takes no value');
    b.noalert = true;
  },
};
