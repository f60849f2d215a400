/*
 * Shared by the flow addon's sources: the slot layout (src/flow/layout.ts), the CIC column
 * values as cicFill computes them, and number/address text exactly as JavaScript prints it.
 * Header-only (inline): the row writer (cic_row.cc) and the capture engine (engine.cc) both use it.
 */
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace sentra_flow {

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

inline void fill(const double *F, const uint32_t *, double *n) {
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
inline char *writeNumber(char *p, double x) {
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
inline char *writeTail(CacheEntry *cache, char *p, const double *F, const uint8_t *label, size_t labelLen) {
  double n[84];
  fill(F, nullptr, n);
  for (int i = 7; i < 83; i++) {
    *p++ = ',';
    p = writeNumberCached(cache, p, n[i]);
  }
  *p++ = ',';
  std::memcpy(p, label, labelLen);
  p += labelLen;
  *p++ = '\n';
  return p;
}

/**
 * The IPv4 columns up to the timestamp: Flow ID, Src IP, Src Port, Dst IP, Dst Port, Protocol,
 * Timestamp (`stamp`, `stampLen` bytes).
 */
inline char *writeHead4(char *p, const uint32_t *K, const uint8_t *stamp, size_t stampLen) {
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
  std::memcpy(p, stamp, stampLen);
  return p + stampLen;
}

// ---- CIC row text beyond text.h ------------------------------------------------------------------

inline char *writeHex16(char *p, uint32_t v) {
  static const char hex[] = "0123456789abcdef";
  if (v >= 0x1000) *p++ = hex[v >> 12];
  if (v >= 0x100) *p++ = hex[(v >> 8) & 15];
  if (v >= 0x10) *p++ = hex[(v >> 4) & 15];
  *p++ = hex[v & 15];
  return p;
}

/** formatIPv6 (src/net/address.ts): RFC 5952, IPv4-mapped addresses with a dotted tail. */
inline char *writeIPv6(char *p, const uint32_t *a) {
  uint32_t w[8];
  for (int i = 0; i < 4; i++) {
    w[2 * i] = a[i] >> 16;
    w[2 * i + 1] = a[i] & 0xffff;
  }
  int bestStart = -1, bestLen = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      i++;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart == 0 && bestLen == 5 && w[5] == 0xffff) {
    std::memcpy(p, "::ffff:", 7);
    return writeIPv4(p + 7, a[3]);
  }
  if (bestStart < 0) {
    for (int i = 0; i < 8; i++) {
      if (i > 0) *p++ = ':';
      p = writeHex16(p, w[i]);
    }
    return p;
  }
  for (int i = 0; i < bestStart; i++) {
    if (i > 0) *p++ = ':';
    p = writeHex16(p, w[i]);
  }
  *p++ = ':';
  *p++ = ':';
  for (int i = bestStart + bestLen; i < 8; i++) {
    if (i > bestStart + bestLen) *p++ = ':';
    p = writeHex16(p, w[i]);
  }
  return p;
}

inline char *writeIP(char *p, const uint32_t *a, bool v6) { return v6 ? writeIPv6(p, a) : writeIPv4(p, a[0]); }

/** The columns up to the timestamp of an IPv6 flow (cic-writer.ts). */
inline char *writeHead6(char *p, const uint32_t *K, const uint8_t *stamp, size_t stampLen) {
  const uint32_t ports = K[K_PORTS];
  const uint32_t sp = ports >> 16, dp = ports & 0xffff, proto = (K[K_META] >> 8) & 0xff;
  bool forward = true;
  for (int i = 0; i < 4; i++) {
    const uint32_t x = K[K_SRC + i] ^ 0x80808080u, c = K[K_DST + i] ^ 0x80808080u;
    if (x != c) {
      forward = x < c;
      break;
    }
  }
  p = writeIP(p, K + (forward ? K_SRC : K_DST), true);
  *p++ = '-';
  p = writeIP(p, K + (forward ? K_DST : K_SRC), true);
  *p++ = '-';
  p = writeU64(p, forward ? sp : dp);
  *p++ = '-';
  p = writeU64(p, forward ? dp : sp);
  *p++ = '-';
  p = writeU64(p, proto);
  *p++ = ',';
  p = writeIP(p, K + K_SRC, true);
  *p++ = ',';
  p = writeU64(p, sp);
  *p++ = ',';
  p = writeIP(p, K + K_DST, true);
  *p++ = ',';
  p = writeU64(p, dp);
  *p++ = ',';
  p = writeU64(p, proto);
  *p++ = ',';
  std::memcpy(p, stamp, stampLen);
  return p + stampLen;
}

/** cicTimestamp: `dd/MM/yyyy HH:mm:ss` (UTC) of whole second `sec`; returns the length. */
inline int formatStamp(uint8_t *out, int64_t sec) {
  int64_t days = sec / 86400;
  int64_t rem = sec % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  // civil_from_days (H. Hinnant)
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  char *p = reinterpret_cast<char *>(out);
  char *const start = p;
  auto two = [&](int64_t v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  two(d);
  *p++ = '/';
  two(m);
  *p++ = '/';
  if (y < 0) {
    *p++ = '-';
    y = -y;
  }
  p = writeU64(p, static_cast<uint64_t>(y));
  *p++ = ' ';
  two(rem / 3600);
  *p++ = ':';
  two((rem / 60) % 60);
  *p++ = ':';
  two(rem % 60);
  return static_cast<int>(p - start);
}

} // namespace sentra_flow
