/**
 * EVE records other than alerts, as Suricata writes them: `flow` when a flow ends, `http`
 * per transaction, `fileinfo` per HTTP body, `stats` at the end. Built only when enabled
 * (they allocate).
 */
import { D_BYTES, D_PKTS, DIR_SLOTS, END_REASON_NAMES, F_DIR, F_FIRST, F_LAST } from '../../flow/layout.js';
import { FlowTable } from '../../flow/table.js';
import { formatIp } from '../../net/address.js';
import type { DnsMessage } from '../../packet/layers/dns.js';
import { type DnsEveVersion, dnsEveV2, dnsEveV3 } from '../app/dns/eve.js';
import { httpEveRecord } from '../app/http/eve.js';
import type { HttpStats } from '../app/http/stats.js';
import type { HttpTransaction } from '../app/http/transaction.js';
import { type EveRecord, eveProto, formatEveTimestamp } from '../eve.js';
import type { FlowSide } from './flow-side.js';
import type { IdsEngineConfig, IdsStats } from './types.js';

/** Where a transaction record happened: the flow's endpoints and the time. */
export interface RecordMeta {
  timestamp: string;
  flowId: number;
  srcIp: string;
  destIp: string;
  srcPort: number;
  destPort: number;
  proto: string;
  appProto: string;
  pcapCnt?: number;
  /** IP version of the flow (EVE `ip_v`, Suricata 8). */
  ipVersion?: number;
}

function ports(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132;
}

function head(m: RecordMeta, type: string): Record<string, unknown> {
  return {
    timestamp: m.timestamp,
    flow_id: m.flowId,
    ...(m.pcapCnt !== undefined ? { pcap_cnt: m.pcapCnt } : {}),
    event_type: type,
    src_ip: m.srcIp,
    src_port: m.srcPort,
    dest_ip: m.destIp,
    dest_port: m.destPort,
    ...(m.ipVersion !== undefined ? { ip_v: m.ipVersion } : {}),
    proto: m.proto,
  };
}

/** Suricata's TCP session state names, by TcpState value. */
const TCP_STATE_NAMES = [
  'none',
  'syn_sent',
  'syn_recv',
  'established',
  'fin_wait1',
  'fin_wait2',
  'closing',
  'close_wait',
  'last_ack',
  'time_wait',
  'closed',
];

/** The EVE `flow` record of a flow leaving the table. */
export function flowRecord(
  table: FlowTable,
  slot: number,
  side: FlowSide,
  reason: number,
  cfg: IdsEngineConfig,
): Record<string, unknown> {
  const F = table.floats(slot);
  const b = FlowTable.base(slot);
  const tz = cfg.tzOffsetMinutes ?? 0;
  const first = F[b + F_FIRST] / 1e6;
  const last = F[b + F_LAST] / 1e6;
  const p = ports(side.ipProto);
  const sess = side.session;
  // a dropped flow's session saw no packet after the drop: its state is where it stopped
  const rst = reason === 3 && !side.dropped;
  const state = side.bypassed
    ? 'bypassed'
    : side.ipProto === 6 && sess !== null
      ? sess.state >= 10 || rst
        ? 'closed'
        : sess.state >= 3
          ? 'established'
          : 'new'
      : side.seen0 && side.seen1
        ? 'established'
        : 'new';
  const rec: Record<string, unknown> = {
    timestamp: formatEveTimestamp(Math.floor(last), Math.round((last - Math.floor(last)) * 1e6), tz),
    flow_id: side.flowId,
    ...(cfg.inIface !== undefined ? { in_iface: cfg.inIface } : {}),
    event_type: 'flow',
    src_ip: formatIp(side.clientView),
    ...(p ? { src_port: side.clientPort } : {}),
    dest_ip: formatIp(side.serverView),
    ...(p ? { dest_port: side.serverPort } : {}),
    ip_v: side.ipVersion,
    proto: eveProto(side.ipProto),
    ...(side.appProto !== '' && side.appProto !== 'failed' ? { app_proto: side.appProto } : {}),
    flow: {
      pkts_toserver: F[b + F_DIR + D_PKTS],
      pkts_toclient: F[b + F_DIR + DIR_SLOTS + D_PKTS],
      bytes_toserver: F[b + F_DIR + D_BYTES],
      bytes_toclient: F[b + F_DIR + DIR_SLOTS + D_BYTES],
      start: formatEveTimestamp(Math.floor(first), Math.round((first - Math.floor(first)) * 1e6), tz),
      end: formatEveTimestamp(Math.floor(last), Math.round((last - Math.floor(last)) * 1e6), tz),
      age: Math.floor(last) - Math.floor(first),
      state,
      reason: reason === 5 ? 'shutdown' : reason === 0 ? 'timeout' : END_REASON_NAMES[reason],
      alerted: side.alerted,
      ...(side.dropped ? { action: 'drop' } : side.passed ? { action: 'pass' } : {}),
      ...(side.exceptionPolicy !== ''
        ? { exception_policy: [{ target: 'stream_midstream', policy: side.exceptionPolicy }] }
        : {}),
    },
  };
  if (side.ipProto === 6)
    rec.tcp = { state: sess !== null && state !== 'bypassed' && !rst ? TCP_STATE_NAMES[sess.state] : state };
  return rec;
}

/** The EVE `http` record of a transaction. */
export function httpRecord(tx: HttpTransaction, m: RecordMeta): Record<string, unknown> {
  return { ...head(m, 'http'), tx_id: tx.id, http: httpEveRecord(tx), app_proto: 'http' };
}

/** The EVE `dns` records of one DNS message (transaction `txId`) in format `version`. */
export function dnsRecords(
  m: RecordMeta,
  msg: DnsMessage,
  txId: number,
  version: DnsEveVersion,
): EveRecord[] {
  const objs = version === 2 ? dnsEveV2(msg, txId) : [dnsEveV3(msg, txId)];
  return objs.map((dns) => ({ ...head(m, 'dns'), dns }));
}

/** The EVE `tls` record of a flow's handshake. */
export function tlsRecord(m: RecordMeta, tls: Record<string, unknown>): EveRecord {
  return { ...head(m, 'tls'), tls };
}

/** The EVE `ssh` record of a flow's banners. */
export function sshRecord(
  m: RecordMeta,
  client: { proto_version: string; software_version: string } | undefined,
  server: { proto_version: string; software_version: string } | undefined,
): Record<string, unknown> {
  return {
    ...head(m, 'ssh'),
    tx_id: 0,
    app_proto: 'ssh',
    ssh: { ...(client ? { client } : {}), ...(server ? { server } : {}) },
  };
}

/**
 * Suricata's HTTP file name: the Content-Disposition `filename` of the message carrying the
 * body, else the normalized URI path (without the query).
 */
function httpFilename(tx: HttpTransaction, toServer: boolean): string {
  const cd = toServer ? tx.requestHeader('content-disposition') : tx.responseHeader('content-disposition');
  if (cd !== undefined) {
    const m = /filename\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(cd);
    if (m) return m[1] ?? m[2];
  }
  const uri = Buffer.from(tx.request.normalizedUri).toString('latin1');
  const q = uri.indexOf('?');
  return q >= 0 ? uri.slice(0, q) : uri;
}

/** `fileinfo` records of a transaction's bodies (response body, and request body when present). */
export function fileinfoRecord(tx: HttpTransaction, m: RecordMeta): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const bodies: Array<[number, boolean]> = [];
  if (tx.request.bodyLength > 0) bodies.push([tx.request.bodyLength, true]);
  if (tx.response !== null && tx.response.bodyLength > 0) bodies.push([tx.response.body?.length ?? 0, false]);
  for (const [size, toServer] of bodies) {
    out.push({
      ...head(m, 'fileinfo'),
      http: httpEveRecord(tx),
      app_proto: 'http',
      fileinfo: {
        filename: httpFilename(tx, toServer),
        gaps: (tx.flags & 0x400) !== 0,
        state: 'CLOSED',
        stored: false,
        size,
        tx_id: tx.id,
      },
      direction: toServer ? 'to_server' : 'to_client',
    });
  }
  return out;
}

/** The final EVE `stats` record (Suricata's counter names where they exist). */
export function statsRecord(
  s: IdsStats,
  http: HttpStats,
  lastTs: number,
  cfg: IdsEngineConfig,
  dropReasons: Record<string, number> = {},
  midstreamPolicies: Record<string, number> = {},
): Record<string, unknown> {
  const sec = Math.floor(lastTs);
  return {
    timestamp: formatEveTimestamp(sec, Math.round((lastTs - sec) * 1e6), cfg.tzOffsetMinutes ?? 0),
    event_type: 'stats',
    stats: {
      uptime: Math.max(0, Math.round(s.lastTs - s.firstTs)),
      decoder: { pkts: s.packets, bytes: s.bytes, invalid: s.malformed },
      flow: { total: s.flows, active: s.activeFlows },
      detect: { alert: s.alerts, alerts_suppressed: 0 },
      ips: {
        accepted: s.packets - s.dropped,
        blocked: s.dropped,
        dropped: s.dropped,
        drop_reason: { ...dropReasons },
      },
      tcp: {
        sessions: s.stream.sessions ?? 0,
        reassembly_gap: s.stream.gaps ?? 0,
        overlap: s.stream.overlapBytes ?? 0,
        overlap_diff_data: s.stream.overlapDiffBytes ?? 0,
      },
      app_layer: { tx: { http: http.transactions, dns_udp: s.transactions.dns, tls: s.transactions.tls } },
      ...(Object.keys(midstreamPolicies).length > 0
        ? { exception_policy: { tcp: { midstream: { ...midstreamPolicies } } } }
        : {}),
    },
  };
}
