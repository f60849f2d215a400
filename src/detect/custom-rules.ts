/**
 * Custom rules in the spec's style (`ids_add_rule(id, {name, pattern, severity, action})`),
 * run as one observer: each rule's compiled pattern is evaluated on the events of its kind
 * (packets, new connections, HTTP requests and responses, failed logins), counted per source
 * (or destination) over a sliding window when the pattern has a count. Rules are added and
 * removed while the engine runs.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import type { EndedFlow, FlowState } from '../flow/table.js';
import type { HttpRequestView, HttpResponseView } from '../ids/match/http-buffers.js';
import { SEVERITY_WORDS, type SeverityWord, type TxMeta } from '../ids/observer.js';
import { Layer } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import { bytesKey, endedFlowId, isHttpDenial, shortAuthSession } from './auth-events.js';
import { Category, Detector } from './base.js';
import { addrKey, BoundedMap, EventRing, ipOf, keyText } from './common.js';
import { DEFAULT_DETECT_CONFIG } from './config.js';
import { type LoginProtocol, LoginReplies } from './login-replies.js';
import { type CompiledPattern, compilePattern } from './pattern/compile.js';
import { EventKind, type EventKindId, type MatchContext } from './pattern/fields.js';

/** First sid of custom rules: rule n gets 9200000 + n. */
export const CUSTOM_SID_BASE = 9_200_000;

export type CustomRuleAction = 'alert' | 'log' | 'block' | 'drop';
const ACTIONS: readonly CustomRuleAction[] = ['alert', 'log', 'block', 'drop'];

/** A rule as the user gives it (the spec's map). */
export interface CustomRuleInput {
  name?: string;
  pattern: string;
  severity?: string;
  action?: string;
}

export interface CustomRule {
  id: string;
  sid: number;
  name: string;
  pattern: CompiledPattern;
  severity: SeverityWord;
  action: CustomRuleAction;
  /** Times the rule fired. */
  hits: number;
  counts: BoundedMap<number | string, EventRing> | null;
  /** Alerts of a count-less rule in the current minute, per key. */
  recent: BoundedMap<number | string, { start: number; n: number }>;
}

/** Validates a rule map and compiles its pattern (SentraError with a code on any fault). */
export function compileCustomRule(id: string, sid: number, input: CustomRuleInput): CustomRule {
  if (typeof input !== 'object' || input === null) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'a rule is a map with name, pattern, severity and action',
    );
  }
  if (typeof input.pattern !== 'string' || input.pattern.trim() === '') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'the rule needs a pattern, e.g. "failed login attempts > 10"',
    );
  }
  const severity = (input.severity ?? 'medium').toString().toLowerCase();
  if (!(SEVERITY_WORDS as readonly string[]).includes(severity)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `severity must be low, medium, high or critical, not ${JSON.stringify(input.severity)}`,
    );
  }
  const action = (input.action ?? 'alert').toString().toLowerCase();
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `action must be alert, log, block or drop, not ${JSON.stringify(input.action)}`,
    );
  }
  const pattern = compilePattern(input.pattern);
  const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : input.pattern;
  return {
    id,
    sid,
    name,
    pattern,
    severity: severity as SeverityWord,
    action: action as CustomRuleAction,
    hits: 0,
    counts: pattern.count === null ? null : new BoundedMap(DEFAULT_DETECT_CONFIG.maxTracked),
    recent: new BoundedMap(DEFAULT_DETECT_CONFIG.maxTracked),
  };
}

/** Count-less rules fire at most this often per key and minute. */
const MAX_PER_MINUTE = 30;

export class CustomRuleSet extends Detector {
  readonly name = 'custom';
  private readonly rules = new Map<string, CustomRule>();
  /** Rules by event kind, rebuilt when rules change. */
  private byKind: CustomRule[][] = [[], [], [], [], []];
  private readonly authPorts = new Set(DEFAULT_DETECT_CONFIG.bruteforce.ports);
  private readonly ctxObj: MatchContext = {
    kind: EventKind.PACKET,
    src: 0,
    dst: 0,
    srcPort: 0,
    dstPort: 0,
    proto: 0,
    pkt: null,
    req: null,
    resp: null,
    service: '',
    timeUs: 0,
    flowId: 0,
  };

  /** FTP, SMTP, POP3 and IMAP: failed logins read from the server's replies. */
  readonly streamPorts = LoginReplies.ports;
  private readonly logins = new LoginReplies();
  private streamMeta: TxMeta | null = null;
  private readonly onLoginFailure = (proto: LoginProtocol, flowId: number): void => {
    this.txContext(this.streamMeta as TxMeta, null, null, proto).flowId = flowId;
    this.run(this.byKind[EventKind.LOGIN_FAILURE], EventKind.LOGIN_FAILURE);
  };

  constructor() {
    super(0, DEFAULT_DETECT_CONFIG.maxTracked);
  }

  onStream(data: Uint8Array, toServer: boolean, meta: TxMeta): void {
    if (this.byKind[EventKind.LOGIN_FAILURE].length === 0) return;
    this.streamMeta = meta;
    this.logins.feed(meta.flowId, meta.serverPort, toServer, data, this.onLoginFailure);
    this.streamMeta = null;
  }

  add(rule: CustomRule): void {
    this.rules.set(rule.id, rule);
    this.reindex();
  }

  remove(id: string): CustomRule | undefined {
    const r = this.rules.get(id);
    if (r) {
      this.rules.delete(id);
      this.reindex();
    }
    return r;
  }

  get(id: string): CustomRule | undefined {
    return this.rules.get(id);
  }

  list(): CustomRule[] {
    return [...this.rules.values()];
  }

  private reindex(): void {
    const k: CustomRule[][] = [[], [], [], [], []];
    for (const r of this.rules.values()) k[r.pattern.kind].push(r);
    this.byKind = k;
  }

  onPacket(pkt: Packet, flow: FlowState | null, timeUs: number): void {
    const pr = this.byKind[EventKind.PACKET];
    const cr = this.byKind[EventKind.CONNECTION];
    if (pr.length === 0 && cr.length === 0) return;
    const p = ipOf(pkt);
    if (p.ipVersion === 0) return;
    const c = this.ctxObj;
    c.src = addrKey(p, true);
    c.dst = addrKey(p, false);
    const ports = (p.layers & (Layer.TCP | Layer.UDP)) !== 0;
    c.srcPort = ports ? p.srcPort : 0;
    c.dstPort = ports ? p.dstPort : 0;
    c.proto = p.ipProto;
    c.pkt = p;
    c.req = null;
    c.resp = null;
    c.service = '';
    c.timeUs = timeUs;
    c.flowId = flow?.id ?? 0;
    if (pr.length > 0) this.run(pr, EventKind.PACKET);
    if (cr.length > 0 && flow !== null && flow.isNew && flow.direction === 0)
      this.run(cr, EventKind.CONNECTION);
    c.pkt = null;
  }

  private http(meta: TxMeta, req: HttpRequestView | null, resp: HttpResponseView | null): MatchContext {
    return this.txContext(meta, req, resp, 'http');
  }

  /** The reused match context for an event of a TCP transaction or stream (HTTP, logins). */
  private txContext(
    meta: TxMeta,
    req: HttpRequestView | null,
    resp: HttpResponseView | null,
    service: string,
  ): MatchContext {
    const c = this.ctxObj;
    c.src = bytesKey(meta.client);
    c.dst = bytesKey(meta.server);
    c.srcPort = meta.clientPort;
    c.dstPort = meta.serverPort;
    c.proto = 6;
    c.pkt = null;
    c.req = req;
    c.resp = resp;
    c.service = service;
    c.timeUs = meta.timeUs;
    c.flowId = meta.flowId;
    return c;
  }

  onHttpRequest(req: HttpRequestView, meta: TxMeta): void {
    const rs = this.byKind[EventKind.HTTP_REQUEST];
    if (rs.length === 0) return;
    this.http(meta, req, null);
    this.run(rs, EventKind.HTTP_REQUEST);
  }

  onHttpResponse(resp: HttpResponseView, req: HttpRequestView | null, meta: TxMeta): void {
    const rs = this.byKind[EventKind.HTTP_RESPONSE];
    const lf = this.byKind[EventKind.LOGIN_FAILURE];
    if (rs.length === 0 && lf.length === 0) return;
    this.http(meta, req, resp);
    if (rs.length > 0) this.run(rs, EventKind.HTTP_RESPONSE);
    const code = Number(
      typeof resp.statusCode === 'string' ? resp.statusCode : Buffer.from(resp.statusCode).toString('latin1'),
    );
    if (lf.length > 0 && isHttpDenial(code)) this.run(lf, EventKind.LOGIN_FAILURE);
  }

  onFlowEnd(f: EndedFlow): void {
    const lf = this.byKind[EventKind.LOGIN_FAILURE];
    if (lf.length === 0) return;
    // clear-text logins were read from the replies: the session's shape says nothing more
    if (this.logins.end(endedFlowId(f))) return;
    const a = shortAuthSession(
      f,
      this.authPorts,
      DEFAULT_DETECT_CONFIG.bruteforce.maxSessionSec,
      DEFAULT_DETECT_CONFIG.bruteforce.maxClientBytes,
    );
    if (a === null) return;
    const c = this.ctxObj;
    c.src = a.client;
    c.dst = a.server;
    c.srcPort = 0;
    c.dstPort = a.serverPort;
    c.proto = 6;
    c.pkt = null;
    c.req = null;
    c.resp = null;
    c.service = a.service;
    c.timeUs = a.timeUs;
    c.flowId = 0;
    this.run(lf, EventKind.LOGIN_FAILURE);
  }

  private run(rules: CustomRule[], kind: EventKindId): void {
    const c = this.ctxObj;
    c.kind = kind;
    for (const r of rules) {
      if (!r.pattern.test(c)) continue;
      const per = r.pattern.per;
      const key = per === 'src' ? c.src : per === 'dst' ? c.dst : 'all';
      if (r.counts !== null) {
        let ring = r.counts.get(key);
        if (ring === undefined) {
          ring = new EventRing(r.pattern.count as number);
          r.counts.set(key, ring);
        }
        if (!ring.hit(c.timeUs, r.pattern.windowSec * 1e6)) continue;
        // a burst fires once: the next alert needs a new burst
        ring.reset();
      } else {
        let m = r.recent.get(key);
        if (m === undefined || c.timeUs - m.start >= 60e6) {
          m = { start: c.timeUs, n: 0 };
          r.recent.set(key, m);
        }
        if (++m.n > MAX_PER_MINUTE) {
          this.suppressed++;
          continue;
        }
      }
      this.fire(r);
    }
  }

  private fire(r: CustomRule): void {
    const c = this.ctxObj;
    r.hits++;
    const facts: Record<string, string | number> = {
      rule_id: r.id,
      rule_action: r.action,
      pattern: r.pattern.source,
    };
    if (r.pattern.count !== null) {
      facts.count = r.pattern.count;
      facts.window_sec = r.pattern.windowSec;
    }
    if (c.service !== '') facts.service = c.service;
    const ports = c.proto === 6 || c.proto === 17;
    this.alert(
      { sid: r.sid, msg: r.name, category: Category.CUSTOM, kind: 'custom_rule' },
      r.severity,
      null,
      {
        timeUs: c.timeUs,
        src: keyText(c.src),
        dst: keyText(c.dst),
        srcPort: ports && c.srcPort > 0 ? c.srcPort : undefined,
        dstPort: ports && c.dstPort > 0 ? c.dstPort : undefined,
        ipProto: c.proto,
        flowId: c.flowId > 0 ? c.flowId : undefined,
        facts,
      },
    );
  }

  tick(t: number): void {
    for (const r of this.rules.values()) {
      const w = r.pattern.windowSec * 1e6;
      r.counts?.sweep((ring) => t - ring.last > w);
      r.recent.sweep((m) => t - m.start >= 60e6);
    }
  }
}
