/**
 * Application-layer inspection of a flow: protocol detection from the first payload bytes,
 * then the parsers — HTTP/1.x (the stream module's parser, across segments), DNS per
 * datagram, TLS ClientHello / ServerHello, SSH banners — and a TX inspection at each progress
 * point with the transaction's buffers.
 */

import type { DnsMessage } from '../../packet/layers/dns.js';
import { parseSshBanner } from '../../packet/layers/ssh.js';
import { DNS_PORTS, type Packet } from '../../packet/packet.js';
import { DNS_TCP_PORTS, DnsTcpState, looksLikeDnsTcp } from '../app/dns/tcp.js';
import type { HttpConfig } from '../app/http/config.js';
import type { HttpEvent } from '../app/http/parser.js';
import { HttpParser } from '../app/http/parser.js';
import { HttpProgress, type HttpTransaction } from '../app/http/transaction.js';
import { tlsEveObject } from '../app/tls/eve.js';
import { TlsEvent, TlsHandshake } from '../app/tls/handshake.js';
import { BufferId, bufferIdByName } from '../match/buffers.js';
import { setHttpRequestBuffers, setHttpResponseBuffers } from '../match/http-buffers.js';
import type { RuleSet } from '../match/ruleset.js';
import type { PacketObserver } from '../observer.js';
import { AppState, type FlowSide } from './flow-side.js';
import type { FlowPipeline } from './pipeline.js';
import { detectProtocol } from './probe.js';
import { dnsRecords, fileinfoRecord, httpRecord, sshRecord, tlsRecord } from './records.js';

const TLS_SNI = bufferIdByName('tls.sni')!;
const SSH_PROTO = bufferIdByName('ssh.proto')!;
const SSH_SOFTWARE = bufferIdByName('ssh.software')!;

/** Payload bytes per direction looked at before protocol detection gives up. */
const PROBE_LIMIT = 4096;

export class AppLayer {
  constructor(private readonly pipe: FlowPipeline) {}

  /**
   * HTTP is parsed only when something reads its transactions: transaction rules, EVE http,
   * fileinfo or stats records, HTTP observers (or `alwaysParseHttp`). Protocol detection
   * (app_proto) does not depend on it.
   */
  private httpNeeded = true;
  /** DNS messages are parsed when transaction rules or EVE dns records read them. */
  private dnsNeeded = true;
  /** Parser settings of new HTTP flows (bodies kept only when something reads them). */
  private httpConfig: Partial<HttpConfig> = {};

  /** TLS handshakes are parsed for transaction rules, tls.version rules, EVE tls and stats records. */
  private tlsNeeded = true;

  /** Decides which parsers run and what they produce for the rule set in use (at start and on rule changes). */
  configure(rules: RuleSet, hasTxRules: boolean): void {
    const eng = this.pipe.engine;
    const eve = eng.config.eve ?? {};
    const observers = eng.observers.some(
      (o) => o.onHttpRequest !== undefined || o.onHttpResponse !== undefined,
    );
    const bodies = hasTxRules || !!eve.fileinfo || !!eve.stats || observers || !!eng.config.alwaysParseHttp;
    this.httpNeeded = bodies || !!eve.http;
    this.dnsNeeded = hasTxRules || !!eve.dns;
    this.tlsNeeded =
      hasTxRules || !!eve.tls || !!eve.stats || rules.rules.some((r) => r.tlsVersions.length > 0);
    this.httpConfig = { ...eng.config.http, keepBodies: bodies && (eng.config.http?.keepBodies ?? true) };
  }

  /** Observers that read reassembled bytes of some ports (found at the first stream chunk). */
  private streamObs: PacketObserver[] | null = null;

  /** Hands `data` to the observers that asked for the flow's server port. */
  private observeStream(obs: PacketObserver[], side: FlowSide, toServer: boolean, data: Uint8Array): void {
    for (const o of obs) {
      if (o.streamPorts?.has(side.serverPort)) o.onStream?.(data, toServer, this.pipe.txMeta(side, 0));
    }
  }

  /** One UDP datagram of a flow: DNS queries and answers. */
  datagram(ip: Packet, side: FlowSide, toServer: boolean): void {
    if (!this.dnsNeeded) {
      // nothing reads the message: only app_proto and the transaction count, without parsing.
      // Packet.dns() gives a message for any UDP payload of 4 bytes or more on a DNS port
      if (ip.payloadCapLen < 4 || !(DNS_PORTS.has(ip.srcPort) || DNS_PORTS.has(ip.dstPort))) return;
      if (side.appProto === '') {
        side.appProto = 'dns';
        side.appState = AppState.KNOWN;
      }
      this.pipe.counters.txDns++;
      side.txCount++;
      return;
    }
    const dns = ip.dns();
    if (dns === null) return;
    if (side.appProto === '') {
      side.appProto = 'dns';
      side.appState = AppState.KNOWN;
    }
    this.dnsMessage(side, toServer, dns);
  }

  /** DNS over TCP: the whole messages of the new bytes. */
  private dnsStream(side: FlowSide, toServer: boolean, data: Uint8Array): void {
    let st = this.dnsTcp.get(side);
    if (st === undefined) {
      st = new DnsTcpState();
      this.dnsTcp.set(side, st);
    }
    if (st.flowId !== side.flowId) st.reset(side.flowId);
    for (const msg of st.feed(toServer, data)) this.dnsMessage(side, toServer, msg);
  }

  private readonly dnsTcp = new WeakMap<FlowSide, DnsTcpState>();

  /** One DNS message: a transaction inspected, then its EVE records. */
  private dnsMessage(side: FlowSide, toServer: boolean, dns: DnsMessage): void {
    let txId: number;
    // alerts of this transaction carry its dns object (Suricata 8: format 3)
    this.pipe.alerts.dnsMessage = dns;
    if (dns.response || !this.pipe.hasTxRules) txId = this.dnsTx(side, toServer, null);
    else {
      const names: Uint8Array[] = [];
      for (const q of dns.questions) names.push(Buffer.from(q.name === '<Root>' ? '' : q.name, 'latin1'));
      txId = this.dnsTx(side, toServer, names);
    }
    this.pipe.alerts.dnsMessage = null;
    const eve = this.pipe.engine.config.eve?.dns;
    // Suricata's parser makes no transaction of a message whose sections do not parse
    if (eve && dns.complete) {
      const meta = this.pipe.recordMeta(side);
      for (const r of dnsRecords(meta, dns, txId, eve === true ? 3 : (eve.version ?? 3)))
        this.pipe.engine.write(r);
    }
  }

  private dnsTx(side: FlowSide, toServer: boolean, names: Uint8Array[] | null): number {
    const pipe = this.pipe;
    // DNS transactions are one query and its answer: keyed by the DNS id
    pipe.counters.txDns++;
    if (!pipe.hasTxRules) return side.txCount++;
    const inp = pipe.engine.input;
    const pkt = inp.buffers.slot(BufferId.PKT_DATA, true).items[0]?.data;
    inp.buffers.clear();
    if (pkt !== undefined) inp.buffers.setPacket(BufferId.PKT_DATA, pkt);
    if (names !== null) {
      const slot = inp.buffers.slot(BufferId.DNS_QUERY, true);
      for (const n of names) slot.add(n);
    }
    const txId = side.txCount++;
    pipe.inspectTx(side, toServer, txId, null);
    return txId;
  }

  /** Protocol detection on readable bytes not parsed yet (inline mode, before detection); no parsing. */
  probe(side: FlowSide, data: Uint8Array, toServer: boolean): void {
    if (data.length === 0) return;
    const proto = this.detect(side, data, toServer);
    if (proto === '') return;
    side.appProto = proto;
    side.appState = AppState.KNOWN;
  }

  /** The protocol of a TCP direction's first bytes ('' unknown): probes, then DNS on its ports. */
  private detect(side: FlowSide, data: Uint8Array, toServer: boolean): string {
    const proto = detectProtocol(data, toServer);
    if (proto !== '') return proto;
    if (DNS_TCP_PORTS.has(side.serverPort) && looksLikeDnsTcp(data, toServer)) return 'dns';
    return '';
  }

  /** New in-order bytes of one direction of a TCP flow. */
  stream(side: FlowSide, toServer: boolean, data: Uint8Array): void {
    let so = this.streamObs;
    if (so === null) {
      so = this.pipe.engine.observers.filter((o) => o.onStream !== undefined && o.streamPorts !== undefined);
      this.streamObs = so;
    }
    if (so.length > 0) this.observeStream(so, side, toServer, data);
    if (side.appState === AppState.UNKNOWN) {
      const proto = this.detect(side, data, toServer);
      if (proto !== '') {
        side.appProto = proto;
        side.appState = AppState.KNOWN;
        // a status line from the "client" of a flow picked up midstream: its server
        if (proto === 'http' && toServer && side.session?.midstream === true && isStatusLine(data))
          side.appReversed = true;
      } else {
        if (toServer) side.probeBytes0 += data.length;
        else side.probeBytes1 += data.length;
        if (
          side.probeBytes0 >= PROBE_LIMIT ||
          side.probeBytes1 >= PROBE_LIMIT ||
          (side.probeBytes0 > 0 && side.probeBytes1 > 0)
        ) {
          side.appProto = 'failed';
          side.appState = AppState.FAILED;
        }
        return;
      }
    }
    switch (side.appProto) {
      case 'http':
        if (this.httpNeeded) this.http(side, toServer, data);
        break;
      case 'tls':
        if (this.tlsNeeded) this.tls(side, toServer, data);
        break;
      case 'ssh':
        this.ssh(side, toServer, data);
        break;
      case 'dns':
        this.dnsStream(side, toServer, data);
        break;
    }
  }

  private http(side: FlowSide, toServer: boolean, data: Uint8Array): void {
    let h = side.http;
    if (h === null) {
      h = new HttpParser(this.httpConfig, this.pipe.engine.httpStats);
      side.http = h;
    }
    h.feed(toServer !== side.appReversed, data);
    this.httpEvents(side, h, data);
  }

  /** A stream hole of `len` bytes in one direction: the HTTP parser is told (libhtp's gap handling). */
  gap(side: FlowSide, toServer: boolean, len: number): void {
    const h = side.http;
    if (h === null) return;
    h.gap(toServer !== side.appReversed, len);
    this.httpEvents(side, h, null);
  }

  /** Flow end: both directions of the HTTP parser end; pending transactions are inspected and logged. */
  httpEnd(side: FlowSide): void {
    const h = side.http;
    if (h === null) return;
    h.end(true);
    h.end(false);
    this.httpEvents(side, h, null);
    // transactions that never completed are logged at flow end, as Suricata does
    for (const tx of h.transactions()) this.logTx(side, tx);
  }

  private httpEvents(side: FlowSide, h: HttpParser, data: Uint8Array | null): void {
    const pipe = this.pipe;
    const eng = pipe.engine;
    const inp = eng.input;
    const n = h.eventCount;
    for (let i = 0; i < n; i++) {
      const ev: HttpEvent = h.events[i];
      const tx = ev.tx;
      if (pipe.hasTxRules) {
        inp.buffers.clear();
        if (data !== null) inp.buffers.setPacket(BufferId.PKT_DATA, data);
        setHttpRequestBuffers(inp.buffers, tx.request);
        if (tx.response !== null) setHttpResponseBuffers(inp.buffers, tx.response);
      }
      pipe.inspectTx(side, ev.toServer, tx.id, tx);
      this.observe(ev, side);
      if (ev.kind === HttpProgress.RESPONSE_COMPLETE) this.logTx(side, tx);
    }
    h.clearEvents();
    if (data !== null) inp.buffers.setPacket(BufferId.PKT_DATA, data);
  }

  private readonly logged = new WeakSet<HttpTransaction>();

  private logTx(side: FlowSide, tx: HttpTransaction): void {
    if (this.logged.has(tx)) return;
    this.logged.add(tx);
    const eng = this.pipe.engine;
    const eve = eng.config.eve;
    if (!eve?.http && !eve?.fileinfo) return;
    const meta = this.pipe.recordMeta(side);
    if (eve.http) eng.write(httpRecord(tx, meta));
    if (eve.fileinfo) for (const r of fileinfoRecord(tx, meta)) eng.write(r);
  }

  private observe(ev: HttpEvent, side: FlowSide): void {
    const obs = this.pipe.engine.observers;
    if (obs.length === 0) return;
    if (ev.kind !== HttpProgress.REQUEST_COMPLETE && ev.kind !== HttpProgress.RESPONSE_HEADERS) return;
    const meta = this.pipe.txMeta(side, ev.tx.id);
    for (const o of obs) {
      if (ev.kind === HttpProgress.REQUEST_COMPLETE) o.onHttpRequest?.(ev.tx.request, meta);
      else if (ev.tx.response !== null) o.onHttpResponse?.(ev.tx.response, ev.tx.request, meta);
    }
  }

  private tls(side: FlowSide, toServer: boolean, data: Uint8Array): void {
    const pipe = this.pipe;
    const inp = pipe.engine.input;
    let hs = this.tlsState.get(side);
    if (hs === undefined) {
      hs = new TlsHandshake();
      this.tlsState.set(side, hs);
    }
    if (hs.flowId !== side.flowId) {
      hs.reset(side.flowId);
      this.tlsLogged.delete(side);
    }
    // the handshake is parsed across records and segments
    const ev = hs.feed(toServer, data);
    if ((ev & TlsEvent.CLIENT_HELLO) !== 0 && !side.tlsClientHello && hs.clientHello !== null) {
      side.tlsClientHello = true;
      inp.buffers.clear();
      inp.buffers.setPacket(BufferId.PKT_DATA, data);
      const sni = hs.clientHello.serverName;
      if (sni !== '') inp.buffers.set(TLS_SNI, true, Buffer.from(sni, 'latin1'));
      pipe.counters.txTls++;
      pipe.inspectTx(side, true, 0, null);
    }
    if ((ev & TlsEvent.SERVER_HELLO) !== 0 && !side.tlsServerHello && hs.serverHello !== null) {
      side.tlsServerHello = true;
      side.tlsVersion = hs.serverHello.version;
      inp.buffers.clear();
      inp.buffers.setPacket(BufferId.PKT_DATA, data);
      pipe.inspectTx(side, false, 0, null);
    }
    // Suricata logs the transaction when the handshake is done: both sides went encrypted
    if ((ev & TlsEvent.ENCRYPTED) !== 0 && hs.encrypted[0] && hs.encrypted[1]) this.logTls(side);
    if (inp.buffers.slot(BufferId.PKT_DATA, true).count === 0) inp.buffers.setPacket(BufferId.PKT_DATA, data);
  }

  private readonly tlsState = new WeakMap<FlowSide, TlsHandshake>();
  private readonly tlsLogged = new WeakSet<FlowSide>();

  /** The EVE tls record of the flow (once: when the handshake is done, else at flow end). */
  logTls(side: FlowSide): void {
    const eng = this.pipe.engine;
    if (!eng.config.eve?.tls || side.appProto !== 'tls' || this.tlsLogged.has(side)) return;
    const hs = this.tlsState.get(side);
    if (hs === undefined || hs.flowId !== side.flowId || hs.clientHello === null) return;
    this.tlsLogged.add(side);
    eng.write(tlsRecord(this.pipe.recordMeta(side), tlsEveObject(hs)));
  }

  private ssh(side: FlowSide, toServer: boolean, data: Uint8Array): void {
    if (toServer ? side.sshClient : side.sshServer) return;
    const b = parseSshBanner(data, 0, data.length);
    if (b === null) return;
    if (toServer) {
      side.sshClient = true;
      side.sshClientBanner = { proto: b.protocol, software: b.software };
    } else {
      side.sshServer = true;
      side.sshServerBanner = { proto: b.protocol, software: b.software };
    }
    const pipe = this.pipe;
    const inp = pipe.engine.input;
    inp.buffers.clear();
    inp.buffers.setPacket(BufferId.PKT_DATA, data);
    inp.buffers.set(SSH_PROTO, toServer, Buffer.from(b.protocol, 'latin1'));
    inp.buffers.set(SSH_SOFTWARE, toServer, Buffer.from(b.software, 'latin1'));
    pipe.counters.txSsh++;
    pipe.inspectTx(side, toServer, 0, null);
    if (side.sshClient && side.sshServer) this.logSsh(side);
  }

  /** The EVE ssh record of the flow (once: when both banners are known, else at flow end). */
  logSsh(side: FlowSide): void {
    if (side.sshLogged || !this.pipe.engine.config.eve?.ssh) return;
    if (side.sshClientBanner === null && side.sshServerBanner === null) return;
    side.sshLogged = true;
    const banner = (b: { proto: string; software: string } | null) =>
      b === null ? undefined : { proto_version: b.proto, software_version: b.software };
    this.pipe.engine.write(
      sshRecord(this.pipe.recordMeta(side), banner(side.sshClientBanner), banner(side.sshServerBanner)),
    );
  }
}

const HTTP_SLASH = Buffer.from('HTTP/', 'latin1');

function isStatusLine(d: Uint8Array): boolean {
  if (d.length < HTTP_SLASH.length) return false;
  for (let i = 0; i < HTTP_SLASH.length; i++) if (d[i] !== HTTP_SLASH[i]) return false;
  return true;
}

/**
 * The negotiated version of a ServerHello at the start of `d` (the supported_versions
 * extension when present, TLS 1.3), or -1.
 */
export function serverHelloVersion(d: Uint8Array): number {
  if (d.length < 11 || d[0] !== 22 || d[1] !== 3 || d[5] !== 2) return -1;
  let v = (d[9] << 8) | d[10];
  // skip random (32), session id, cipher (2), compression (1), then extensions
  let o = 11 + 32;
  if (o >= d.length) return v;
  o += 1 + d[o];
  o += 3;
  if (o + 2 > d.length) return v;
  const extEnd = Math.min(d.length, o + 2 + ((d[o] << 8) | d[o + 1]));
  o += 2;
  while (o + 4 <= extEnd) {
    const type = (d[o] << 8) | d[o + 1];
    const len = (d[o + 2] << 8) | d[o + 3];
    if (type === 43 && len === 2 && o + 6 <= extEnd) v = (d[o + 4] << 8) | d[o + 5];
    o += 4 + len;
  }
  return v;
}
