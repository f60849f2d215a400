/**
 * Where each piece of a flow's state lives. A flow is a fixed run of float64 slots in a slab
 * (struct of arrays, chunked) plus a fixed run of uint32 key words: no object per flow, no
 * array per packet, so memory per flow is a constant (see {@link FLOW_BYTES}).
 */

/** Flows per slab chunk: chunks are allocated as the table fills, never moved. */
export const CHUNK_BITS = 12;
export const CHUNK_FLOWS = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK_FLOWS - 1;

// ---- key words (Uint32 per flow) ----------------------------------------------------------
/** Symmetric hash of the key. */
export const K_HASH = 0;
/** IP version (low byte) | protocol << 8 | address words used (1 or 4) << 16. */
export const K_META = 1;
export const K_VLAN = 2;
/** Initiator (client) address, 4 words (IPv4 uses the first). */
export const K_SRC = 3;
/** Responder (server) address, 4 words. */
export const K_DST = 7;
/** Initiator port << 16 | responder port (ICMP: see key.ts). */
export const K_PORTS = 11;
export const KEY_WORDS = 12;

// ---- flow-wide float64 slots --------------------------------------------------------------
export const F_ID = 0;
/** First and last packet, microseconds since the epoch. */
export const F_FIRST = 1;
export const F_LAST = 2;
/** Application protocol code (see app.ts) and how many payload packets were inspected. */
export const F_APP = 3;
export const F_APP_TRIES = 4;
/** Bit 0: FIN seen from the initiator, bit 1: FIN seen from the responder, bit 2: closed. */
export const F_FIN_STATE = 5;
/** Flow inter-arrival times: Welford running mean/M2, min, max (n = packets - 1). */
export const F_IAT_MEAN = 6;
export const F_IAT_M2 = 7;
export const F_IAT_MIN = 8;
export const F_IAT_MAX = 9;
/** Payload length over every packet (n = packets). */
export const F_LEN_MEAN = 10;
export const F_LEN_M2 = 11;
export const F_LEN_MIN = 12;
export const F_LEN_MAX = 13;
/** Packets carrying each TCP flag, both directions. */
export const F_FIN = 14;
export const F_SYN = 15;
export const F_RST = 16;
export const F_PSH = 17;
export const F_ACK = 18;
export const F_URG = 19;
export const F_CWR = 20;
export const F_ECE = 21;
/** Active/idle periods (CICFlowMeter's 5 s activity timeout). */
export const F_ACT_START = 22;
export const F_ACT_END = 23;
export const F_ACT_N = 24;
export const F_ACT_MEAN = 25;
export const F_ACT_M2 = 26;
export const F_ACT_MIN = 27;
export const F_ACT_MAX = 28;
export const F_IDLE_N = 29;
export const F_IDLE_MEAN = 30;
export const F_IDLE_M2 = 31;
export const F_IDLE_MIN = 32;
export const F_IDLE_MAX = 33;
/** Subflows: bursts separated by more than 1 s of silence. */
export const F_SUBFLOWS = 34;
/** Why the flow ended (EndReason), set when it leaves. */
export const F_END = 35;
/** When a TCP flow closed (FIN from both sides then the last ACK, or RST), µs; it lingers. */
export const F_CLOSED = 36;
/** First direction block. */
export const F_DIR = 37;

// ---- per-direction float64 slots (offset from F_DIR + dir * DIR_SLOTS) ----------------------
export const D_PKTS = 0;
/** Bytes as chosen by the table's `bytes` mode (link, ip, payload). */
export const D_BYTES = 1;
/** L4 payload bytes (CICFlowMeter's packet length). */
export const D_PAYLOAD = 2;
export const D_LEN_MIN = 3;
export const D_LEN_MAX = 4;
export const D_LEN_MEAN = 5;
export const D_LEN_M2 = 6;
export const D_FIRST = 7;
export const D_LAST = 8;
export const D_IAT_SUM = 9;
export const D_IAT_MEAN = 10;
export const D_IAT_M2 = 11;
export const D_IAT_MIN = 12;
export const D_IAT_MAX = 13;
export const D_PSH = 14;
export const D_URG = 15;
/** Transport header bytes summed, and the smallest transport header. */
export const D_HDR = 16;
export const D_HDR_MIN = 17;
/** TCP window of the first packet in this direction, -1 if none. */
export const D_INIT_WIN = 18;
/** Packets with at least one byte of payload. */
export const D_DATA_PKTS = 19;
/** Bulk detection (CICFlowMeter's algorithm, per direction). */
export const D_BULK_START = 20;
export const D_BULK_LAST = 21;
export const D_BULK_CNT_H = 22;
export const D_BULK_SIZE_H = 23;
export const D_BULK_STATES = 24;
export const D_BULK_PKTS = 25;
export const D_BULK_SIZE = 26;
export const D_BULK_DUR = 27;
export const DIR_SLOTS = 28;

export const FLOW_SLOTS = F_DIR + 2 * DIR_SLOTS;

/** Direction of a packet within its flow. */
export const Direction = {
  /** From the initiator (client) to the responder: CICFlowMeter's forward, NFStream's src2dst. */
  TO_SERVER: 0,
  /** From the responder back to the initiator. */
  TO_CLIENT: 1,
} as const;

/** Why a flow left the table. */
export const EndReason = {
  IDLE: 0,
  ACTIVE: 1,
  FIN: 2,
  RST: 3,
  EVICTED: 4,
  FLUSH: 5,
} as const;
export const END_REASON_NAMES = ['idle', 'active', 'fin', 'rst', 'evicted', 'end'] as const;
export type EndReasonName = (typeof END_REASON_NAMES)[number];

/**
 * Bytes of state per flow: its float64 slots, its key words, two int32 LRU links, and the
 * share of the hash index (buckets of two int32, slot and hash, kept at most half full: two
 * buckets per flow on average, four at worst).
 */
export const FLOW_BYTES = FLOW_SLOTS * 8 + KEY_WORDS * 4 + 2 * 4 + 4 * 8;
