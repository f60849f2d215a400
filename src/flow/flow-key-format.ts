/** Formatting a stored flow key for output (allocates: for exporters, not the packet path). */
import { formatIPv6 } from '../net/address.js';
import { CHUNK_BITS, CHUNK_MASK, K_DST, K_META, K_PORTS, K_SRC, K_VLAN, KEY_WORDS } from './layout.js';
import type { FlowTable } from './table.js';

export interface FlowKeyInfo {
  ipVersion: number;
  protocol: number;
  vlan: number;
  /** The initiator (client). */
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** The address bytes, for CICFlowMeter's Flow ID ordering. */
  srcBytes: Uint8Array;
  dstBytes: Uint8Array;
}

function addrBytes(K: Uint32Array, at: number, v6: boolean): Uint8Array {
  const n = v6 ? 4 : 1;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const w = K[at + i];
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = (w >>> 16) & 0xff;
    out[i * 4 + 2] = (w >>> 8) & 0xff;
    out[i * 4 + 3] = w & 0xff;
  }
  return out;
}

function fmt(b: Uint8Array): string {
  return b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : formatIPv6(b, 0);
}

/** The key of the flow in `slot`. */
export function flowKeyInfo(table: FlowTable, slot: number): FlowKeyInfo {
  const K = table.kchunks[slot >>> CHUNK_BITS];
  const o = (slot & CHUNK_MASK) * KEY_WORDS;
  const meta = K[o + K_META];
  const v6 = (meta & 0xff) === 6;
  const srcBytes = addrBytes(K, o + K_SRC, v6);
  const dstBytes = addrBytes(K, o + K_DST, v6);
  const ports = K[o + K_PORTS];
  return {
    ipVersion: meta & 0xff,
    protocol: (meta >>> 8) & 0xff,
    vlan: K[o + K_VLAN],
    srcIp: fmt(srcBytes),
    srcPort: ports >>> 16,
    dstIp: fmt(dstBytes),
    dstPort: ports & 0xffff,
    srcBytes,
    dstBytes,
  };
}
