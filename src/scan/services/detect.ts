/**
 * `scanServiceVersion`: the spec's `scan_service_version(target, port)`. Reads the banner of
 * services that speak first (SSH, FTP, SMTP, POP3, IMAP, MySQL, VNC...), then tries active
 * probes (HTTP, TLS — with the certificate's names — Redis, PostgreSQL, DNS, memcached) in an
 * order chosen by the port number, and matches every answer against Sentra's signature database.
 */
import type net from 'node:net';
import { ErrorCodes, SentraError } from '../../errors.js';
import { parsePort } from '../../net/address.js';
import { serviceNameForPort } from '../ports/port-spec.js';
import { resolveTarget } from '../target.js';
import { type ServiceInfo, type TlsInfo, withSummary } from '../types.js';
import { openTcp, openTls, talk } from './conn.js';
import { matchAnswer, printable, type SignatureMatch } from './match.js';
import {
  ACTIVE_PROBES,
  type ActiveProbe,
  httpGet,
  type ProbeName,
  TLS_PORTS,
  TLS_SERVICE_NAMES,
} from './probes.js';
import { tlsInfo } from './tls-info.js';
import { detectUdpService } from './udp.js';

export interface ServiceDetectOptions {
  protocol?: 'tcp' | 'udp';
  /** How long to wait for a banner before probing (ms, default 1000 plus 4 round trips). */
  bannerWaitMs?: number;
  /** How long to wait for the answer to an active probe (ms, default 2000). */
  probeWaitMs?: number;
  /** Connection timeout (ms, default 3000). */
  connectTimeoutMs?: number;
  /** Skip the TLS probe. */
  noTls?: boolean;
}

interface Found {
  match: SignatureMatch | null;
  probe: ProbeName | '';
  banner: Buffer | null;
  tunnel: 'tls' | '';
  tls?: TlsInfo;
}

function better(a: SignatureMatch | null, b: SignatureMatch | null): SignatureMatch | null {
  if (!a) return b;
  if (!b) return a;
  if (a.soft && !b.soft) return b;
  return a;
}

/** Identifies the service on `target`:`port`. Never throws for a silent or closed port: it reports what it knows. */
export async function scanServiceVersion(
  target: string,
  port: number | string,
  opts: ServiceDetectOptions = {},
): Promise<ServiceInfo> {
  const p = parsePort(port);
  const resolved = await resolveTarget(target);
  const protocol = opts.protocol ?? 'tcp';
  if (protocol === 'udp') return detectUdpService(resolved, p);
  if (protocol !== 'tcp') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `protocol must be "tcp" or "udp", got ${JSON.stringify(protocol)}`,
    );
  }
  const connectTimeout = opts.connectTimeoutMs ?? 3000;
  const probeWait = opts.probeWaitMs ?? 2000;
  const found: Found = { match: null, probe: '', banner: null, tunnel: '' };
  let reachable = false;

  const consider = (probe: ProbeName, answer: Buffer) => {
    if (answer.length === 0) return;
    if (!found.banner) found.banner = answer;
    // a service that speaks first sends its banner whatever the probe was
    const m = better(matchAnswer(probe, answer), probe === 'null' ? null : matchAnswer('null', answer));
    const b = better(found.match, m);
    if (b !== found.match) {
      found.match = b;
      found.probe = probe;
      found.banner = answer;
    }
  };
  const done = () => found.match !== null && !found.match.soft;

  const runProbe = async (pr: ActiveProbe): Promise<{ probe: ActiveProbe; answer: Buffer } | null> => {
    const c = await openTcp(resolved.address, p, connectTimeout);
    if (!c) return null;
    reachable = true;
    const r = await talk(c.sock, pr.payload(resolved.target), { waitMs: probeWait });
    c.sock.destroy();
    return { probe: pr, answer: pr.decode ? pr.decode(r.data) : r.data };
  };
  const runTls = async (): Promise<void> => {
    const t = await probeTls(
      resolved.address,
      p,
      resolved.target,
      Math.min(connectTimeout, Math.max(1000, probeWait)),
      probeWait,
    );
    if (!t) return;
    reachable = true;
    found.tunnel = 'tls';
    found.tls = t.tls;
    if (t.match) {
      found.match = t.match.match;
      found.probe = t.match.probe;
      found.banner = t.match.answer;
    }
  };
  const wantTls = !opts.noTls;

  // 1. implicit TLS on its usual ports; what runs inside is all this port can tell
  if (wantTls && TLS_PORTS.has(p)) await runTls();

  // 2. the probes made for this port (a speak-first service answers them with its banner too)
  const hinted = ACTIVE_PROBES.filter((pr) => pr.ports.includes(p));
  for (const pr of hinted) {
    if (done() || found.tunnel) break;
    const r = await runProbe(pr);
    if (r) consider(r.probe.name, r.answer);
  }

  // 3. the banner (NULL probe): services that speak first
  let spokeFirst = false;
  if (!done() && !found.tunnel) {
    const c = await openTcp(resolved.address, p, connectTimeout);
    if (c) {
      reachable = true;
      const wait = opts.bannerWaitMs ?? Math.min(3000, 1000 + 4 * c.rttMs);
      const r = await talk(c.sock, null, { waitMs: wait });
      c.sock.destroy();
      spokeFirst = r.data.length > 0;
      consider('null', r.data);
    }
  }

  // 4. a service that waits for the client: every other probe at once (each on its own
  // connection), TLS included
  if (!done() && !found.tunnel && !spokeFirst) {
    const rest = ACTIVE_PROBES.filter((pr) => !hinted.includes(pr));
    const tlsRun = wantTls && !TLS_PORTS.has(p) ? runTls() : Promise.resolve();
    const answers = await Promise.all(rest.map(runProbe));
    await tlsRun;
    if (!found.tunnel) for (const r of answers) if (r && !done()) consider(r.probe.name, r.answer);
  }

  const m = found.match;
  let service = m?.service ?? serviceNameForPort(p, 'tcp');
  if (found.tunnel === 'tls')
    service = m ? (TLS_SERVICE_NAMES[m.service] ?? m.service) : serviceNameForPort(p, 'tcp');
  const confidence: ServiceInfo['confidence'] = !m
    ? 'port'
    : m.soft || !m.product
      ? 'service'
      : m.version
        ? 'version'
        : 'product';
  const info: ServiceInfo = {
    target: resolved.target,
    port: p,
    protocol: 'tcp',
    service,
    product: m?.product ?? '',
    version: m?.version ?? '',
    extra: m?.extra ?? '',
    cpe: m?.cpe ?? '',
    tunnel: found.tunnel,
    ...(found.tls ? { tls: found.tls } : {}),
    banner: found.banner ? printable(found.banner) : '',
    probe: found.probe,
    confidence,
    summary: '',
  };
  info.summary = describe(info, reachable);
  return withSummary(info);
}

function describe(i: ServiceInfo, reachable: boolean): string {
  if (!reachable) return `${i.port}/tcp ${i.service} (no connection)`;
  const parts = [`${i.port}/tcp`, i.tunnel === 'tls' ? `${i.service} (TLS)` : i.service];
  if (i.product) parts.push(i.product);
  if (i.version) parts.push(i.version);
  if (i.extra) parts.push(`(${i.extra})`);
  if (i.tls && (i.tls.subject_cn || i.tls.alt_names.length > 0)) {
    const names = [...new Set([i.tls.subject_cn, ...i.tls.alt_names].filter(Boolean))];
    parts.push(`[cert: ${names.join(', ')}]`);
  }
  if (i.confidence === 'port') parts.push('(guessed from port)');
  return parts.join(' ');
}

async function probeTls(
  address: string,
  port: number,
  target: string,
  connectTimeout: number,
  probeWait: number,
): Promise<{
  tls: TlsInfo;
  match: { match: SignatureMatch; probe: ProbeName; answer: Buffer } | null;
} | null> {
  const sock = await openTls(address, port, target, connectTimeout);
  if (!sock) return null;
  const info = tlsInfo(sock);
  try {
    // a banner inside TLS (IMAPS, POP3S, SMTPS, FTPS) comes at once; otherwise ask HTTP
    const first = await talk(sock as net.Socket, null, { waitMs: 500 });
    if (first.data.length > 0) {
      const m = matchAnswer('tls-null', first.data);
      return { tls: info, match: m ? { match: m, probe: 'tls-null', answer: first.data } : null };
    }
    if (first.closed) return { tls: info, match: null };
    const r = await talk(sock as net.Socket, httpGet(target), { waitMs: probeWait });
    const m = matchAnswer('tls-http', r.data);
    return { tls: info, match: m ? { match: m, probe: 'tls-http', answer: r.data } : null };
  } finally {
    sock.destroy();
  }
}
