/*
 * Operations on an open capture from the main thread: counters, filter, inject, ref/unref.
 * Each takes the handle's mutex around its use of the pcap_t (see capture.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "netns.h"

/* Runs fn with the main thread inside the capture's namespace when it has one: libpcap reads
 * interface drop counters from /proc/net/dev, which must be the capture's namespace's. */
static bool enter_capture_ns(napi_env env, capture_t *c, int *saved) {
  *saved = -1;
  if (c->netns_fd < 0) return true;
  char err[256];
  if (!netns_enter(c->netns_fd, saved, err, sizeof err)) {
    throw_code(env, SE_NETNS, "%s", err);
    return false;
  }
  return true;
}

/* stats(handle): {received, droppedKernel, droppedInterface, captured, droppedQueue, waits} */
static napi_value capture_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, SE_INVALID_ARG, "stats(handle)");
  capture_t *c = get_capture(env, argv[0], true);
  if (c == NULL) return NULL;
  struct pcap_stat ps;
  memset(&ps, 0, sizeof ps);
  int saved;
  if (!enter_capture_ns(env, c, &saved)) return NULL;
  pthread_mutex_lock(&c->lock);
  int rc = pcap_stats(c->p, &ps);
  char err[PCAP_ERRBUF_SIZE];
  if (rc != 0) snprintf(err, sizeof err, "%s", pcap_geterr(c->p));
  pthread_mutex_unlock(&c->lock);
  netns_leave(saved);
  if (rc != 0) return throw_code(env, SE_PCAP, "pcap_stats failed: %s", err);
  napi_value o;
  NAPI_CALL(env, napi_create_object(env, &o));
  if (!set_double(env, o, "received", ps.ps_recv) || !set_double(env, o, "droppedKernel", ps.ps_drop) ||
      !set_double(env, o, "droppedInterface", ps.ps_ifdrop) ||
      !set_double(env, o, "captured", (double)atomic_load(&c->captured)) ||
      !set_double(env, o, "droppedQueue", (double)atomic_load(&c->dropped_queue)) ||
      !set_double(env, o, "waits", (double)atomic_load(&c->waits)))
    return throw_napi(env, "stats");
  return o;
}

/* setFilter(handle, expr, optimize): throws EFILTER with libpcap's message on a bad filter. */
static napi_value capture_set_filter(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_code(env, SE_INVALID_ARG, "setFilter(handle, expr)");
  capture_t *c = get_capture(env, argv[0], true);
  if (c == NULL) return NULL;
  char expr[8192];
  if (!get_string(env, argv[1], expr, sizeof expr, "filter")) return NULL;
  bool optimize = true;
  if (argc >= 3) napi_get_value_bool(env, argv[2], &optimize);
  struct bpf_program prog;
  char err[PCAP_ERRBUF_SIZE];
  const char *code = NULL;
  pthread_mutex_lock(&c->lock);
  if (pcap_compile(c->p, &prog, expr, optimize ? 1 : 0, c->netmask) != 0) {
    code = SE_FILTER;
    snprintf(err, sizeof err, "%s", pcap_geterr(c->p));
  } else {
    if (pcap_setfilter(c->p, &prog) != 0) {
      code = SE_PCAP;
      snprintf(err, sizeof err, "cannot install the filter: %s", pcap_geterr(c->p));
    }
    pcap_freecode(&prog);
  }
  pthread_mutex_unlock(&c->lock);
  if (code != NULL) return throw_code(env, code, "%s", err);
  return NULL;
}

/* inject(handle, bytes: Uint8Array): number of bytes sent */
static napi_value capture_inject(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_code(env, SE_INVALID_ARG, "inject(handle, frame)");
  capture_t *c = get_capture(env, argv[0], true);
  if (c == NULL) return NULL;
  bool is_ta = false;
  NAPI_CALL(env, napi_is_typedarray(env, argv[1], &is_ta));
  if (!is_ta) return throw_code(env, SE_INVALID_ARG, "frame must be a Uint8Array");
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  NAPI_CALL(env, napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL));
  if (type != napi_uint8_array && type != napi_uint8_clamped_array)
    return throw_code(env, SE_INVALID_ARG, "frame must be a Uint8Array");
  pthread_mutex_lock(&c->lock);
  int n = pcap_inject(c->p, data, length);
  char err[PCAP_ERRBUF_SIZE];
  if (n < 0) snprintf(err, sizeof err, "%s", pcap_geterr(c->p));
  pthread_mutex_unlock(&c->lock);
  if (n < 0) return throw_code(env, SE_SEND, "pcap_inject failed: %s", err);
  napi_value r;
  NAPI_CALL(env, napi_create_int32(env, n, &r));
  return r;
}

/* ref(handle, bool): whether an open capture keeps Node's event loop alive. */
static napi_value capture_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_code(env, SE_INVALID_ARG, "ref(handle, on)");
  capture_t *c = get_capture(env, argv[0], false);
  if (c == NULL) return NULL;
  bool on = true;
  NAPI_CALL(env, napi_get_value_bool(env, argv[1], &on));
  if (c->tsfn != NULL && !c->closed) {
    if (on)
      napi_ref_threadsafe_function(env, c->tsfn);
    else
      napi_unref_threadsafe_function(env, c->tsfn);
  }
  return NULL;
}

bool register_capture_ops(napi_env env, napi_value exports) {
  return export_fn(env, exports, "stats", capture_stats) && export_fn(env, exports, "setFilter", capture_set_filter) &&
         export_fn(env, exports, "inject", capture_inject) && export_fn(env, exports, "ref", capture_ref);
}
