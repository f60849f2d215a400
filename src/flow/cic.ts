/**
 * CICFlowMeter's CSE-CIC-IDS2018 CSV layout: the same 84 columns in the same order with the
 * same names, times in microseconds, packet lengths as L4 payload bytes, as CICFlowMeter
 * computes them, with its bugs fixed (each fix is listed in docs/flows.md).
 */
import { stdFromM2 } from './features.js';
import { flowKeyInfo } from './flow-key-format.js';
import {
  D_BULK_DUR,
  D_BULK_PKTS,
  D_BULK_SIZE,
  D_BULK_STATES,
  D_DATA_PKTS,
  D_HDR,
  D_HDR_MIN,
  D_IAT_M2,
  D_IAT_MAX,
  D_IAT_MEAN,
  D_IAT_MIN,
  D_IAT_SUM,
  D_INIT_WIN,
  D_LEN_M2,
  D_LEN_MAX,
  D_LEN_MEAN,
  D_LEN_MIN,
  D_PAYLOAD,
  D_PKTS,
  D_PSH,
  D_URG,
  DIR_SLOTS,
  F_ACK,
  F_ACT_M2,
  F_ACT_MAX,
  F_ACT_MEAN,
  F_ACT_MIN,
  F_ACT_N,
  F_CWR,
  F_DIR,
  F_ECE,
  F_FIN,
  F_FIRST,
  F_IAT_M2,
  F_IAT_MAX,
  F_IAT_MEAN,
  F_IAT_MIN,
  F_IDLE_M2,
  F_IDLE_MAX,
  F_IDLE_MEAN,
  F_IDLE_MIN,
  F_IDLE_N,
  F_LAST,
  F_LEN_M2,
  F_LEN_MAX,
  F_LEN_MEAN,
  F_LEN_MIN,
  F_PSH,
  F_RST,
  F_SUBFLOWS,
  F_SYN,
  F_URG,
} from './layout.js';
import { FlowTable } from './table.js';

/** The header line of CICFlowMeter's CSE-CIC-IDS2018 CSV files, in order. */
export const CIC_COLUMNS = [
  'Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Protocol', 'Timestamp', 'Flow Duration',
  'Tot Fwd Pkts', 'Tot Bwd Pkts', 'TotLen Fwd Pkts', 'TotLen Bwd Pkts', 'Fwd Pkt Len Max',
  'Fwd Pkt Len Min', 'Fwd Pkt Len Mean', 'Fwd Pkt Len Std', 'Bwd Pkt Len Max', 'Bwd Pkt Len Min',
  'Bwd Pkt Len Mean', 'Bwd Pkt Len Std', 'Flow Byts/s', 'Flow Pkts/s', 'Flow IAT Mean',
  'Flow IAT Std', 'Flow IAT Max', 'Flow IAT Min', 'Fwd IAT Tot', 'Fwd IAT Mean', 'Fwd IAT Std',
  'Fwd IAT Max', 'Fwd IAT Min', 'Bwd IAT Tot', 'Bwd IAT Mean', 'Bwd IAT Std', 'Bwd IAT Max',
  'Bwd IAT Min', 'Fwd PSH Flags', 'Bwd PSH Flags', 'Fwd URG Flags', 'Bwd URG Flags',
  'Fwd Header Len', 'Bwd Header Len', 'Fwd Pkts/s', 'Bwd Pkts/s', 'Pkt Len Min', 'Pkt Len Max',
  'Pkt Len Mean', 'Pkt Len Std', 'Pkt Len Var', 'FIN Flag Cnt', 'SYN Flag Cnt', 'RST Flag Cnt',
  'PSH Flag Cnt', 'ACK Flag Cnt', 'URG Flag Cnt', 'CWE Flag Count', 'ECE Flag Cnt',
  'Down/Up Ratio', 'Pkt Size Avg', 'Fwd Seg Size Avg', 'Bwd Seg Size Avg', 'Fwd Byts/b Avg',
  'Fwd Pkts/b Avg', 'Fwd Blk Rate Avg', 'Bwd Byts/b Avg', 'Bwd Pkts/b Avg', 'Bwd Blk Rate Avg',
  'Subflow Fwd Pkts', 'Subflow Fwd Byts', 'Subflow Bwd Pkts', 'Subflow Bwd Byts',
  'Init Fwd Win Byts', 'Init Bwd Win Byts', 'Fwd Act Data Pkts', 'Fwd Seg Size Min',
  'Active Mean', 'Active Std', 'Active Max', 'Active Min', 'Idle Mean', 'Idle Std', 'Idle Max',
  'Idle Min', 'Label',
] as const; // biome-ignore format: one line per group reads better than one name per line

export type CicColumn = (typeof CIC_COLUMNS)[number];

/** The label column's value: CICFlowMeter writes this when no labelling was done. */
export const CIC_NO_LABEL = 'No Label';

/** min/max that were never set (no packet in that direction) read as 0. */
function fin(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

/** `dd/MM/yyyy HH:mm:ss` in UTC, CICFlowMeter's timestamp shape. */
export function cicTimestamp(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * CICFlowMeter's Flow ID: both addresses, ports and the protocol, the side whose address
 * compares lower byte by byte (as Java's signed bytes) first, so both directions get one id.
 */
export function cicFlowId(
  srcBytes: Uint8Array,
  src: string,
  srcPort: number,
  dstBytes: Uint8Array,
  dst: string,
  dstPort: number,
  proto: number,
): string {
  let forward = true;
  const n = Math.min(srcBytes.length, dstBytes.length);
  for (let i = 0; i < n; i++) {
    const a = (srcBytes[i] << 24) >> 24;
    const b = (dstBytes[i] << 24) >> 24;
    if (a !== b) {
      forward = a < b;
      break;
    }
  }
  return forward
    ? `${src}-${dst}-${srcPort}-${dstPort}-${proto}`
    : `${dst}-${src}-${dstPort}-${srcPort}-${proto}`;
}

/** The values of every CIC column for the flow in `slot`, in column order. */
export function cicValues(table: FlowTable, slot: number, label = CIC_NO_LABEL): (string | number)[] {
  const F = table.floats(slot);
  const b = FlowTable.base(slot);
  const fw = b + F_DIR;
  const bw = b + F_DIR + DIR_SLOTS;
  const k = flowKeyInfo(table, slot);
  const fPk = F[fw + D_PKTS];
  const bPk = F[bw + D_PKTS];
  const pk = fPk + bPk;
  const fLen = F[fw + D_PAYLOAD];
  const bLen = F[bw + D_PAYLOAD];
  const dur = F[b + F_LAST] - F[b + F_FIRST];
  const secs = dur / 1e6;
  const sf = F[b + F_SUBFLOWS];
  const bulk = (o: number): number[] => [
    ratio(F[o + D_BULK_SIZE], F[o + D_BULK_STATES]),
    ratio(F[o + D_BULK_PKTS], F[o + D_BULK_STATES]),
    ratio(F[o + D_BULK_SIZE], F[o + D_BULK_DUR] / 1e6),
  ];
  return [
    cicFlowId(k.srcBytes, k.srcIp, k.srcPort, k.dstBytes, k.dstIp, k.dstPort, k.protocol),
    k.srcIp,
    k.srcPort,
    k.dstIp,
    k.dstPort,
    k.protocol,
    cicTimestamp(F[b + F_FIRST]),
    dur,
    fPk,
    bPk,
    fLen,
    bLen,
    fin(F[fw + D_LEN_MAX]),
    fin(F[fw + D_LEN_MIN]),
    F[fw + D_LEN_MEAN],
    stdFromM2(F[fw + D_LEN_M2], fPk),
    fin(F[bw + D_LEN_MAX]),
    fin(F[bw + D_LEN_MIN]),
    F[bw + D_LEN_MEAN],
    stdFromM2(F[bw + D_LEN_M2], bPk),
    ratio(fLen + bLen, secs),
    ratio(pk, secs),
    F[b + F_IAT_MEAN],
    stdFromM2(F[b + F_IAT_M2], pk - 1),
    fin(F[b + F_IAT_MAX]),
    fin(F[b + F_IAT_MIN]),
    F[fw + D_IAT_SUM],
    F[fw + D_IAT_MEAN],
    stdFromM2(F[fw + D_IAT_M2], fPk - 1),
    fin(F[fw + D_IAT_MAX]),
    fin(F[fw + D_IAT_MIN]),
    F[bw + D_IAT_SUM],
    F[bw + D_IAT_MEAN],
    stdFromM2(F[bw + D_IAT_M2], bPk - 1),
    fin(F[bw + D_IAT_MAX]),
    fin(F[bw + D_IAT_MIN]),
    F[fw + D_PSH],
    F[bw + D_PSH],
    F[fw + D_URG],
    F[bw + D_URG],
    F[fw + D_HDR],
    F[bw + D_HDR],
    ratio(fPk, secs),
    ratio(bPk, secs),
    fin(F[b + F_LEN_MIN]),
    fin(F[b + F_LEN_MAX]),
    F[b + F_LEN_MEAN],
    stdFromM2(F[b + F_LEN_M2], pk),
    pk > 1 ? F[b + F_LEN_M2] / (pk - 1) : 0,
    F[b + F_FIN],
    F[b + F_SYN],
    F[b + F_RST],
    F[b + F_PSH],
    F[b + F_ACK],
    F[b + F_URG],
    F[b + F_CWR],
    F[b + F_ECE],
    ratio(bPk, fPk),
    ratio(fLen + bLen, pk),
    ratio(fLen, fPk),
    ratio(bLen, bPk),
    ...bulk(fw),
    ...bulk(bw),
    fPk / sf,
    fLen / sf,
    bPk / sf,
    bLen / sf,
    F[fw + D_INIT_WIN],
    F[bw + D_INIT_WIN],
    F[fw + D_DATA_PKTS],
    fin(F[fw + D_HDR_MIN]),
    F[b + F_ACT_MEAN],
    stdFromM2(F[b + F_ACT_M2], F[b + F_ACT_N]),
    fin(F[b + F_ACT_MAX]),
    fin(F[b + F_ACT_MIN]),
    F[b + F_IDLE_MEAN],
    stdFromM2(F[b + F_IDLE_M2], F[b + F_IDLE_N]),
    fin(F[b + F_IDLE_MAX]),
    fin(F[b + F_IDLE_MIN]),
    label,
  ];
}

/** The CSV header line (no newline). */
export function cicHeader(): string {
  return CIC_COLUMNS.join(',');
}

/** One CSV line (no newline) for the flow in `slot`. */
export function cicRow(table: FlowTable, slot: number, label = CIC_NO_LABEL): string {
  return cicValues(table, slot, label).join(',');
}
