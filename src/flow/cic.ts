/**
 * CICFlowMeter's CSE-CIC-IDS2018 CSV layout: the same 84 columns in the same order with the
 * same names, times in microseconds, packet lengths as L4 payload bytes, as CICFlowMeter
 * computes them, with its bugs fixed (each fix is listed in docs/flows.md).
 */

import { formatIPv4Word, formatIPv6 } from '../net/address.js';
import { stdFromM2 } from './features.js';
import { flowKeyInfo } from './flow-key-format.js';
import {
  CHUNK_BITS,
  CHUNK_MASK,
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
  K_DST,
  K_META,
  K_PORTS,
  K_SRC,
  KEY_WORDS,
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

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

let lastSecond = -1;
let lastStamp = '';

/** `dd/MM/yyyy HH:mm:ss` in UTC, CICFlowMeter's timestamp shape (cached per second: flows cluster). */
export function cicTimestamp(us: number): string {
  const sec = Math.floor(us / 1e6);
  if (sec === lastSecond) return lastStamp;
  const d = new Date(sec * 1000);
  lastSecond = sec;
  lastStamp = `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return lastStamp;
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

const NUMS = new Float64Array(CIC_COLUMNS.length);

/**
 * Writes the numeric columns of the flow in `slot` into `n` (indexed like {@link CIC_COLUMNS};
 * text columns are left alone). No per-value boxing. For the row writers.
 */
export function cicFill(table: FlowTable, slot: number, n: Float64Array): void {
  const F = table.floats(slot);
  const b = FlowTable.base(slot);
  const fw = b + F_DIR;
  const bw = b + F_DIR + DIR_SLOTS;
  const K = table.kchunks[slot >>> CHUNK_BITS];
  const ko = (slot & CHUNK_MASK) * KEY_WORDS;
  const ports = K[ko + K_PORTS];
  const fPk = F[fw + D_PKTS];
  const bPk = F[bw + D_PKTS];
  const pk = fPk + bPk;
  const fLen = F[fw + D_PAYLOAD];
  const bLen = F[bw + D_PAYLOAD];
  const dur = F[b + F_LAST] - F[b + F_FIRST];
  const secs = dur / 1e6;
  const sf = F[b + F_SUBFLOWS];
  n[2] = ports >>> 16;
  n[4] = ports & 0xffff;
  n[5] = (K[ko + K_META] >>> 8) & 0xff;
  n[7] = dur;
  n[8] = fPk;
  n[9] = bPk;
  n[10] = fLen;
  n[11] = bLen;
  n[12] = fin(F[fw + D_LEN_MAX]);
  n[13] = fin(F[fw + D_LEN_MIN]);
  n[14] = F[fw + D_LEN_MEAN];
  n[15] = stdFromM2(F[fw + D_LEN_M2], fPk);
  n[16] = fin(F[bw + D_LEN_MAX]);
  n[17] = fin(F[bw + D_LEN_MIN]);
  n[18] = F[bw + D_LEN_MEAN];
  n[19] = stdFromM2(F[bw + D_LEN_M2], bPk);
  n[20] = ratio(fLen + bLen, secs);
  n[21] = ratio(pk, secs);
  n[22] = F[b + F_IAT_MEAN];
  n[23] = stdFromM2(F[b + F_IAT_M2], pk - 1);
  n[24] = fin(F[b + F_IAT_MAX]);
  n[25] = fin(F[b + F_IAT_MIN]);
  n[26] = F[fw + D_IAT_SUM];
  n[27] = F[fw + D_IAT_MEAN];
  n[28] = stdFromM2(F[fw + D_IAT_M2], fPk - 1);
  n[29] = fin(F[fw + D_IAT_MAX]);
  n[30] = fin(F[fw + D_IAT_MIN]);
  n[31] = F[bw + D_IAT_SUM];
  n[32] = F[bw + D_IAT_MEAN];
  n[33] = stdFromM2(F[bw + D_IAT_M2], bPk - 1);
  n[34] = fin(F[bw + D_IAT_MAX]);
  n[35] = fin(F[bw + D_IAT_MIN]);
  n[36] = F[fw + D_PSH];
  n[37] = F[bw + D_PSH];
  n[38] = F[fw + D_URG];
  n[39] = F[bw + D_URG];
  n[40] = F[fw + D_HDR];
  n[41] = F[bw + D_HDR];
  n[42] = ratio(fPk, secs);
  n[43] = ratio(bPk, secs);
  n[44] = fin(F[b + F_LEN_MIN]);
  n[45] = fin(F[b + F_LEN_MAX]);
  n[46] = F[b + F_LEN_MEAN];
  n[47] = stdFromM2(F[b + F_LEN_M2], pk);
  n[48] = pk > 1 ? F[b + F_LEN_M2] / (pk - 1) : 0;
  n[49] = F[b + F_FIN];
  n[50] = F[b + F_SYN];
  n[51] = F[b + F_RST];
  n[52] = F[b + F_PSH];
  n[53] = F[b + F_ACK];
  n[54] = F[b + F_URG];
  n[55] = F[b + F_CWR];
  n[56] = F[b + F_ECE];
  n[57] = ratio(bPk, fPk);
  n[58] = ratio(fLen + bLen, pk);
  n[59] = ratio(fLen, fPk);
  n[60] = ratio(bLen, bPk);
  n[61] = ratio(F[fw + D_BULK_SIZE], F[fw + D_BULK_STATES]);
  n[62] = ratio(F[fw + D_BULK_PKTS], F[fw + D_BULK_STATES]);
  n[63] = ratio(F[fw + D_BULK_SIZE], F[fw + D_BULK_DUR] / 1e6);
  n[64] = ratio(F[bw + D_BULK_SIZE], F[bw + D_BULK_STATES]);
  n[65] = ratio(F[bw + D_BULK_PKTS], F[bw + D_BULK_STATES]);
  n[66] = ratio(F[bw + D_BULK_SIZE], F[bw + D_BULK_DUR] / 1e6);
  n[67] = fPk / sf;
  n[68] = fLen / sf;
  n[69] = bPk / sf;
  n[70] = bLen / sf;
  n[71] = F[fw + D_INIT_WIN];
  n[72] = F[bw + D_INIT_WIN];
  n[73] = F[fw + D_DATA_PKTS];
  n[74] = fin(F[fw + D_HDR_MIN]);
  n[75] = F[b + F_ACT_MEAN];
  n[76] = stdFromM2(F[b + F_ACT_M2], F[b + F_ACT_N]);
  n[77] = fin(F[b + F_ACT_MAX]);
  n[78] = fin(F[b + F_ACT_MIN]);
  n[79] = F[b + F_IDLE_MEAN];
  n[80] = stdFromM2(F[b + F_IDLE_M2], F[b + F_IDLE_N]);
  n[81] = fin(F[b + F_IDLE_MAX]);
  n[82] = fin(F[b + F_IDLE_MIN]);
}

/** The values of every CIC column for the flow in `slot`, in column order. */
export function cicValues(table: FlowTable, slot: number, label = CIC_NO_LABEL): (string | number)[] {
  cicFill(table, slot, NUMS);
  const k = flowKeyInfo(table, slot);
  const out: (string | number)[] = Array.from(NUMS);
  out[0] = cicFlowId(k.srcBytes, k.srcIp, k.srcPort, k.dstBytes, k.dstIp, k.dstPort, k.protocol);
  out[1] = k.srcIp;
  out[3] = k.dstIp;
  out[6] = cicTimestamp(table.floats(slot)[FlowTable.base(slot) + F_FIRST]);
  out[83] = label;
  return out;
}

/** The CSV header line (no newline). */
export function cicHeader(): string {
  return CIC_COLUMNS.join(',');
}

/** One CSV line (no newline) for the flow in `slot`. */
export function cicRow(table: FlowTable, slot: number, label = CIC_NO_LABEL): string {
  const n = NUMS;
  cicFill(table, slot, n);
  const K = table.kchunks[slot >>> CHUNK_BITS];
  const o = (slot & CHUNK_MASK) * KEY_WORDS;
  const v6 = (K[o + K_META] & 0xff) === 6;
  const src = v6 ? ipv6Text(K, o + K_SRC) : ipv4Text(K[o + K_SRC]);
  const dst = v6 ? ipv6Text(K, o + K_DST) : ipv4Text(K[o + K_DST]);
  const sp = n[2];
  const dp = n[4];
  const proto = n[5];
  // CICFlowMeter's Flow ID order (see cicFlowId): the lower address as Java's signed bytes
  // first; flipping each byte's top bit turns that into an unsigned word comparison
  let forward = true;
  for (let i = 0, e = v6 ? 4 : 1; i < e; i++) {
    const a = (K[o + K_SRC + i] ^ 0x80808080) >>> 0;
    const c = (K[o + K_DST + i] ^ 0x80808080) >>> 0;
    if (a !== c) {
      forward = a < c;
      break;
    }
  }
  let s = forward
    ? `${src}-${dst}-${sp}-${dp}-${proto},${src},${sp},${dst},${dp},${proto},`
    : `${dst}-${src}-${dp}-${sp}-${proto},${src},${sp},${dst},${dp},${proto},`;
  s += cicTimestamp(table.floats(slot)[FlowTable.base(slot) + F_FIRST]);
  // zeros are most of a row (no bulk, no URG, no idle...): a run of them is one piece
  let zeros = 0;
  for (let i = 7; i < 83; i++) {
    const x = n[i];
    if (x === 0) {
      zeros++;
      continue;
    }
    if (zeros > 0) {
      s += ZERO_RUNS[zeros];
      zeros = 0;
    }
    s += numText(x);
  }
  if (zeros > 0) s += ZERO_RUNS[zeros];
  return `${s},${label}`;
}

// ---- text caches for rows: flows of one capture repeat addresses and values a lot (a scan
// is one address pair and the same few durations), and a cache hit is far cheaper than
// formatting. Direct-mapped, keyed by the exact value, so the text is always String(value).

const IP4_SIZE = 1024;
const ip4Keys = new Float64Array(IP4_SIZE).fill(-1);
const ip4Text: string[] = new Array<string>(IP4_SIZE).fill('');

function ipv4Text(w: number): string {
  const i = (Math.imul(w, 0x9e3779b1) >>> 22) & (IP4_SIZE - 1);
  if (ip4Keys[i] === w) return ip4Text[i];
  const t = formatIPv4Word(w);
  ip4Keys[i] = w;
  ip4Text[i] = t;
  return t;
}

const V6_BYTES = new Uint8Array(16);
const lastV6 = new Uint32Array(4);
let lastV6Text = '';

function ipv6Text(K: Uint32Array, at: number): string {
  if (
    lastV6Text !== '' &&
    K[at] === lastV6[0] &&
    K[at + 1] === lastV6[1] &&
    K[at + 2] === lastV6[2] &&
    K[at + 3] === lastV6[3]
  )
    return lastV6Text;
  for (let i = 0; i < 4; i++) {
    const w = K[at + i];
    lastV6[i] = w;
    V6_BYTES[i * 4] = w >>> 24;
    V6_BYTES[i * 4 + 1] = (w >>> 16) & 0xff;
    V6_BYTES[i * 4 + 2] = (w >>> 8) & 0xff;
    V6_BYTES[i * 4 + 3] = w & 0xff;
  }
  lastV6Text = formatIPv6(V6_BYTES, 0);
  return lastV6Text;
}

/** `,0` repeated n times, n = 0...76 (the numeric columns of a row). */
const ZERO_RUNS: string[] = [];
for (let i = 0, z = ''; i <= 76; i++, z += ',0') ZERO_RUNS.push(z);

const NUM_SIZE = 4096;
const numKeys = new Float64Array(NUM_SIZE);
const numStrs: string[] = new Array<string>(NUM_SIZE).fill(',0');
const BITS = new Float64Array(1);
const BITS32 = new Uint32Array(BITS.buffer);

/** `,` + `String(x)`, from a cache when the same value was formatted recently (x is never 0 here). */
function numText(x: number): string {
  BITS[0] = x;
  const i = (Math.imul(BITS32[0] ^ BITS32[1], 0x9e3779b1) >>> 20) & (NUM_SIZE - 1);
  if (numKeys[i] === x) return numStrs[i];
  const t = `,${x}`;
  numKeys[i] = x;
  numStrs[i] = t;
  return t;
}
