/*
 * The capture engine's flow statistics: a port of src/flow/features.ts (the same IEEE
 * operations in the same order; built without FP contraction) and the slot layout beyond
 * what text.h names. Included by engine.cc only.
 */
#pragma once

#include "text.h"

namespace sentra_flow {

// ---- layout (src/flow/layout.ts) beyond what text.h names ------------------------------------
constexpr int K_HASH = 0, K_VLAN = 2;
constexpr int F_ID = 0, F_FIN_STATE = 5, F_ACT_START = 22, F_ACT_END = 23, F_END = 35, F_CLOSED = 36;
constexpr int D_BYTES = 1, D_FIRST = 7, D_LAST = 8, D_BULK_START = 20, D_BULK_LAST = 21, D_BULK_CNT_H = 22,
              D_BULK_SIZE_H = 23;
constexpr int CHUNK_BITS = 12, CHUNK_FLOWS = 1 << CHUNK_BITS, CHUNK_MASK = CHUNK_FLOWS - 1;
constexpr int32_t EMPTY = -1;
constexpr double CLOSED = 4;
constexpr double ACTIVITY_TIMEOUT_US = 5000000, SUBFLOW_GAP_US = 1000000, BULK_MIN_PACKETS = 4;
enum EndReason { R_IDLE = 0, R_ACTIVE = 1, R_FIN = 2, R_RST = 3, R_EVICTED = 4, R_FLUSH = 5 };
constexpr uint32_t T_FIN = 0x1, T_SYN = 0x2, T_RST = 0x4, T_PSH = 0x8, T_ACK = 0x10, T_URG = 0x20, T_ECE = 0x40,
                   T_CWR = 0x80;
/** Largest record (src/packet/file/limits.ts MAX_CAPLEN). */
constexpr uint32_t MAX_CAPLEN = 262144;
/** ingest() returns to JavaScript once this much CSV is waiting. */
constexpr size_t OUT_FLUSH = 256 * 1024;

/** The slots of a new flow (features.ts FRESH). */
struct Fresh {
  double v[FLOW_SLOTS];
  Fresh() : v() {
    const double inf = HUGE_VAL;
    v[F_IAT_MIN] = inf;
    v[F_LEN_MIN] = inf;
    v[F_ACT_MIN] = inf;
    v[F_IDLE_MIN] = inf;
    v[F_SUBFLOWS] = 1;
    v[F_END] = -1;
    for (int d = 0; d < 2; d++) {
      const int o = F_DIR + d * DIR_SLOTS;
      v[o + D_LEN_MIN] = inf;
      v[o + D_IAT_MIN] = inf;
      v[o + D_HDR_MIN] = inf;
      v[o + D_INIT_WIN] = -1;
    }
  }
};
inline const Fresh FRESH;

/** features.ts PacketFacts. */
struct Facts {
  double ts, bytes, payload, header, window;
  uint32_t flags;
};

// ---- features.ts -------------------------------------------------------------------------------

inline void addActive(double *F, double v) {
  const double n = ++F[F_ACT_N];
  const double d = v - F[F_ACT_MEAN];
  F[F_ACT_MEAN] += d / n;
  F[F_ACT_M2] += d * (v - F[F_ACT_MEAN]);
  if (v < F[F_ACT_MIN]) F[F_ACT_MIN] = v;
  if (v > F[F_ACT_MAX]) F[F_ACT_MAX] = v;
}

inline void addIdle(double *F, double v) {
  const double n = ++F[F_IDLE_N];
  const double d = v - F[F_IDLE_MEAN];
  F[F_IDLE_MEAN] += d / n;
  F[F_IDLE_M2] += d * (v - F[F_IDLE_MEAN]);
  if (v < F[F_IDLE_MIN]) F[F_IDLE_MIN] = v;
  if (v > F[F_IDLE_MAX]) F[F_IDLE_MAX] = v;
}

inline void finishFlow(double *F) {
  const double len = F[F_ACT_END] - F[F_ACT_START];
  if (len > 0) addActive(F, len);
}

inline void updateBulk(double *F, int o, int other, double ts, double size) {
  if (F[other + D_BULK_LAST] > F[o + D_BULK_START]) F[o + D_BULK_START] = 0;
  if (size <= 0) return;
  if (F[o + D_BULK_START] == 0) {
    F[o + D_BULK_START] = ts;
    F[o + D_BULK_CNT_H] = 1;
    F[o + D_BULK_SIZE_H] = size;
    F[o + D_BULK_LAST] = ts;
    return;
  }
  if (ts - F[o + D_BULK_LAST] > SUBFLOW_GAP_US) {
    F[o + D_BULK_START] = ts;
    F[o + D_BULK_LAST] = ts;
    F[o + D_BULK_CNT_H] = 1;
    F[o + D_BULK_SIZE_H] = size;
    return;
  }
  const double cnt = ++F[o + D_BULK_CNT_H];
  F[o + D_BULK_SIZE_H] += size;
  if (cnt == BULK_MIN_PACKETS) {
    F[o + D_BULK_STATES]++;
    F[o + D_BULK_PKTS] += cnt;
    F[o + D_BULK_SIZE] += F[o + D_BULK_SIZE_H];
    F[o + D_BULK_DUR] += ts - F[o + D_BULK_START];
  } else if (cnt > BULK_MIN_PACKETS) {
    F[o + D_BULK_PKTS]++;
    F[o + D_BULK_SIZE] += size;
    F[o + D_BULK_DUR] += ts - F[o + D_BULK_LAST];
  }
  F[o + D_BULK_LAST] = ts;
}

inline void addPacket(double *F, int dir, const Facts &f) {
  const double ts = f.ts;
  const int o = F_DIR + dir * DIR_SLOTS;
  const double total = F[F_DIR + D_PKTS] + F[F_DIR + DIR_SLOTS + D_PKTS];
  const double len = f.payload;
  if (total > 0) {
    const double last = F[F_LAST];
    const double iat = ts - last;
    const double d = iat - F[F_IAT_MEAN];
    F[F_IAT_MEAN] += d / total;
    F[F_IAT_M2] += d * (iat - F[F_IAT_MEAN]);
    if (iat < F[F_IAT_MIN]) F[F_IAT_MIN] = iat;
    if (iat > F[F_IAT_MAX]) F[F_IAT_MAX] = iat;
    if (iat > SUBFLOW_GAP_US) F[F_SUBFLOWS]++;
    if (ts - F[F_ACT_END] > ACTIVITY_TIMEOUT_US) {
      const double active = F[F_ACT_END] - F[F_ACT_START];
      if (active > 0) addActive(F, active);
      addIdle(F, ts - F[F_ACT_END]);
      F[F_ACT_START] = ts;
    }
    F[F_ACT_END] = ts;
    if (ts > last) F[F_LAST] = ts;
  }
  const double n = F[o + D_PKTS];
  if (n > 0) {
    const double iat = ts - F[o + D_LAST];
    F[o + D_IAT_SUM] += iat;
    const double d = iat - F[o + D_IAT_MEAN];
    F[o + D_IAT_MEAN] += d / n;
    F[o + D_IAT_M2] += d * (iat - F[o + D_IAT_MEAN]);
    if (iat < F[o + D_IAT_MIN]) F[o + D_IAT_MIN] = iat;
    if (iat > F[o + D_IAT_MAX]) F[o + D_IAT_MAX] = iat;
  } else {
    F[o + D_FIRST] = ts;
    F[o + D_INIT_WIN] = f.window;
  }
  F[o + D_LAST] = ts;
  F[o + D_PKTS] = n + 1;
  F[o + D_BYTES] += f.bytes;
  F[o + D_PAYLOAD] += len;

  double d = len - F[o + D_LEN_MEAN];
  F[o + D_LEN_MEAN] += d / (n + 1);
  F[o + D_LEN_M2] += d * (len - F[o + D_LEN_MEAN]);
  if (len < F[o + D_LEN_MIN]) F[o + D_LEN_MIN] = len;
  if (len > F[o + D_LEN_MAX]) F[o + D_LEN_MAX] = len;
  d = len - F[F_LEN_MEAN];
  F[F_LEN_MEAN] += d / (total + 1);
  F[F_LEN_M2] += d * (len - F[F_LEN_MEAN]);
  if (len < F[F_LEN_MIN]) F[F_LEN_MIN] = len;
  if (len > F[F_LEN_MAX]) F[F_LEN_MAX] = len;

  F[o + D_HDR] += f.header;
  if (f.header < F[o + D_HDR_MIN]) F[o + D_HDR_MIN] = f.header;
  if (len > 0) F[o + D_DATA_PKTS]++;

  const uint32_t fl = f.flags;
  if (fl != 0) {
    if (fl & T_FIN) F[F_FIN]++;
    if (fl & T_SYN) F[F_SYN]++;
    if (fl & T_RST) F[F_RST]++;
    if (fl & T_PSH) {
      F[F_PSH]++;
      F[o + D_PSH]++;
    }
    if (fl & T_ACK) F[F_ACK]++;
    if (fl & T_URG) {
      F[F_URG]++;
      F[o + D_URG]++;
    }
    if (fl & T_CWR) F[F_CWR]++;
    if (fl & T_ECE) F[F_ECE]++;
  }
  updateBulk(F, o, F_DIR + (1 - dir) * DIR_SLOTS, ts, len);
}

} // namespace sentra_flow
