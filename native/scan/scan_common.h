/* Pieces shared by the connect and SYN engines of Sentra's scanner. */
#ifndef SENTRA_SCAN_COMMON_H
#define SENTRA_SCAN_COMMON_H
#include <node_api.h>
#include <stdbool.h>
#include <time.h>

/* port states, as PortStateCode in src/scan/types.ts */
#define ST_PENDING 0
#define ST_OPEN 1
#define ST_CLOSED 2
#define ST_FILTERED 3
#define MIN_WINDOW 16

static inline double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* RFC 6298 round-trip estimate: timeout = SRTT + 4 RTTVAR, clamped to [lo, hi], init before samples */
typedef struct {
  double srtt, rttvar;
  int n;
  double init, lo, hi;
} rtt_t;

static inline void rtt_sample(rtt_t *r, double ms) {
  if (r->n++ == 0) {
    r->srtt = ms;
    r->rttvar = ms / 2;
    return;
  }
  r->rttvar = 0.75 * r->rttvar + 0.25 * (r->srtt > ms ? r->srtt - ms : ms - r->srtt);
  r->srtt = 0.875 * r->srtt + 0.125 * ms;
}

static inline double rtt_timeout(const rtt_t *r) {
  if (r->n == 0) return r->init;
  double t = r->srtt + 4 * r->rttvar;
  if (t < r->lo) t = r->lo;
  if (t > r->hi) t = r->hi;
  return t;
}

/* a number property of an options object, or dflt */
static inline double get_num(napi_env env, napi_value obj, const char *key, double dflt) {
  napi_value v;
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return dflt;
  napi_get_named_property(env, obj, key, &v);
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return dflt;
  return d;
}

/* runs execute(data) on a new thread, then complete(env, data) on the JavaScript thread; 0 or -1 */
int run_in_background(napi_env env, const char *name, void (*execute)(void *), void (*complete)(napi_env, void *),
                      void *data);

napi_value connect_scan(napi_env env, napi_callback_info info);
napi_value syn_scan(napi_env env, napi_callback_info info);

#endif
