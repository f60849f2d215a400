/**
 * Suricata EVE JSON alert records: types and a builder, so that tools reading Suricata's
 * eve.json read Sentra's. Field names, nesting and formats follow Suricata 7's output:
 * timestamps like `2019-08-21T19:27:04.663085+0000`, `alert.action` "allowed"/"blocked",
 * `alert.severity` = the rule priority, `alert.category` = the classtype description, ports
 * only for TCP/UDP/SCTP and `icmp_type`/`icmp_code` for ICMP.
 */
import { formatIp } from '../net/address.js';
import type { CompiledRule } from './match/rule.js';

/** EVE `flow` object of an alert. */
export interface EveFlow {
  pkts_toserver: number;
  pkts_toclient: number;
  bytes_toserver: number;
  bytes_toclient: number;
  start: string;
  src_ip?: string;
  dest_ip?: string;
  src_port?: number;
  dest_port?: number;
}

/** EVE `http` object (Suricata's fields; all optional). */
export interface EveHttp {
  hostname?: string;
  http_port?: number;
  url?: string;
  http_user_agent?: string;
  http_content_type?: string;
  http_refer?: string;
  http_method?: string;
  protocol?: string;
  status?: number;
  redirect?: string;
  length?: number;
  xff?: string;
  request_headers?: Array<{ name: string; value: string }>;
  response_headers?: Array<{ name: string; value: string }>;
}

export interface EveAlert {
  action: 'allowed' | 'blocked';
  gid: number;
  signature_id: number;
  rev: number;
  signature: string;
  category: string;
  severity: number;
  metadata?: Record<string, string[]>;
  source?: { ip: string; port?: number };
  target?: { ip: string; port?: number };
}

/** One EVE alert line. */
export interface EveAlertRecord {
  timestamp: string;
  flow_id?: number;
  in_iface?: string;
  pcap_cnt?: number;
  event_type: 'alert';
  src_ip: string;
  src_port?: number;
  dest_ip: string;
  dest_port?: number;
  proto: string;
  icmp_type?: number;
  icmp_code?: number;
  pkt_src?: string;
  tx_id?: number;
  alert: EveAlert;
  http?: EveHttp;
  app_proto?: string;
  direction?: 'to_server' | 'to_client';
  flow?: EveFlow;
}

/** Any EVE record (alert or others the engine writes), for the verify checks. */
export type EveRecord = Record<string, unknown>;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/**
 * Formats a time as Suricata does: local-time ISO 8601 with microseconds and a `+hhmm`
 * offset. `tzOffsetMinutes` east of UTC (default 0: `+0000`, as suricata-verify runs with TZ=UTC).
 */
export function formatEveTimestamp(sec: number, usec: number, tzOffsetMinutes = 0): string {
  const whole = Math.floor(sec);
  const micros = Math.floor(usec) + Math.round((sec - whole) * 1e6);
  const d = new Date((whole + tzOffsetMinutes * 60) * 1000);
  const sign = tzOffsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(tzOffsetMinutes);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(micros, 6)}${sign}${pad(Math.floor(off / 60), 2)}${pad(off % 60, 2)}`
  );
}

const PROTO_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'IPv6-ICMP',
  132: 'SCTP',
};

/** EVE `proto` value for an IP protocol number. */
export function eveProto(ipProto: number): string {
  return PROTO_NAMES[ipProto] ?? String(ipProto);
}

/** What the engine knows about the packet an alert fires on. */
export interface AlertContext {
  /** Packet time: seconds and microseconds. */
  tsSec: number;
  tsUsec: number;
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  ipProto: number;
  icmpType?: number;
  icmpCode?: number;
  flowId?: number;
  pcapCnt?: number;
  inIface?: string;
  pktSrc?: string;
  txId?: number;
  appProto?: string;
  /** Packet direction in its flow; omitted for flowless packets. */
  toServer?: boolean;
  flow?: {
    pktsToServer: number;
    pktsToClient: number;
    bytesToServer: number;
    bytesToClient: number;
    /** Flow start time, seconds (fractional). */
    start: number;
    /** The flow's client and server (initiator first). */
    src?: Uint8Array;
    dst?: Uint8Array;
    srcPort?: number;
    dstPort?: number;
  };
  http?: EveHttp;
  /** IPS mode and the rule's action drops/rejects: `alert.action` is "blocked". */
  blocked?: boolean;
  /** Include `alert.metadata` (Suricata's `metadata: yes`, the default). */
  metadata?: boolean;
  tzOffsetMinutes?: number;
}

function hasPorts(p: number): boolean {
  return p === 6 || p === 17 || p === 132;
}

/** Builds the EVE alert record of `rule` firing on the packet described by `ctx`. */
export function buildAlertRecord(rule: CompiledRule, ctx: AlertContext): EveAlertRecord {
  const ports = hasPorts(ctx.ipProto);
  const tz = ctx.tzOffsetMinutes ?? 0;
  const rec: EveAlertRecord = {
    timestamp: formatEveTimestamp(ctx.tsSec, ctx.tsUsec, tz),
    ...(ctx.flowId !== undefined ? { flow_id: ctx.flowId } : {}),
    ...(ctx.inIface !== undefined ? { in_iface: ctx.inIface } : {}),
    ...(ctx.pcapCnt !== undefined ? { pcap_cnt: ctx.pcapCnt } : {}),
    event_type: 'alert',
    src_ip: formatIp(ctx.src),
    ...(ports ? { src_port: ctx.srcPort } : {}),
    dest_ip: formatIp(ctx.dst),
    ...(ports ? { dest_port: ctx.dstPort } : {}),
    proto: eveProto(ctx.ipProto),
    ...(ctx.icmpType !== undefined && (ctx.ipProto === 1 || ctx.ipProto === 58)
      ? { icmp_type: ctx.icmpType, icmp_code: ctx.icmpCode ?? 0 }
      : {}),
    ...(ctx.pktSrc !== undefined ? { pkt_src: ctx.pktSrc } : {}),
    ...(ctx.txId !== undefined ? { tx_id: ctx.txId } : {}),
    alert: {
      action: ctx.blocked ? 'blocked' : 'allowed',
      gid: rule.gid,
      signature_id: rule.sid,
      rev: rule.rev,
      signature: rule.msg,
      category: rule.category,
      severity: rule.priority,
    },
  };
  if ((ctx.metadata ?? true) && Object.keys(rule.metadata).length > 0) rec.alert.metadata = rule.metadata;
  if (rule.target !== null) {
    const srcEnd = { ip: formatIp(ctx.src), ...(ports ? { port: ctx.srcPort } : {}) };
    const dstEnd = { ip: formatIp(ctx.dst), ...(ports ? { port: ctx.dstPort } : {}) };
    rec.alert.source = rule.target === 'dest_ip' ? srcEnd : dstEnd;
    rec.alert.target = rule.target === 'dest_ip' ? dstEnd : srcEnd;
  }
  if (ctx.http) rec.http = ctx.http;
  if (ctx.appProto) rec.app_proto = ctx.appProto;
  if (ctx.toServer !== undefined) rec.direction = ctx.toServer ? 'to_server' : 'to_client';
  if (ctx.flow) {
    const f = ctx.flow;
    rec.flow = {
      pkts_toserver: f.pktsToServer,
      pkts_toclient: f.pktsToClient,
      bytes_toserver: f.bytesToServer,
      bytes_toclient: f.bytesToClient,
      start: formatEveTimestamp(f.start, 0, tz),
    };
    if (f.src && f.dst) {
      rec.flow.src_ip = formatIp(f.src);
      rec.flow.dest_ip = formatIp(f.dst);
      if (ports) {
        rec.flow.src_port = f.srcPort;
        rec.flow.dest_port = f.dstPort;
      }
    }
  }
  return rec;
}

/** One fast.log line, as Suricata writes it. */
export function formatFastLog(rule: CompiledRule, ctx: AlertContext): string {
  const d = new Date(Math.floor(ctx.tsSec) * 1000);
  const ts =
    `${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${d.getUTCFullYear()}-` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(ctx.tsUsec, 6)}`;
  const ports = hasPorts(ctx.ipProto);
  const ep = (a: Uint8Array, p: number) => {
    const ip = formatIp(a);
    const shown = a.length === 16 ? ip : ip;
    return ports ? `${shown}:${p}` : shown;
  };
  const cls = rule.category ? ` [Classification: ${rule.category}]` : '';
  const action = ctx.blocked ? '[Drop] ' : '';
  return (
    `${ts}  ${action}[**] [${rule.gid}:${rule.sid}:${rule.rev}] ${rule.msg} [**]${cls} [Priority: ${rule.priority}] ` +
    `{${eveProto(ctx.ipProto)}} ${ep(ctx.src, ctx.srcPort)} -> ${ep(ctx.dst, ctx.dstPort)}`
  );
}
