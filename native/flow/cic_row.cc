/*
 * sentra_flow: the numeric columns of a CICFlowMeter CSV row (src/flow/cic-writer.ts), written
 * as ASCII straight from a flow's float64 slots. The JavaScript writer spent most of a row's
 * time on 76 columns of number-to-text (a typed-array store per digit, V8's double-to-string
 * for the fractional ones); here whole numbers take a digit loop and the others the shortest
 * round-trip digits of std::to_chars laid out exactly as ECMAScript's Number::toString.
 *
 * Contract: the bytes equal, column for column, what cicFill (src/flow/cic.ts) computes and
 * String(x) prints; test/flow/cic-row.test.ts compares every row of the corpus with cicRow and
 * test/flow/number-text.test.ts compares formatNumbers with String() on millions of doubles.
 * The slot layout below mirrors src/flow/layout.ts; the JavaScript side checks it with
 * layoutSignature() before it uses this addon.
 *
 * Build: binding.gyp target sentra_flow (C++17, no fast-math, no FP contraction: the divisions
 * and square roots must round exactly as JavaScript's).
 */
#include <node_api.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

// Floating-point std::to_chars (GCC 11+, recent libc++) gives the shortest round-trip digits.
// Without it the addon builds empty (abiVersion 0), so the build of the other addons never
// fails for it and the JavaScript writer is used.
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L

namespace {

// ---- layout (src/flow/layout.ts) ------------------------------------------------------------
constexpr int K_META = 1, K_SRC = 3, K_DST = 7, K_PORTS = 11, KEY_WORDS = 12;
constexpr int F_FIRST = 1, F_LAST = 2, F_IAT_MEAN = 6, F_IAT_M2 = 7, F_IAT_MIN = 8, F_IAT_MAX = 9,
              F_LEN_MEAN = 10, F_LEN_M2 = 11, F_LEN_MIN = 12, F_LEN_MAX = 13, F_FIN = 14, F_SYN = 15,
              F_RST = 16, F_PSH = 17, F_ACK = 18, F_URG = 19, F_CWR = 20, F_ECE = 21, F_ACT_N = 24,
              F_ACT_MEAN = 25, F_ACT_M2 = 26, F_ACT_MIN = 27, F_ACT_MAX = 28, F_IDLE_N = 29,
              F_IDLE_MEAN = 30, F_IDLE_M2 = 31, F_IDLE_MIN = 32, F_IDLE_MAX = 33, F_SUBFLOWS = 34,
              F_DIR = 37;
constexpr int D_PKTS = 0, D_PAYLOAD = 2, D_LEN_MIN = 3, D_LEN_MAX = 4, D_LEN_MEAN = 5, D_LEN_M2 = 6,
              D_IAT_SUM = 9, D_IAT_MEAN = 10, D_IAT_M2 = 11, D_IAT_MIN = 12, D_IAT_MAX = 13,
              D_PSH = 14, D_URG = 15, D_HDR = 16, D_HDR_MIN = 17, D_INIT_WIN = 18, D_DATA_PKTS = 19,
              D_BULK_STATES = 24, D_BULK_PKTS = 25, D_BULK_SIZE = 26, D_BULK_DUR = 27, DIR_SLOTS = 28;
constexpr int FLOW_SLOTS = F_DIR + 2 * DIR_SLOTS;
/**
 * Room a row needs besides its label: 76 numeric columns of at most 25 characters and a comma
 * (and a cache entry's fixed-size copy past the last one), the IPv4 columns and the timestamp.
 */
constexpr int ROW_MAX = 4096;

// ---- the column values, as cicFill computes them ----------------------------------------------
inline double fin(double v) { return std::isfinite(v) ? v : 0.0; }
inline double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
/** Math.max(0, x): NaN stays NaN, -0 becomes +0. */
inline double max0(double x) { return std::isnan(x) ? x : (x > 0 ? x : 0.0); }
inline double stdFromM2(double m2, double n) { return n > 1 ? std::sqrt(max0(m2 / (n - 1))) : 0.0; }

void fill(const double *F, const uint32_t *, double *n) {
  const double *fw = F + F_DIR;
  const double *bw = F + F_DIR + DIR_SLOTS;
  const double fPk = fw[D_PKTS], bPk = bw[D_PKTS], pk = fPk + bPk;
  const double fLen = fw[D_PAYLOAD], bLen = bw[D_PAYLOAD];
  const double dur = F[F_LAST] - F[F_FIRST];
  const double secs = dur / 1e6;
  const double sf = F[F_SUBFLOWS];
  n[7] = dur;
  n[8] = fPk;
  n[9] = bPk;
  n[10] = fLen;
  n[11] = bLen;
  n[12] = fin(fw[D_LEN_MAX]);
  n[13] = fin(fw[D_LEN_MIN]);
  n[14] = fw[D_LEN_MEAN];
  n[15] = stdFromM2(fw[D_LEN_M2], fPk);
  n[16] = fin(bw[D_LEN_MAX]);
  n[17] = fin(bw[D_LEN_MIN]);
  n[18] = bw[D_LEN_MEAN];
  n[19] = stdFromM2(bw[D_LEN_M2], bPk);
  n[20] = ratio(fLen + bLen, secs);
  n[21] = ratio(pk, secs);
  n[22] = F[F_IAT_MEAN];
  n[23] = stdFromM2(F[F_IAT_M2], pk - 1);
  n[24] = fin(F[F_IAT_MAX]);
  n[25] = fin(F[F_IAT_MIN]);
  n[26] = fw[D_IAT_SUM];
  n[27] = fw[D_IAT_MEAN];
  n[28] = stdFromM2(fw[D_IAT_M2], fPk - 1);
  n[29] = fin(fw[D_IAT_MAX]);
  n[30] = fin(fw[D_IAT_MIN]);
  n[31] = bw[D_IAT_SUM];
  n[32] = bw[D_IAT_MEAN];
  n[33] = stdFromM2(bw[D_IAT_M2], bPk - 1);
  n[34] = fin(bw[D_IAT_MAX]);
  n[35] = fin(bw[D_IAT_MIN]);
  n[36] = fw[D_PSH];
  n[37] = bw[D_PSH];
  n[38] = fw[D_URG];
  n[39] = bw[D_URG];
  n[40] = fw[D_HDR];
  n[41] = bw[D_HDR];
  n[42] = ratio(fPk, secs);
  n[43] = ratio(bPk, secs);
  n[44] = fin(F[F_LEN_MIN]);
  n[45] = fin(F[F_LEN_MAX]);
  n[46] = F[F_LEN_MEAN];
  n[47] = stdFromM2(F[F_LEN_M2], pk);
  n[48] = pk > 1 ? F[F_LEN_M2] / (pk - 1) : 0.0;
  n[49] = F[F_FIN];
  n[50] = F[F_SYN];
  n[51] = F[F_RST];
  n[52] = F[F_PSH];
  n[53] = F[F_ACK];
  n[54] = F[F_URG];
  n[55] = F[F_CWR];
  n[56] = F[F_ECE];
  n[57] = ratio(bPk, fPk);
  n[58] = ratio(fLen + bLen, pk);
  n[59] = ratio(fLen, fPk);
  n[60] = ratio(bLen, bPk);
  n[61] = ratio(fw[D_BULK_SIZE], fw[D_BULK_STATES]);
  n[62] = ratio(fw[D_BULK_PKTS], fw[D_BULK_STATES]);
  n[63] = ratio(fw[D_BULK_SIZE], fw[D_BULK_DUR] / 1e6);
  n[64] = ratio(bw[D_BULK_SIZE], bw[D_BULK_STATES]);
  n[65] = ratio(bw[D_BULK_PKTS], bw[D_BULK_STATES]);
  n[66] = ratio(bw[D_BULK_SIZE], bw[D_BULK_DUR] / 1e6);
  n[67] = fPk / sf;
  n[68] = fLen / sf;
  n[69] = bPk / sf;
  n[70] = bLen / sf;
  n[71] = fw[D_INIT_WIN];
  n[72] = bw[D_INIT_WIN];
  n[73] = fw[D_DATA_PKTS];
  n[74] = fin(fw[D_HDR_MIN]);
  n[75] = F[F_ACT_MEAN];
  n[76] = stdFromM2(F[F_ACT_M2], F[F_ACT_N]);
  n[77] = fin(F[F_ACT_MAX]);
  n[78] = fin(F[F_ACT_MIN]);
  n[79] = F[F_IDLE_MEAN];
  n[80] = stdFromM2(F[F_IDLE_M2], F[F_IDLE_N]);
  n[81] = fin(F[F_IDLE_MAX]);
  n[82] = fin(F[F_IDLE_MIN]);
}

// ---- number to text, as ECMAScript's Number::toString(10) --------------------------------------

/** "00".."99". */
struct Digits2 {
  char d[200];
  constexpr Digits2() : d() {
    for (int i = 0; i < 100; i++) {
      d[2 * i] = static_cast<char>('0' + i / 10);
      d[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
  }
};
constexpr Digits2 D2;

/** Decimal digits of v (at least 1). */
inline int digitCount(uint64_t v) {
  int n = 1;
  for (;;) {
    if (v < 10) return n;
    if (v < 100) return n + 1;
    if (v < 1000) return n + 2;
    if (v < 10000) return n + 3;
    v /= 10000;
    n += 4;
  }
}

/** Writes v in decimal; returns the end. Written backwards in place: no variable-length copy. */
inline char *writeU64(char *p, uint64_t v) {
  char *const end = p + digitCount(v);
  char *q = end;
  while (v >= 100) {
    const unsigned r = static_cast<unsigned>(v % 100);
    v /= 100;
    q -= 2;
    std::memcpy(q, D2.d + 2 * r, 2);
  }
  if (v >= 10) {
    std::memcpy(q - 2, D2.d + 2 * v, 2);
  } else {
    q[-1] = static_cast<char>('0' + v);
  }
  return end;
}

/**
 * Writes x as String(x) does: the shortest digits that round-trip (ties to the closest, as
 * both ECMAScript and to_chars require), fixed notation for 1e-7 <= |x| < 1e21, otherwise
 * d.ddde+n / d.ddde-n.
 */
char *writeNumber(char *p, double x) {
  if (x == 0) {
    *p++ = '0'; // -0 too
    return p;
  }
  if (std::isnan(x)) {
    std::memcpy(p, "NaN", 3);
    return p + 3;
  }
  if (x < 0) {
    *p++ = '-';
    x = -x;
  }
  if (std::isinf(x)) {
    std::memcpy(p, "Infinity", 8);
    return p + 8;
  }
  // whole numbers below 2^53 are exactly their digits (every shorter decimal is another double)
  if (x < 9007199254740992.0 && x == std::floor(x)) return writeU64(p, static_cast<uint64_t>(x));
  char sci[40];
  const std::to_chars_result r = std::to_chars(sci, sci + sizeof sci, x, std::chars_format::scientific);
  // sci is d[.ddd]e(+|-)XX: the digits and the exponent
  char digits[20];
  int k = 0;
  const char *q = sci;
  for (; q < r.ptr && *q != 'e'; q++)
    if (*q != '.') digits[k++] = *q;
  int e10 = 0;
  const bool negExp = q[1] == '-';
  for (const char *t = q + 2; t < r.ptr; t++) e10 = e10 * 10 + (*t - '0');
  if (negExp) e10 = -e10;
  const int n = e10 + 1; // x = 0.digits * 10^n
  if (k <= n && n <= 21) {
    std::memcpy(p, digits, k);
    p += k;
    for (int i = k; i < n; i++) *p++ = '0';
    return p;
  }
  if (0 < n && n <= 21) {
    std::memcpy(p, digits, n);
    p += n;
    *p++ = '.';
    std::memcpy(p, digits + n, k - n);
    return p + (k - n);
  }
  if (-6 < n && n <= 0) {
    *p++ = '0';
    *p++ = '.';
    for (int i = n; i < 0; i++) *p++ = '0';
    std::memcpy(p, digits, k);
    return p + k;
  }
  *p++ = digits[0];
  if (k > 1) {
    *p++ = '.';
    std::memcpy(p, digits + 1, k - 1);
    p += k - 1;
  }
  *p++ = 'e';
  int ex = n - 1;
  if (ex < 0) {
    *p++ = '-';
    ex = -ex;
  } else {
    *p++ = '+';
  }
  return writeU64(p, static_cast<uint64_t>(ex));
}

// ---- the fractional-number cache ----------------------------------------------------------------
// A capture repeats its fractional values a lot (the lab capture: 44k distinct among 500k), and
// a hit costs a copy where to_chars costs about 150 ns. Direct-mapped, keyed by the exact bits.
constexpr int CACHE_BITS = 15;
constexpr int CACHE_SIZE = 1 << CACHE_BITS;
constexpr int CACHE_TEXT = 25;
struct CacheEntry {
  uint64_t bits;
  uint8_t len; // 0: empty
  char text[CACHE_TEXT];
};

inline char *writeNumberCached(CacheEntry *cache, char *p, double x) {
  if (x == 0) {
    *p++ = '0';
    return p;
  }
  if (x > 0 && x < 4294967296.0) {
    const uint32_t u = static_cast<uint32_t>(x);
    if (static_cast<double>(u) == x) return writeU64(p, u);
  }
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  const uint32_t h = (static_cast<uint32_t>(bits) ^ static_cast<uint32_t>(bits >> 32)) * 0x9e3779b1u;
  CacheEntry &e = cache[h >> (32 - CACHE_BITS)];
  if (e.len == 0 || e.bits != bits) {
    char tmp[32];
    const int n = static_cast<int>(writeNumber(tmp, x) - tmp);
    e.bits = bits;
    e.len = static_cast<uint8_t>(n);
    std::memcpy(e.text, tmp, n);
  }
  std::memcpy(p, e.text, CACHE_TEXT); // the whole entry: one fixed-size copy, the rest is overwritten
  return p + e.len;
}

// ---- the row ------------------------------------------------------------------------------------

/** What row() writes into and reads from, bound from JavaScript (which keeps them alive). */
struct Bound {
  const double *F = nullptr;
  size_t fLen = 0;
  const uint32_t *K = nullptr;
  size_t kLen = 0;
  char *out = nullptr;
  size_t outLen = 0;
  /** [0]: the timestamp text's length, then the text (kept by the writer per second). */
  const uint8_t *stamp = nullptr;
  size_t stampLen = 0;
  const uint8_t *label = nullptr;
  size_t labelLen = 0;
  /** Bumped by every bind: row() is refused unless its caller saw the latest one. */
  int32_t generation = 0;
};

/**
 * The addon's state, one per Node-API environment (the main thread and each worker thread
 * load their own), so that threads never share a binding or the cache.
 */
struct State {
  Bound bound;
  CacheEntry cache[CACHE_SIZE];
};

State *state(napi_env env) {
  void *d = nullptr;
  napi_get_instance_data(env, &d);
  return static_cast<State *>(d);
}

inline char *writeIPv4(char *p, uint32_t w) {
  p = writeU64(p, w >> 24);
  *p++ = '.';
  p = writeU64(p, (w >> 16) & 0xff);
  *p++ = '.';
  p = writeU64(p, (w >> 8) & 0xff);
  *p++ = '.';
  return writeU64(p, w & 0xff);
}

/** ",n7,...,n82,label\n" */
char *writeTail(State &st, char *p, const double *F) {
  const Bound &bound = st.bound;
  double n[84];
  fill(F, nullptr, n);
  for (int i = 7; i < 83; i++) {
    *p++ = ',';
    p = writeNumberCached(st.cache, p, n[i]);
  }
  *p++ = ',';
  std::memcpy(p, bound.label, bound.labelLen);
  p += bound.labelLen;
  *p++ = '\n';
  return p;
}

/** The IPv4 columns up to the timestamp: Flow ID, Src IP, Src Port, Dst IP, Dst Port, Protocol, Timestamp. */
char *writeHead4(const Bound &bound, char *p, const uint32_t *K) {
  const uint32_t src = K[K_SRC], dst = K[K_DST], ports = K[K_PORTS];
  const uint32_t sp = ports >> 16, dp = ports & 0xffff, proto = (K[K_META] >> 8) & 0xff;
  // CICFlowMeter's Flow ID order: the lower address as Java's signed bytes first
  const bool forward = (src ^ 0x80808080u) <= (dst ^ 0x80808080u);
  p = writeIPv4(p, forward ? src : dst);
  *p++ = '-';
  p = writeIPv4(p, forward ? dst : src);
  *p++ = '-';
  p = writeU64(p, forward ? sp : dp);
  *p++ = '-';
  p = writeU64(p, forward ? dp : sp);
  *p++ = '-';
  p = writeU64(p, proto);
  *p++ = ',';
  p = writeIPv4(p, src);
  *p++ = ',';
  p = writeU64(p, sp);
  *p++ = ',';
  p = writeIPv4(p, dst);
  *p++ = ',';
  p = writeU64(p, dp);
  *p++ = ',';
  p = writeU64(p, proto);
  *p++ = ',';
  std::memcpy(p, bound.stamp + 1, bound.stamp[0]);
  return p + bound.stamp[0];
}

// ---- Node-API glue ------------------------------------------------------------------------------

bool typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, nullptr, nullptr) != napi_ok) return false;
  return type == want;
}

napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, "SENTRA_ERR_INVALID_ARGUMENT", msg);
  return nullptr;
}

napi_value num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/**
 * bindFlows(F: Float64Array, K: Uint32Array): the slab chunk and key chunk the next rows read.
 * The caller keeps both alive while they are bound. Returns the new bind generation.
 */
napi_value BindFlows(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void *fd, *kd;
  size_t fl, kl;
  if (argc < 2 || !typed(env, argv[0], napi_float64_array, &fd, &fl) || !typed(env, argv[1], napi_uint32_array, &kd, &kl))
    return fail(env, "bindFlows(F: Float64Array, K: Uint32Array)");
  Bound &bound = state(env)->bound;
  bound.F = static_cast<const double *>(fd);
  bound.fLen = fl;
  bound.K = static_cast<const uint32_t *>(kd);
  bound.kLen = kl;
  return num(env, ++bound.generation);
}

/**
 * bindOutput(out: Uint8Array, stamp: Uint8Array, label: Uint8Array): where rows go, the
 * timestamp text (stamp[0] = its length) and the label. The caller keeps them alive. Returns
 * the new bind generation.
 */
napi_value BindOutput(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void *od, *sd, *ld;
  size_t ol, sl, ll;
  if (argc < 3 || !typed(env, argv[0], napi_uint8_array, &od, &ol) || !typed(env, argv[1], napi_uint8_array, &sd, &sl) ||
      !typed(env, argv[2], napi_uint8_array, &ld, &ll) || sl < 64)
    return fail(env, "bindOutput(out: Uint8Array, stamp: Uint8Array(64), label: Uint8Array)");
  Bound &bound = state(env)->bound;
  bound.out = static_cast<char *>(od);
  bound.outLen = ol;
  bound.stamp = static_cast<const uint8_t *>(sd);
  bound.stampLen = sl;
  bound.label = static_cast<const uint8_t *>(ld);
  bound.labelLen = ll;
  return num(env, ++bound.generation);
}

/**
 * row(base, kbase, pos, whole, generation): writes the row of the flow at slab index `base`,
 * key index `kbase` at `pos` of the bound output: the whole row (IPv4 flows, whole = 1) or from
 * the first numeric column on (whole = 0: JavaScript wrote the columns up to the timestamp).
 * Returns the new position; -2 if `generation` is not the latest bind's (someone else bound
 * since: bind again), -1 if an index is out of range.
 */
napi_value Row(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t base = -1, kbase = -1, pos = -1, whole = 0, generation = -1;
  if (argc >= 5) {
    napi_get_value_int32(env, argv[0], &base);
    napi_get_value_int32(env, argv[1], &kbase);
    napi_get_value_int32(env, argv[2], &pos);
    napi_get_value_int32(env, argv[3], &whole);
    napi_get_value_int32(env, argv[4], &generation);
  }
  State &st = *state(env);
  const Bound &bound = st.bound;
  if (generation != bound.generation) return num(env, -2);
  if (bound.F == nullptr || bound.out == nullptr || base < 0 || static_cast<size_t>(base) + FLOW_SLOTS > bound.fLen ||
      kbase < 0 || static_cast<size_t>(kbase) + KEY_WORDS > bound.kLen || pos < 0 ||
      static_cast<size_t>(pos) + ROW_MAX + bound.labelLen > bound.outLen || bound.stamp[0] > 63)
    return num(env, -1);
  char *const start = bound.out + pos;
  char *p = start;
  if (whole) p = writeHead4(bound, p, bound.K + kbase);
  p = writeTail(st, p, bound.F + base);
  return num(env, static_cast<double>(pos + (p - start)));
}

/**
 * formatNumbers(values: Float64Array, out: Uint8Array, cached: boolean): writes each value's
 * text followed by a newline (through the row cache when cached is true); returns the bytes
 * written, or -1 if out is too small (26 bytes per value is enough).
 */
napi_value FormatNumbers(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void *vd, *od;
  size_t vl, ol;
  if (argc < 3 || !typed(env, argv[0], napi_float64_array, &vd, &vl) || !typed(env, argv[1], napi_uint8_array, &od, &ol))
    return fail(env, "formatNumbers(values: Float64Array, out: Uint8Array, cached: boolean)");
  bool cached = false;
  napi_get_value_bool(env, argv[2], &cached);
  if (ol < vl * 26 + 32) return num(env, -1);
  const double *v = static_cast<const double *>(vd);
  CacheEntry *cache = state(env)->cache;
  char *p = static_cast<char *>(od);
  char *const start = p;
  for (size_t i = 0; i < vl; i++) {
    p = cached ? writeNumberCached(cache, p, v[i]) : writeNumber(p, v[i]);
    *p++ = '\n';
  }
  return num(env, static_cast<double>(p - start));
}

/** The layout constants this file was built with, for the JavaScript side to compare. */
napi_value LayoutSignature(napi_env env, napi_callback_info) {
  return num(env, FLOW_SLOTS * 1000000.0 + F_DIR * 1000.0 + DIR_SLOTS * 10.0 + (KEY_WORDS - 10));
}

} // namespace

NAPI_MODULE_INIT() {
  napi_set_instance_data(
      env, new State(), [](napi_env, void *data, void *) { delete static_cast<State *>(data); }, nullptr);
  napi_value fn;
  napi_create_function(env, "bindFlows", NAPI_AUTO_LENGTH, BindFlows, nullptr, &fn);
  napi_set_named_property(env, exports, "bindFlows", fn);
  napi_create_function(env, "bindOutput", NAPI_AUTO_LENGTH, BindOutput, nullptr, &fn);
  napi_set_named_property(env, exports, "bindOutput", fn);
  napi_create_function(env, "row", NAPI_AUTO_LENGTH, Row, nullptr, &fn);
  napi_set_named_property(env, exports, "row", fn);
  napi_create_function(env, "formatNumbers", NAPI_AUTO_LENGTH, FormatNumbers, nullptr, &fn);
  napi_set_named_property(env, exports, "formatNumbers", fn);
  napi_create_function(env, "layoutSignature", NAPI_AUTO_LENGTH, LayoutSignature, nullptr, &fn);
  napi_set_named_property(env, exports, "layoutSignature", fn);
  napi_value abi;
  napi_create_int32(env, 1, &abi);
  napi_set_named_property(env, exports, "abiVersion", abi);
  return exports;
}

#else

NAPI_MODULE_INIT() {
  napi_value abi;
  napi_create_int32(env, 0, &abi);
  napi_set_named_property(env, exports, "abiVersion", abi);
  return exports;
}

#endif
