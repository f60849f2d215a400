/*
 * sentra_ids: the IDS prefilter's multi-literal matcher on Hyperscan (libhyperscan).
 *
 * One database per prefilter buffer, compiled from literal patterns (hs_compile_lit_multi),
 * each caseless or not and reported at most once per scan (HS_FLAG_SINGLEMATCH): a scan
 * returns the set of patterns that occur in the buffer, which is what the prefilter needs.
 * The JavaScript Aho-Corasick matcher (src/ids/prefilter/aho-corasick.ts) gives the same sets
 * and is used when this addon is absent.
 *
 *   compile(bytes: Uint8Array, lengths: Int32Array, caseless: Uint8Array) -> handle
 *       pattern i is the next lengths[i] bytes of `bytes`; throws an Error on failure
 *   scan(handle, buf: Uint8Array, start: number, out: Int32Array) -> count
 *       the ids of the patterns occurring in buf[start..] go to out[0..count)
 *   validPlatform() -> boolean
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  hs_database_t *db;
  hs_scratch_t *scratch;
  unsigned count;
} Matcher;

typedef struct {
  int32_t *out;
  size_t cap;
  size_t n;
} ScanCtx;

static void matcher_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Matcher *m = (Matcher *)data;
  if (m->scratch) hs_free_scratch(m->scratch);
  if (m->db) hs_free_database(m->db);
  free(m);
}

static napi_value throw_error(napi_env env, const char *msg) {
  napi_throw_error(env, "SENTRA_ERR_IDS_NATIVE", msg);
  return NULL;
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &t, len, data, &ab, &off) != napi_ok) return 0;
  if (t != want && !(want == napi_uint8_array && t == napi_uint8_clamped_array)) return 0;
  return 1;
}

static napi_value compile(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return throw_error(env, "compile(bytes, lengths, caseless) needs 3 arguments");
  uint8_t *bytes;
  int32_t *lengths;
  uint8_t *caseless;
  size_t nbytes, n, ncase;
  if (!typed(env, argv[0], napi_uint8_array, (void **)&bytes, &nbytes) ||
      !typed(env, argv[1], napi_int32_array, (void **)&lengths, &n) ||
      !typed(env, argv[2], napi_uint8_array, (void **)&caseless, &ncase) || ncase < n)
    return throw_error(env, "compile: expected Uint8Array, Int32Array, Uint8Array");
  if (n == 0) return throw_error(env, "compile: no patterns");
  const char **exprs = malloc(n * sizeof(char *));
  size_t *lens = malloc(n * sizeof(size_t));
  unsigned *flags = malloc(n * sizeof(unsigned));
  unsigned *ids = malloc(n * sizeof(unsigned));
  if (!exprs || !lens || !flags || !ids) {
    free(exprs);
    free(lens);
    free(flags);
    free(ids);
    return throw_error(env, "compile: out of memory");
  }
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    if (lengths[i] <= 0 || at + (size_t)lengths[i] > nbytes) {
      free(exprs);
      free(lens);
      free(flags);
      free(ids);
      return throw_error(env, "compile: pattern lengths do not fit the bytes (empty pattern?)");
    }
    exprs[i] = (const char *)bytes + at;
    lens[i] = (size_t)lengths[i];
    flags[i] = HS_FLAG_SINGLEMATCH | (caseless[i] ? HS_FLAG_CASELESS : 0);
    ids[i] = (unsigned)i;
    at += (size_t)lengths[i];
  }
  hs_database_t *db = NULL;
  hs_compile_error_t *err = NULL;
  hs_error_t rc = hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err);
  free(exprs);
  free(lens);
  free(flags);
  free(ids);
  if (rc != HS_SUCCESS) {
    char msg[256];
    snprintf(msg, sizeof msg, "hyperscan compile failed: %s", err && err->message ? err->message : "unknown error");
    if (err) hs_free_compile_error(err);
    return throw_error(env, msg);
  }
  Matcher *m = calloc(1, sizeof(Matcher));
  if (!m) {
    hs_free_database(db);
    return throw_error(env, "compile: out of memory");
  }
  m->db = db;
  m->count = (unsigned)n;
  if (hs_alloc_scratch(db, &m->scratch) != HS_SUCCESS) {
    matcher_free(env, m, NULL);
    return throw_error(env, "hyperscan scratch allocation failed");
  }
  napi_value ext;
  if (napi_create_external(env, m, matcher_free, NULL, &ext) != napi_ok) {
    matcher_free(env, m, NULL);
    return throw_error(env, "compile: cannot wrap the database");
  }
  return ext;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
  (void)from;
  (void)to;
  (void)flags;
  ScanCtx *c = (ScanCtx *)ctx;
  if (c->n < c->cap) c->out[c->n++] = (int32_t)id;
  return 0;
}

static napi_value scan(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return throw_error(env, "scan(handle, buf, start, out) needs 4 arguments");
  Matcher *m;
  if (napi_get_value_external(env, argv[0], (void **)&m) != napi_ok || !m)
    return throw_error(env, "scan: not a matcher handle");
  uint8_t *buf;
  size_t len, cap;
  int32_t *out;
  if (!typed(env, argv[1], napi_uint8_array, (void **)&buf, &len))
    return throw_error(env, "scan: buf must be a Uint8Array");
  int32_t start = 0;
  napi_get_value_int32(env, argv[2], &start);
  if (!typed(env, argv[3], napi_int32_array, (void **)&out, &cap))
    return throw_error(env, "scan: out must be an Int32Array");
  ScanCtx ctx = {out, cap, 0};
  if (start < 0) start = 0;
  if ((size_t)start < len) {
    hs_error_t rc = hs_scan(m->db, (const char *)buf + start, (unsigned)(len - (size_t)start), 0, m->scratch,
                            on_match, &ctx);
    if (rc != HS_SUCCESS) return throw_error(env, "hyperscan scan failed");
  }
  napi_value r;
  napi_create_int32(env, (int32_t)ctx.n, &r);
  return r;
}

static napi_value valid_platform(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  napi_get_boolean(env, hs_valid_platform() == HS_SUCCESS, &r);
  return r;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"compile", NULL, compile, NULL, NULL, NULL, napi_default, NULL},
      {"scan", NULL, scan, NULL, NULL, NULL, napi_default, NULL},
      {"validPlatform", NULL, valid_platform, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
