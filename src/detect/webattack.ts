/**
 * Web attacks in HTTP requests: SQL injection, cross-site scripting, path traversal and
 * command injection, looked for in the URI, the header values and the body after decoding
 * (web-patterns.ts). One alert per request and attack kind, at most `maxAlertsPerMinute` per
 * kind and client.
 */
import type { HttpHeader, HttpRequestView } from '../ids/match/http-buffers.js';
import type { SeverityWord, TxMeta } from '../ids/observer.js';
import { bytesKey } from './auth-events.js';
import { Category, Detector, type DetectorSignature } from './base.js';
import { BoundedMap, keyText } from './common.js';
import type { DetectConfig, WebAttackConfig } from './config.js';
import { looksBinary, matchWebAttack, normalizeForInspection, type WebAttackKind } from './web-patterns.js';

export const WEBATTACK_SIGNATURES: Record<WebAttackKind, DetectorSignature> = {
  sql_injection: {
    sid: 9100301,
    msg: 'SENTRA WEB SQL injection attempt',
    category: Category.WEB,
    kind: 'sql_injection',
  },
  xss: { sid: 9100302, msg: 'SENTRA WEB cross-site scripting attempt', category: Category.WEB, kind: 'xss' },
  path_traversal: {
    sid: 9100303,
    msg: 'SENTRA WEB path traversal attempt',
    category: Category.WEB,
    kind: 'path_traversal',
  },
  command_injection: {
    sid: 9100304,
    msg: 'SENTRA WEB command injection attempt',
    category: Category.WEB,
    kind: 'command_injection',
  },
};

/** Headers whose values are not attacker text worth decoding (credentials, sizes, negotiation). */
const SKIP_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'content-length',
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'host',
  'if-modified-since',
  'if-none-match',
  'cache-control',
  'pragma',
  'upgrade-insecure-requests',
  'sec-websocket-key',
]);

const text = (v: Uint8Array | string): string =>
  typeof v === 'string' ? v : Buffer.from(v).toString('latin1');

export class WebAttackDetector extends Detector {
  readonly name = 'webattack';
  private readonly c: WebAttackConfig;
  private readonly kinds = new Set<WebAttackKind>();
  private readonly rate: BoundedMap<string, { start: number; n: number }>;
  private readonly found = new Set<WebAttackKind>();

  constructor(cfg: DetectConfig) {
    super(cfg.suppressSec, cfg.maxTracked);
    this.c = cfg.webattack;
    if (this.c.sqlInjection) this.kinds.add('sql_injection');
    if (this.c.xss) this.kinds.add('xss');
    if (this.c.pathTraversal) this.kinds.add('path_traversal');
    if (this.c.commandInjection) this.kinds.add('command_injection');
    this.rate = new BoundedMap(cfg.maxTracked);
  }

  onHttpRequest(req: HttpRequestView, meta: TxMeta): void {
    this.found.clear();
    this.inspect(text(req.rawUri), 'uri', true, req, meta);
    for (const h of req.headers) this.header(h, req, meta);
    const body = req.body;
    if (body !== undefined && body.length > 0) {
      const n = Math.min(body.length, this.c.maxBodyBytes);
      const form =
        headerValue(req.headers, 'content-type')?.toLowerCase().includes('x-www-form-urlencoded') ?? false;
      const b = Buffer.from(body.buffer, body.byteOffset, n).toString('latin1');
      if (!looksBinary(b)) this.inspect(b, 'body', form, req, meta);
    }
  }

  private header(h: HttpHeader, req: HttpRequestView, meta: TxMeta): void {
    const name = text(h.name).toLowerCase();
    if (SKIP_HEADERS.has(name)) return;
    this.inspect(text(h.value), `header ${name}`, false, req, meta);
  }

  private inspect(raw: string, where: string, plus: boolean, req: HttpRequestView, meta: TxMeta): void {
    if (raw.length === 0) return;
    const norm = normalizeForInspection(raw, plus);
    for (const kind of this.kinds) {
      if (this.found.has(kind)) continue;
      const hit = matchWebAttack(norm, kind);
      if (hit === null) continue;
      this.found.add(kind);
      this.raise(kind, hit.name, where, req, meta);
    }
  }

  private raise(
    kind: WebAttackKind,
    pattern: string,
    where: string,
    req: HttpRequestView,
    meta: TxMeta,
  ): void {
    const client = bytesKey(meta.client);
    const rk = `${kind}|${client}`;
    let r = this.rate.get(rk);
    if (r === undefined || meta.timeUs - r.start >= 60e6) {
      r = { start: meta.timeUs, n: 0 };
      this.rate.set(rk, r);
    }
    if (++r.n > this.c.maxAlertsPerMinute) {
      this.suppressed++;
      return;
    }
    const sev: SeverityWord =
      kind === 'sql_injection'
        ? this.c.sqlSeverity
        : kind === 'xss'
          ? this.c.xssSeverity
          : kind === 'path_traversal'
            ? this.c.traversalSeverity
            : this.c.commandSeverity;
    this.alert(WEBATTACK_SIGNATURES[kind], sev, null, {
      timeUs: meta.timeUs,
      src: keyText(client),
      dst: keyText(bytesKey(meta.server)),
      srcPort: meta.clientPort,
      dstPort: meta.serverPort,
      ipProto: 6,
      flowId: meta.flowId,
      appProto: 'http',
      facts: { pattern, location: where, method: text(req.method), uri: text(req.rawUri).slice(0, 512) },
    });
  }

  tick(t: number): void {
    this.rate.sweep((r) => t - r.start >= 60e6);
  }
}

function headerValue(headers: readonly HttpHeader[], name: string): string | undefined {
  for (const h of headers) if (text(h.name).toLowerCase() === name) return text(h.value);
  return undefined;
}
