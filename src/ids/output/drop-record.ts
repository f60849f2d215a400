/**
 * EVE `drop` records, as Suricata's output-json-drop.c writes them in IPS mode: one per
 * dropped packet (or, with `flows: start`, once per direction of a dropped flow plus every
 * packet a rule dropped), with the packet's IP and transport header fields, the drop reason
 * and, with `alerts: yes`, the alert of the rule that caused the drop.
 */
import { formatIp } from '../../net/address.js';
import type { Packet } from '../../packet/packet.js';
import { type EveAlert, eveProto, formatEveTimestamp } from '../eve.js';

/** How drops are logged (Suricata's `outputs.eve-log.types.drop` settings). */
export interface DropLogOptions {
  /** Add the `alert` object of the rule that dropped the packet (`alerts: yes`; default false). */
  alerts?: boolean;
  /**
   * `start` (Suricata's default): a dropped flow is logged once per direction (packets a rule
   * dropped are always logged); `all`: every dropped packet.
   */
  flows?: 'start' | 'all';
}

/** Suricata's drop reasons (PacketDropReasonToString) that the engine produces. */
export type DropReason = 'rules' | 'threshold detection_filter' | 'flow drop' | 'stream midstream';

/** Counter names of the reasons in `stats.ips.drop_reason`. */
export const DROP_REASON_COUNTERS: Record<DropReason, string> = {
  rules: 'rules',
  'threshold detection_filter': 'threshold_detection_filter',
  'flow drop': 'flow_drop',
  'stream midstream': 'stream_midstream',
};

/** Where the dropped packet sits: its flow (when it has one) and how it is oriented. */
export interface DropContext {
  flowId?: number;
  toServer?: boolean;
  inIface?: string;
  tzOffsetMinutes?: number;
  reason: DropReason;
  /** The alert of the rule that dropped the packet, when logged. */
  alert?: EveAlert;
}

function hasPorts(p: number): boolean {
  return p === 6 || p === 17 || p === 132;
}

/** The EVE `drop` record of `ip` (the innermost IP packet of the dropped frame). */
export function buildDropRecord(ip: Packet, frame: Packet, ctx: DropContext): Record<string, unknown> {
  const ports = hasPorts(ip.ipProto);
  const drop: Record<string, unknown> = {};
  if (ip.ipVersion === 4) {
    drop.len = ip.ipLen;
    drop.tos = ip.tos;
    drop.ttl = ip.ttl;
    drop.ipid = ip.ipId;
  } else if (ip.ipVersion === 6) {
    drop.len = ip.ipLen - 40;
    drop.tc = ip.tos;
    drop.hoplimit = ip.ttl;
    drop.flowlbl = ip.flowLabel;
  }
  if (ip.ipProto === 6) {
    const f = ip.tcpFlags;
    drop.tcpseq = ip.seq >>> 0;
    drop.tcpack = ip.ack >>> 0;
    drop.tcpwin = ip.window;
    drop.syn = (f & 0x02) !== 0;
    drop.ack = (f & 0x10) !== 0;
    drop.psh = (f & 0x08) !== 0;
    drop.rst = (f & 0x04) !== 0;
    drop.urg = (f & 0x20) !== 0;
    drop.fin = (f & 0x01) !== 0;
    // the 4 reserved bits of the data-offset byte (Suricata's TCP_GET_RAW_X2)
    drop.tcpres = (f >>> 8) & 0x0f;
    drop.tcpurgp = ip.urgentPointer;
  } else if (ip.ipProto === 17) {
    drop.udplen = ip.udpLength;
  } else if (ip.ipProto === 1 || ip.ipProto === 58) {
    drop.icmp_id = ip.icmpId;
    drop.icmp_seq = ip.icmpSeq;
  }
  drop.reason = ctx.reason;
  const rec: Record<string, unknown> = {
    timestamp: formatEveTimestamp(frame.tsSec, Math.floor(frame.tsNsec / 1000), ctx.tzOffsetMinutes ?? 0),
    ...(ctx.flowId !== undefined ? { flow_id: ctx.flowId } : {}),
    ...(ctx.inIface !== undefined ? { in_iface: ctx.inIface } : {}),
    pcap_cnt: frame.frameNumber,
    event_type: 'drop',
    src_ip: formatIp(ipBytes(ip, true)),
    ...(ports ? { src_port: ip.srcPort } : {}),
    dest_ip: formatIp(ipBytes(ip, false)),
    ...(ports ? { dest_port: ip.dstPort } : {}),
    ip_v: ip.ipVersion,
    proto: eveProto(ip.ipProto),
    ...(ctx.toServer !== undefined ? { direction: ctx.toServer ? 'to_server' : 'to_client' } : {}),
    drop,
  };
  if (ctx.alert !== undefined) rec.alert = ctx.alert;
  return rec;
}

function ipBytes(ip: Packet, src: boolean): Uint8Array {
  const off = src ? ip.srcOffset : ip.dstOffset;
  return ip.buf.subarray(off, off + (ip.ipVersion === 6 ? 16 : 4));
}
