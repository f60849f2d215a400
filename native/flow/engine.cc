/*
 * sentra_flow's capture engine: pcap records -> bidirectional flows -> CIC CSV rows, for
 * `sentra flows FILE --format cic`. It walks the records of a chunk of a pcap file, decodes the
 * common frames (Ethernet with VLAN tags or raw IP; IPv4 without fragmentation, IPv6 without
 * extension headers; TCP, UDP outside the tunnel ports, ICMP, ICMPv6, all with whole headers),
 * keeps the flow table and writes each ended flow's row into its output buffer.
 *
 * Everything else (fragments, tunnels, cut or contradictory headers, other link types) is
 * handed back to JavaScript record by record: the JavaScript decoder and packetKey compute the
 * key and the packet's facts and pass them to engine.packet(), which updates the same table.
 * So every packet is counted exactly once and in file order.
 *
 * Files: features.h (the per-packet statistics), decode.h (frames and keys), text.h (row
 * text, shared with cic_row.cc), this file (the table, the record walk, the Node-API glue).
 *
 * Contract: the table is a port of src/flow/table.ts (same expiry order, teardown, linger,
 * eviction, hash and key) and the updates of src/flow/features.ts (same float operations in
 * the same order; built without FP contraction), so the CSV is byte for byte the JavaScript
 * engine's (test/flow/native-parity.test.ts runs every capture of the flow tests both ways).
 * Change both or neither.
 */
#include <node_api.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <vector>

#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L

#include "decode.h"

namespace sentra_flow {
namespace {

// ---- the table (src/flow/table.ts) -----------------------------------------------------------------

/** What ingest() stopped on (io[0]). */
enum Status { S_NEED = 0, S_FALLBACK = 1, S_CORRUPT = 2, S_OUTPUT = 3 };

struct Engine {
  // options
  double idleUs = 0, activeUs = 0, lingerUs = 0, maxFlows = 0;
  bool tcpTeardown = true, rstLinger = false;
  int byteMode = 0; // 0 link, 1 ip, 2 payload
  bool freed = false;

  std::vector<std::unique_ptr<double[]>> fchunks;
  std::vector<std::unique_ptr<uint32_t[]>> kchunks;
  int64_t capacity = 0, nextSlot = 0;
  std::vector<int32_t> freeList = std::vector<int32_t>(64);
  int64_t freeCount = 0;
  std::vector<int32_t> prev, next;
  int32_t head = EMPTY, tail = EMPTY, closedHead = EMPTY, closedTail = EMPTY;
  std::vector<int32_t> index = std::vector<int32_t>(2 * 1024, EMPTY);
  uint32_t indexMask = 1023;
  int64_t count = 0;
  double nextId = 1;
  double packets = 0, skipped = 0, evicted = 0, peak = 0;
  double endedBy[6] = {0, 0, 0, 0, 0, 0};
  int matchDir = 0;
  uint32_t key[KEY_WORDS] = {};

  // output: CIC rows
  std::unique_ptr<char[]> out;
  size_t outCap = 0, outLen = 0;
  std::vector<uint8_t> label;
  uint8_t stamp[64] = {};
  int stampLen = 0;
  double stampSec = -1;
  std::unique_ptr<CacheEntry[]> cache{new CacheEntry[CACHE_SIZE]()};

  double *floats(int32_t slot) { return fchunks[slot >> CHUNK_BITS].get() + (slot & CHUNK_MASK) * FLOW_SLOTS; }
  uint32_t *keys(int32_t slot) { return kchunks[slot >> CHUNK_BITS].get() + (slot & CHUNK_MASK) * KEY_WORDS; }

  void ensureOut(size_t n) {
    if (outLen + n <= outCap) return;
    size_t cap = outCap == 0 ? (1 << 20) : outCap;
    while (cap < outLen + n) cap *= 2;
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (outLen > 0) std::memcpy(bigger.get(), out.get(), outLen);
    out = std::move(bigger);
    outCap = cap;
  }

  void writeRow(int32_t slot) {
    ensureOut(ROW_MAX + label.size());
    const double *F = floats(slot);
    const uint32_t *K = keys(slot);
    const double us = F[F_FIRST];
    const double sec = std::floor(us / 1e6);
    if (sec != stampSec) {
      stampSec = sec;
      stampLen = formatStamp(stamp, static_cast<int64_t>(sec));
    }
    char *p = out.get() + outLen;
    char *const start = p;
    p = (K[K_META] & 0xff) == 6 ? writeHead6(p, K, stamp, stampLen) : writeHead4(p, K, stamp, stampLen);
    p = writeTail(cache.get(), p, F, label.data(), label.size());
    outLen += static_cast<size_t>(p - start);
  }

  void expireIdle(double now) {
    while (closedHead != EMPTY) {
      const int32_t h = closedHead;
      const double *F = floats(h);
      if (now - F[F_CLOSED] < lingerUs) break;
      end(h, static_cast<int>(F[F_END]));
    }
    while (head != EMPTY) {
      const int32_t h = head;
      if (now - floats(h)[F_LAST] < idleUs) break;
      end(h, R_IDLE);
    }
  }

  int32_t find(const uint32_t *k) {
    const uint32_t h = k[K_HASH];
    const int32_t hi = static_cast<int32_t>(h);
    const int32_t *idx = index.data();
    const uint32_t mask = indexMask;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
      const int32_t s = idx[2 * i];
      if (s == EMPTY) return -1;
      if (idx[2 * i + 1] != hi) continue;
      const uint32_t *K = keys(s);
      if (K[K_META] != k[K_META] || K[K_VLAN] != k[K_VLAN]) continue;
      const uint32_t ports = k[K_PORTS];
      if (K[K_PORTS] == ports && K[K_SRC] == k[K_SRC] && K[K_DST] == k[K_DST] && K[K_SRC + 1] == k[K_SRC + 1] &&
          K[K_SRC + 2] == k[K_SRC + 2] && K[K_SRC + 3] == k[K_SRC + 3] && K[K_DST + 1] == k[K_DST + 1] &&
          K[K_DST + 2] == k[K_DST + 2] && K[K_DST + 3] == k[K_DST + 3]) {
        matchDir = 0;
        return s;
      }
      const uint32_t rev = (ports << 16) | (ports >> 16);
      if (K[K_PORTS] == rev && K[K_SRC] == k[K_DST] && K[K_DST] == k[K_SRC] && K[K_SRC + 1] == k[K_DST + 1] &&
          K[K_SRC + 2] == k[K_DST + 2] && K[K_SRC + 3] == k[K_DST + 3] && K[K_DST + 1] == k[K_SRC + 1] &&
          K[K_DST + 2] == k[K_SRC + 2] && K[K_DST + 3] == k[K_SRC + 3]) {
        matchDir = 1;
        return s;
      }
    }
  }

  int32_t insert(const uint32_t *k, double ts, bool reversed) {
    if (static_cast<double>(count) >= maxFlows) {
      if (closedHead != EMPTY) {
        const int32_t h = closedHead;
        end(h, static_cast<int>(floats(h)[F_END]));
      } else {
        evicted++;
        end(head, R_EVICTED);
      }
    }
    const int32_t slot = allocSlot();
    uint32_t *K = keys(slot);
    K[K_HASH] = k[K_HASH];
    K[K_META] = k[K_META];
    K[K_VLAN] = k[K_VLAN];
    const int s = reversed ? K_DST : K_SRC;
    const int d = reversed ? K_SRC : K_DST;
    for (int i = 0; i < 4; i++) {
      K[K_SRC + i] = k[s + i];
      K[K_DST + i] = k[d + i];
    }
    const uint32_t ports = k[K_PORTS];
    K[K_PORTS] = reversed ? (ports << 16) | (ports >> 16) : ports;
    double *F = floats(slot);
    std::memcpy(F, FRESH.v, sizeof FRESH.v);
    F[F_ID] = nextId++;
    F[F_FIRST] = ts;
    F[F_LAST] = ts;
    F[F_ACT_START] = ts;
    F[F_ACT_END] = ts;
    if (static_cast<size_t>(count + 1) * 4 > index.size()) growIndex();
    indexPut(slot, k[K_HASH]);
    count++;
    if (static_cast<double>(count) > peak) peak = static_cast<double>(count);
    prev[slot] = tail;
    next[slot] = EMPTY;
    if (tail != EMPTY) next[tail] = slot;
    else head = slot;
    tail = slot;
    return slot;
  }

  void indexPut(int32_t slot, uint32_t h) {
    int32_t *idx = index.data();
    uint32_t i = h & indexMask;
    while (idx[2 * i] != EMPTY) i = (i + 1) & indexMask;
    idx[2 * i] = slot;
    idx[2 * i + 1] = static_cast<int32_t>(h);
  }

  void growIndex() {
    std::vector<int32_t> old(2 * index.size(), EMPTY);
    old.swap(index);
    indexMask = static_cast<uint32_t>(old.size() - 1);
    for (size_t i = 0; i < old.size(); i += 2) {
      if (old[i] != EMPTY) indexPut(old[i], static_cast<uint32_t>(old[i + 1]));
    }
  }

  void indexRemove(int32_t slot) {
    int32_t *idx = index.data();
    const uint32_t mask = indexMask;
    uint32_t i = keys(slot)[K_HASH] & mask;
    while (idx[2 * i] != slot) {
      if (idx[2 * i] == EMPTY) return; // cannot happen: the table.ts twin throws INTERNAL
      i = (i + 1) & mask;
    }
    uint32_t j = i;
    for (;;) {
      j = (j + 1) & mask;
      const int32_t s = idx[2 * j];
      if (s == EMPTY) break;
      const uint32_t home = static_cast<uint32_t>(idx[2 * j + 1]) & mask;
      if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
        idx[2 * i] = s;
        idx[2 * i + 1] = idx[2 * j + 1];
        i = j;
      }
    }
    idx[2 * i] = EMPTY;
  }

  int32_t allocSlot() {
    if (freeCount > 0) return freeList[--freeCount];
    if (nextSlot >= capacity) {
      fchunks.emplace_back(new double[CHUNK_FLOWS * FLOW_SLOTS]());
      kchunks.emplace_back(new uint32_t[CHUNK_FLOWS * KEY_WORDS]());
      capacity += CHUNK_FLOWS;
      if (static_cast<int64_t>(prev.size()) < capacity) {
        const size_t size = std::max(static_cast<size_t>(capacity), prev.size() * 2);
        prev.resize(size, 0);
        next.resize(size, 0);
      }
    }
    return static_cast<int32_t>(nextSlot++);
  }

  void touch(int32_t slot) {
    if (slot == tail) return;
    const int32_t p = prev[slot];
    const int32_t n = next[slot];
    if (p != EMPTY) next[p] = n;
    else head = n;
    prev[n] = p;
    prev[slot] = tail;
    next[slot] = EMPTY;
    next[tail] = slot;
    tail = slot;
  }

  void close(int32_t slot, double ts, int reason) {
    double *F = floats(slot);
    unlink(slot);
    F[F_FIN_STATE] = static_cast<double>(static_cast<int>(F[F_FIN_STATE]) | 4);
    F[F_CLOSED] = ts;
    F[F_END] = reason;
    prev[slot] = closedTail;
    next[slot] = EMPTY;
    if (closedTail != EMPTY) next[closedTail] = slot;
    else closedHead = slot;
    closedTail = slot;
  }

  void unlink(int32_t slot) {
    const bool closed = floats(slot)[F_FIN_STATE] >= CLOSED;
    const int32_t p = prev[slot];
    const int32_t n = next[slot];
    if (p != EMPTY) next[p] = n;
    else if (closed) closedHead = n;
    else head = n;
    if (n != EMPTY) prev[n] = p;
    else if (closed) closedTail = p;
    else tail = p;
  }

  void end(int32_t slot, int reason) {
    double *F = floats(slot);
    finishFlow(F);
    F[F_END] = reason;
    endedBy[reason]++;
    writeRow(slot);
    unlink(slot);
    indexRemove(slot);
    count--;
    if (freeCount == static_cast<int64_t>(freeList.size())) freeList.resize(freeList.size() * 2);
    freeList[freeCount++] = slot;
  }

  /**
   * Ends flows as FlowTable.flush does; returns false when it stopped with OUT_FLUSH bytes of
   * CSV waiting (call again after taking them), true when the table is empty.
   */
  bool flush() {
    while (closedHead != EMPTY) {
      const int32_t h = closedHead;
      end(h, static_cast<int>(floats(h)[F_END]));
      if (outLen >= OUT_FLUSH) return closedHead == EMPTY && head == EMPTY;
    }
    while (head != EMPTY) {
      end(head, R_FLUSH);
      if (outLen >= OUT_FLUSH) return head == EMPTY;
    }
    return true;
  }

  /** FlowTable.update after the key (in `key`, hashed) and the facts: counted already. */
  void update(const Facts &f) {
    const double ts = f.ts;
    expireIdle(ts);
    int32_t slot = find(key);
    int dir = 0;
    if (slot >= 0) {
      double *F = floats(slot);
      if (F[F_FIN_STATE] >= CLOSED) {
        if ((f.flags & T_SYN) != 0 || f.payload > 0) {
          end(slot, static_cast<int>(F[F_END]));
          slot = -1;
        } else {
          dir = matchDir;
        }
      } else if (ts - F[F_LAST] >= idleUs) {
        end(slot, R_IDLE);
        slot = -1;
      } else if (ts - F[F_FIRST] >= activeUs) {
        end(slot, R_ACTIVE);
        slot = -1;
      } else {
        dir = matchDir;
      }
    }
    const bool isNew = slot < 0;
    if (isNew) {
      const bool synAck = (f.flags & (T_SYN | T_ACK)) == (T_SYN | T_ACK);
      slot = insert(key, ts, synAck);
      dir = synAck ? 1 : 0;
    }
    double *F = floats(slot);
    const double was = F[F_FIN_STATE];
    if (!isNew && was < CLOSED) touch(slot);
    addPacket(F, dir, f);
    if (tcpTeardown && was < CLOSED && (f.flags & (T_FIN | T_RST | T_ACK)) != 0) {
      if ((f.flags & T_RST) != 0 && rstLinger) {
        close(slot, ts, R_RST);
      } else if ((f.flags & T_RST) != 0) {
        end(slot, R_RST);
      } else if ((f.flags & T_FIN) != 0) {
        F[F_FIN_STATE] = static_cast<double>(static_cast<int>(was) | (dir == 0 ? 1 : 2));
      } else if (was == 3) {
        close(slot, ts, R_FIN);
      }
    }
  }

  /**
   * One frame: true when it was counted here (a flow's packet, or not IP), false to hand it to
   * JavaScript untouched.
   */
  bool frame(const uint8_t *b, uint32_t capLen, uint32_t origLen, uint32_t linkType, double ts) {
    Facts f;
    const FrameKind kind = decodeFrame(b, capLen, origLen, linkType, byteMode, ts, key, f);
    if (kind == FRAME_JS) return false;
    packets++;
    if (kind == FRAME_NOT_IP) skipped++;
    else update(f);
    return true;
  }

  /**
   * Walks the pcap records of buf[pos, end): io[0] status, io[1] position reached (the
   * record JavaScript must read on S_FALLBACK / S_CORRUPT / S_NEED), io[2] bytes needed or the
   * bad captured length, io[3..6] the fallback record's tsSec, tsNsec, capLen, origLen.
   */
  void ingest(const uint8_t *buf, size_t pos, size_t end, uint32_t linkType, bool le, bool nano, double *io) {
    auto rd = [&](size_t at) -> uint32_t {
      const uint8_t *q = buf + at;
      return le ? (static_cast<uint32_t>(q[0]) | (static_cast<uint32_t>(q[1]) << 8) |
                   (static_cast<uint32_t>(q[2]) << 16) | (static_cast<uint32_t>(q[3]) << 24))
                : be32(q);
    };
    const uint64_t scale = nano ? 1 : 1000;
    for (;;) {
      if (end - pos < 16) {
        io[0] = S_NEED;
        io[1] = static_cast<double>(pos);
        io[2] = 16;
        return;
      }
      const uint32_t capLen = rd(pos + 8);
      if (capLen > MAX_CAPLEN) {
        io[0] = S_CORRUPT;
        io[1] = static_cast<double>(pos);
        io[2] = capLen;
        return;
      }
      if (end - pos - 16 < capLen) {
        io[0] = S_NEED;
        io[1] = static_cast<double>(pos);
        io[2] = 16.0 + capLen;
        return;
      }
      uint64_t sec = rd(pos);
      uint64_t nsec = static_cast<uint64_t>(rd(pos + 4)) * scale;
      if (nsec >= 1000000000ull) {
        sec += nsec / 1000000000ull;
        nsec %= 1000000000ull;
      }
      const uint32_t origLen = rd(pos + 12);
      const double ts = static_cast<double>(sec) * 1e6 + static_cast<double>(nsec / 1000);
      if (!frame(buf + pos + 16, capLen, origLen, linkType, ts)) {
        io[0] = S_FALLBACK;
        io[1] = static_cast<double>(pos);
        io[3] = static_cast<double>(sec);
        io[4] = static_cast<double>(nsec);
        io[5] = capLen;
        io[6] = origLen;
        return;
      }
      pos += 16 + static_cast<size_t>(capLen);
      if (outLen >= OUT_FLUSH) {
        io[0] = S_OUTPUT;
        io[1] = static_cast<double>(pos);
        return;
      }
    }
  }

  double bytesHeld() const {
    return static_cast<double>(capacity) * (FLOW_SLOTS * 8 + KEY_WORDS * 4) + static_cast<double>(prev.size()) * 8 +
           static_cast<double>(index.size()) * 4 + static_cast<double>(freeList.size()) * 4;
  }
};

// ---- Node-API glue ---------------------------------------------------------------------------------

bool typedArg(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, nullptr, nullptr) != napi_ok) return false;
  return type == want;
}

napi_value throwType(napi_env env, const char *msg) {
  napi_throw_type_error(env, "SENTRA_ERR_INVALID_ARGUMENT", msg);
  return nullptr;
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/** The engine of args[0] (an external from engineCreate), or null after throwing. */
Engine *engineOf(napi_env env, napi_value v) {
  void *data = nullptr;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok ||
      data == nullptr) {
    throwType(env, "not a flow engine");
    return nullptr;
  }
  Engine *e = static_cast<Engine *>(data);
  if (e->freed) {
    throwType(env, "the flow engine was freed");
    return nullptr;
  }
  return e;
}

/** engineCreate(config: Float64Array[idleUs, activeUs, tcpTeardown, rstLinger, lingerUs, byteMode, maxFlows], label: Uint8Array) */
napi_value EngineCreate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void *cd, *ld;
  size_t cl, ll;
  if (argc < 2 || !typedArg(env, argv[0], napi_float64_array, &cd, &cl) || cl < 7 ||
      !typedArg(env, argv[1], napi_uint8_array, &ld, &ll) || ll > 1024)
    return throwType(env, "engineCreate(config: Float64Array(7), label: Uint8Array)");
  const double *c = static_cast<const double *>(cd);
  if (!(c[0] > 0) || !(c[1] > 0) || !(c[4] >= 0) || !(c[6] >= 1) || c[6] > 50000000 || c[5] < 0 || c[5] > 2)
    return throwType(env, "engineCreate: bad configuration");
  Engine *e = new Engine();
  e->idleUs = c[0];
  e->activeUs = c[1];
  e->tcpTeardown = c[2] != 0;
  e->rstLinger = c[3] != 0;
  e->lingerUs = c[4];
  e->byteMode = static_cast<int>(c[5]);
  e->maxFlows = c[6];
  e->label.assign(static_cast<const uint8_t *>(ld), static_cast<const uint8_t *>(ld) + ll);
  napi_value out;
  napi_create_external(
      env, e, [](napi_env, void *data, void *) { delete static_cast<Engine *>(data); }, nullptr, &out);
  return out;
}

/** engineIngest(engine, buf: Uint8Array, pos, end, linkType, littleEndian, nano, io: Float64Array(8)) */
napi_value EngineIngest(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 8) return throwType(env, "engineIngest(engine, buf, pos, end, linkType, le, nano, io)");
  Engine *e = engineOf(env, argv[0]);
  if (e == nullptr) return nullptr;
  void *bd, *iod;
  size_t bl, iol;
  if (!typedArg(env, argv[1], napi_uint8_array, &bd, &bl) || !typedArg(env, argv[7], napi_float64_array, &iod, &iol) ||
      iol < 8)
    return throwType(env, "engineIngest(engine, buf: Uint8Array, pos, end, linkType, le, nano, io: Float64Array(8))");
  double pos = -1, end = -1, link = -1;
  bool le = false, nano = false;
  napi_get_value_double(env, argv[2], &pos);
  napi_get_value_double(env, argv[3], &end);
  napi_get_value_double(env, argv[4], &link);
  napi_get_value_bool(env, argv[5], &le);
  napi_get_value_bool(env, argv[6], &nano);
  if (!(pos >= 0) || !(end >= pos) || end > static_cast<double>(bl) || !(link >= 0))
    return throwType(env, "engineIngest: range out of the buffer");
  e->ingest(static_cast<const uint8_t *>(bd), static_cast<size_t>(pos), static_cast<size_t>(end),
            static_cast<uint32_t>(link), le, nano, static_cast<double *>(iod));
  return undefinedValue(env);
}

/**
 * enginePacket(engine, key: Uint32Array(12), ts, bytes, payload, header, flags, window): one
 * packet decoded by JavaScript (key as packetKey wrote it).
 */
napi_value EnginePacket(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 8) return throwType(env, "enginePacket(engine, key, ts, bytes, payload, header, flags, window)");
  Engine *e = engineOf(env, argv[0]);
  if (e == nullptr) return nullptr;
  void *kd;
  size_t kl;
  if (!typedArg(env, argv[1], napi_uint32_array, &kd, &kl) || kl < KEY_WORDS)
    return throwType(env, "enginePacket: key must be a Uint32Array(12)");
  Facts f;
  uint32_t flags = 0;
  napi_get_value_double(env, argv[2], &f.ts);
  napi_get_value_double(env, argv[3], &f.bytes);
  napi_get_value_double(env, argv[4], &f.payload);
  napi_get_value_double(env, argv[5], &f.header);
  napi_get_value_uint32(env, argv[6], &flags);
  napi_get_value_double(env, argv[7], &f.window);
  f.flags = flags;
  std::memcpy(e->key, kd, sizeof e->key);
  e->packets++;
  e->update(f);
  return undefinedValue(env);
}

Engine *engineArg0(napi_env env, napi_callback_info info, napi_value *argv, size_t n) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < n) {
    throwType(env, "missing arguments");
    return nullptr;
  }
  return engineOf(env, argv[0]);
}

/** engineSkip(engine): a packet decoded by JavaScript that belongs to no flow. */
napi_value EngineSkip(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Engine *e = engineArg0(env, info, argv, 1);
  if (e == nullptr) return nullptr;
  e->packets++;
  e->skipped++;
  return undefinedValue(env);
}

/**
 * engineFlush(engine): ends every flow (end of input); returns false when it stopped to let
 * the CSV written so far be taken (call again), true when the table is empty.
 */
napi_value EngineFlush(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Engine *e = engineArg0(env, info, argv, 1);
  if (e == nullptr) return nullptr;
  napi_value done;
  napi_get_boolean(env, e->flush(), &done);
  return done;
}

/** engineTake(engine): the CSV written since the last call (a Buffer copy), or null. */
napi_value EngineTake(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Engine *e = engineArg0(env, info, argv, 1);
  if (e == nullptr) return nullptr;
  if (e->outLen == 0) {
    napi_value n;
    napi_get_null(env, &n);
    return n;
  }
  napi_value buf;
  void *data;
  if (napi_create_buffer_copy(env, e->outLen, e->out.get(), &data, &buf) != napi_ok) return nullptr;
  e->outLen = 0;
  return buf;
}

/**
 * engineStats(engine, out: Float64Array(13)): packets, skipped, flows, active, peak, evicted,
 * ended by idle/active/fin/rst/evicted/end, bytes held (without the JavaScript fragment table).
 */
napi_value EngineStats(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Engine *e = engineArg0(env, info, argv, 2);
  if (e == nullptr) return nullptr;
  void *od;
  size_t ol;
  if (!typedArg(env, argv[1], napi_float64_array, &od, &ol) || ol < 13)
    return throwType(env, "engineStats(engine, out: Float64Array(13))");
  double *o = static_cast<double *>(od);
  o[0] = e->packets;
  o[1] = e->skipped;
  o[2] = e->nextId - 1;
  o[3] = static_cast<double>(e->count);
  o[4] = e->peak;
  o[5] = e->evicted;
  for (int i = 0; i < 6; i++) o[6 + i] = e->endedBy[i];
  o[12] = e->bytesHeld();
  return undefinedValue(env);
}

/** engineFree(engine): releases the table now (later calls throw). */
napi_value EngineFree(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Engine *e = engineArg0(env, info, argv, 1);
  if (e == nullptr) return nullptr;
  e->freed = true;
  e->fchunks.clear();
  e->fchunks.shrink_to_fit();
  e->kchunks.clear();
  e->kchunks.shrink_to_fit();
  std::vector<int32_t>().swap(e->prev);
  std::vector<int32_t>().swap(e->next);
  std::vector<int32_t>().swap(e->index);
  e->out.reset();
  e->outCap = e->outLen = 0;
  e->cache.reset();
  return undefinedValue(env);
}

} // namespace

void registerEngine(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"engineCreate", EngineCreate}, {"engineIngest", EngineIngest}, {"enginePacket", EnginePacket},
             {"engineSkip", EngineSkip},     {"engineFlush", EngineFlush},   {"engineTake", EngineTake},
             {"engineStats", EngineStats},   {"engineFree", EngineFree}};
  for (const auto &f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  napi_value version;
  napi_create_int32(env, 2, &version);
  napi_set_named_property(env, exports, "engineVersion", version);
}

} // namespace sentra_flow

#endif
