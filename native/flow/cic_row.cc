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

#include "text.h"

namespace sentra_flow {
/** The capture engine's functions (engine.cc). */
void registerEngine(napi_env env, napi_value exports);
} // namespace sentra_flow

namespace {

using namespace sentra_flow;

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

/** ",n7,...,n82,label\n" */
char *writeTail(State &st, char *p, const double *F) {
  return sentra_flow::writeTail(st.cache, p, F, st.bound.label, st.bound.labelLen);
}

/** The IPv4 columns up to the timestamp. */
char *writeHead4(const Bound &bound, char *p, const uint32_t *K) {
  return sentra_flow::writeHead4(p, K, bound.stamp + 1, bound.stamp[0]);
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
  sentra_flow::registerEngine(env, exports);
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
