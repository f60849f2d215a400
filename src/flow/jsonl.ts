/**
 * The JSON Lines form: one object per flow with NFStream's snake_case base fields
 * (times in milliseconds since the epoch, as NFStream gives them), the application-protocol
 * guess and why the flow ended.
 */
import { appName } from './app.js';
import { flowKeyInfo } from './flow-key-format.js';
import {
  D_BYTES,
  D_FIRST,
  D_LAST,
  D_PKTS,
  DIR_SLOTS,
  END_REASON_NAMES,
  type EndReasonName,
  F_APP,
  F_DIR,
  F_END,
  F_FIRST,
  F_ID,
  F_LAST,
} from './layout.js';
import { FlowTable } from './table.js';

/** One flow in the JSON Lines output. */
export interface FlowJson {
  id: number;
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  protocol: number;
  ip_version: number;
  vlan_id: number;
  bidirectional_first_seen_ms: number;
  bidirectional_last_seen_ms: number;
  bidirectional_duration_ms: number;
  bidirectional_packets: number;
  bidirectional_bytes: number;
  src2dst_first_seen_ms: number;
  src2dst_last_seen_ms: number;
  src2dst_duration_ms: number;
  src2dst_packets: number;
  src2dst_bytes: number;
  dst2src_first_seen_ms: number;
  dst2src_last_seen_ms: number;
  dst2src_duration_ms: number;
  dst2src_packets: number;
  dst2src_bytes: number;
  application_name: string;
  /** The name comes from the well-known port only, no decoder recognised the payload. */
  application_is_guessed: boolean;
  end_reason: EndReasonName;
}

const ms = (us: number) => Math.floor(us / 1000);

/** The JSON object of the flow in `slot`. */
export function flowJson(table: FlowTable, slot: number): FlowJson {
  const F = table.floats(slot);
  const b = FlowTable.base(slot);
  const k = flowKeyInfo(table, slot);
  const s = b + F_DIR;
  const d = b + F_DIR + DIR_SLOTS;
  const app = appName(F[b + F_APP], k.srcPort, k.dstPort, k.protocol);
  const sp = F[s + D_PKTS];
  const dp = F[d + D_PKTS];
  const end = F[b + F_END];
  return {
    id: F[b + F_ID],
    src_ip: k.srcIp,
    src_port: k.srcPort,
    dst_ip: k.dstIp,
    dst_port: k.dstPort,
    protocol: k.protocol,
    ip_version: k.ipVersion,
    vlan_id: k.vlan,
    bidirectional_first_seen_ms: ms(F[b + F_FIRST]),
    bidirectional_last_seen_ms: ms(F[b + F_LAST]),
    bidirectional_duration_ms: ms(F[b + F_LAST]) - ms(F[b + F_FIRST]),
    bidirectional_packets: sp + dp,
    bidirectional_bytes: F[s + D_BYTES] + F[d + D_BYTES],
    src2dst_first_seen_ms: sp > 0 ? ms(F[s + D_FIRST]) : 0,
    src2dst_last_seen_ms: sp > 0 ? ms(F[s + D_LAST]) : 0,
    src2dst_duration_ms: sp > 0 ? ms(F[s + D_LAST]) - ms(F[s + D_FIRST]) : 0,
    src2dst_packets: sp,
    src2dst_bytes: F[s + D_BYTES],
    dst2src_first_seen_ms: dp > 0 ? ms(F[d + D_FIRST]) : 0,
    dst2src_last_seen_ms: dp > 0 ? ms(F[d + D_LAST]) : 0,
    dst2src_duration_ms: dp > 0 ? ms(F[d + D_LAST]) - ms(F[d + D_FIRST]) : 0,
    dst2src_packets: dp,
    dst2src_bytes: F[d + D_BYTES],
    application_name: app.name,
    application_is_guessed: app.guessed,
    end_reason: END_REASON_NAMES[end >= 0 ? end : 5],
  };
}
