/**
 * Brute force: bursts of login attempts from one client against one server — short sessions
 * to an authentication service (auth-events.ts), or HTTP 401/403 answers — within a sliding
 * window.
 */
import type { EndedFlow } from '../flow/table.js';
import type { HttpRequestView, HttpResponseView } from '../ids/match/http-buffers.js';
import type { TxMeta } from '../ids/observer.js';
import { bytesKey, isHttpDenial, shortAuthSession } from './auth-events.js';
import { Category, Detector, type DetectorSignature } from './base.js';
import { BoundedMap, EventRing, keyText } from './common.js';
import type { BruteForceConfig, DetectConfig } from './config.js';

export const BRUTEFORCE_SIGNATURES = {
  sessions: {
    sid: 9100201,
    msg: 'SENTRA BRUTE FORCE burst of short sessions to an authentication service',
    category: Category.BRUTE,
    kind: 'brute_force',
  },
  http: {
    sid: 9100202,
    msg: 'SENTRA BRUTE FORCE burst of HTTP 401/403 answers to one client',
    category: Category.BRUTE,
    kind: 'brute_force',
  },
} satisfies Record<string, DetectorSignature>;

export class BruteForceDetector extends Detector {
  readonly name = 'bruteforce';
  private readonly c: BruteForceConfig;
  private readonly windowUs: number;
  /** Non-zero at each authentication port. */
  private readonly ports = new Uint8Array(65536);
  private readonly counts: BoundedMap<string, EventRing>;

  constructor(cfg: DetectConfig) {
    super(cfg.suppressSec, cfg.maxTracked);
    this.c = cfg.bruteforce;
    this.windowUs = this.c.windowSec * 1e6;
    for (const p of this.c.ports) this.ports[p] = 1;
    this.counts = new BoundedMap(cfg.maxTracked);
  }

  private hit(k: string, n: number, t: number): boolean {
    let r = this.counts.get(k);
    if (r === undefined) {
      r = new EventRing(n);
      this.counts.add(k, r);
    }
    if (!r.hit(t, this.windowUs) || t < r.quietUntil) return false;
    r.quietUntil = t + this.suppressUs;
    return true;
  }

  onFlowEnd(f: EndedFlow): void {
    const a = shortAuthSession(f, this.ports, this.c.maxSessionSec, this.c.maxClientBytes);
    if (a === null) return;
    const k = `s|${a.client}|${a.server}|${a.serverPort}`;
    if (!this.hit(k, this.c.sessions, a.timeUs)) return;
    this.alert(BRUTEFORCE_SIGNATURES.sessions, this.c.severity, k, {
      timeUs: a.timeUs,
      src: keyText(a.client),
      dst: keyText(a.server),
      dstPort: a.serverPort,
      ipProto: 6,
      appProto: a.service,
      facts: { service: a.service, sessions: this.c.sessions, window_sec: this.c.windowSec },
    });
  }

  onHttpResponse(resp: HttpResponseView, _req: HttpRequestView | null, meta: TxMeta): void {
    const code = typeof resp.statusCode === 'string' ? Number(resp.statusCode) : statusOf(resp.statusCode);
    if (!isHttpDenial(code)) return;
    const client = bytesKey(meta.client);
    const server = bytesKey(meta.server);
    const k = `h|${client}|${server}`;
    if (!this.hit(k, this.c.httpDenials, meta.timeUs)) return;
    this.alert(BRUTEFORCE_SIGNATURES.http, this.c.severity, k, {
      timeUs: meta.timeUs,
      src: keyText(client),
      dst: keyText(server),
      srcPort: meta.clientPort,
      dstPort: meta.serverPort,
      ipProto: 6,
      flowId: meta.flowId,
      appProto: 'http',
      facts: { answers: this.c.httpDenials, last_status: code, window_sec: this.c.windowSec },
    });
  }

  private lastSweep = 0;

  tick(t: number): void {
    // a ring idle for a window holds no live event: forgetting it changes no answer, so the
    // sweep (which visits every key) runs once a window and not at every tick
    if (t - this.lastSweep < this.windowUs) return;
    this.lastSweep = t;
    this.counts.sweep((r) => t - r.last > this.windowUs);
  }
}

/** Status code digits as a number. */
export function statusOf(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length && i < 3; i++) n = n * 10 + (b[i] - 48);
  return n;
}
