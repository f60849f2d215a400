/*
 * Native engine of Sentra's TCP connect scan (Linux). The same verdicts as the JavaScript
 * engine (src/scan/ports/connect/scheduler.ts) -- connected = open, reset = closed, ICMP
 * unreachable = filtered, silence = retried then filtered -- with the per-probe work done in C:
 * non-blocking connect(), one epoll set per thread, RFC 6298 timeouts and a congestion window.
 *
 * Why native: a connect scan is bound by the kernel's cost of socket()+connect()+close()
 * (about 20 us per port on a veth pair); the JavaScript engine adds about 10 us of its own per
 * port and uses one core. Here the ports are dealt round-robin to N threads, each with its own
 * epoll set, so both the kernel work and the bookkeeping spread over the cores.
 *
 * JS API (exported by addon.c): connectScan(address, family, ports: Uint16Array, states: Uint8Array,
 *                     control: Int32Array(4), opts) -> Promise<stats>
 *   control[0] (out): ports decided so far, control[1] (in): 1 = stop now.
 *   opts: { threads, concurrency, retries, initialMs, minMs, maxMs, deadlineMs }
 *   states: 0 pending, 1 open, 2 closed, 3 filtered (PortStateCode in src/scan/types.ts).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scan_common.h"

#define MAX_THREADS 16

typedef struct {
  struct sockaddr_storage addr;
  socklen_t addrlen;
  const uint16_t *ports;
  uint8_t *states;
  int32_t *control;
  size_t nports;
  int threads;
  int concurrency; /* per thread */
  int retries;
  double initial_ms, min_ms, max_ms;
  double deadline; /* monotonic ms */
  /* results */
  int64_t probes, retried;
  double srtt_sum;
  int srtt_n;
  double timeout_ms;
  int error;
  char errmsg[128];
  pthread_mutex_t lock;
} job_t;

typedef struct {
  job_t *job;
  int index;
} worker_arg_t;

typedef struct {
  napi_deferred deferred;
  napi_ref refs[3];
  job_t job;
} request_t;

/* outcome of an errno: 1 open, 2 closed, 3 filtered, 4 silent (retry), 5 local limit */
static int outcome_of(int err) {
  switch (err) {
    case 0: return 1;
    case ECONNREFUSED: return 2;
    case EHOSTUNREACH: case ENETUNREACH: case EACCES: case EPERM: case EHOSTDOWN: return 3;
    case EADDRNOTAVAIL: case EMFILE: case ENFILE: case ENOBUFS: case EAGAIN: case ENOMEM: return 5;
    default: return 4;
  }
}

/* One thread's scan state: its share of the ports, its slots, its RTT and window. */
typedef struct {
  job_t *j;
  int me, T;
  int32_t *queue;
  size_t qhead, qlen, cap;
  uint8_t *tries;
  int *sfd;
  int32_t *sidx;
  double *sstart;
  int *freelist;
  int nfree, slots, inflight, window, maxwin;
  rtt_t rtt;
  int64_t probes, retried, answered;
  double last_shrink;
  size_t undecided;
} wstate_t;

static void release_slot(wstate_t *w, int s) {
  if (w->sfd[s] >= 0) close(w->sfd[s]);
  w->sfd[s] = -1;
  w->sidx[s] = -1;
  w->freelist[w->nfree++] = s;
  w->inflight--;
}

static void decided(wstate_t *w, int32_t idx, uint8_t st) {
  w->j->states[idx] = st;
  w->undecided--;
  __atomic_add_fetch(&w->j->control[0], 1, __ATOMIC_RELAXED);
}

static void enqueue(wstate_t *w, int32_t idx) {
  w->queue[(w->qhead + w->qlen++) % w->cap] = idx;
}

/* settles port idx with outcome o; rt in ms (meaningful for answers only) */
static void settle(wstate_t *w, int32_t idx, int o, double rt) {
  uint8_t *tries = &w->tries[(idx - w->me) / w->T];
  switch (o) {
    case 1:
    case 2:
      rtt_sample(&w->rtt, rt);
      w->answered++;
      if (w->window < w->maxwin) w->window++;
      decided(w, idx, o == 1 ? ST_OPEN : ST_CLOSED);
      return;
    case 3:
      decided(w, idx, ST_FILTERED);
      return;
    case 5:
      /* a local limit, not the target's answer: again later, without spending a try */
      (*tries)--;
      w->maxwin = w->inflight > MIN_WINDOW ? (w->inflight < w->maxwin ? w->inflight : w->maxwin) : MIN_WINDOW;
      if (w->window > w->maxwin) w->window = w->maxwin;
      enqueue(w, idx);
      return;
    default: {
      double t = now_ms();
      if (w->answered > 0 && t - w->last_shrink > rtt_timeout(&w->rtt)) {
        w->last_shrink = t;
        w->window = (int)(w->window * 0.7);
        if (w->window < MIN_WINDOW) w->window = MIN_WINDOW;
      }
      if (*tries <= w->j->retries) {
        w->retried++;
        enqueue(w, idx);
      } else {
        decided(w, idx, ST_FILTERED);
      }
    }
  }
}

static void run_worker(wstate_t *w, int ep, struct epoll_event *evs) {
  job_t *j = w->j;
  while (w->undecided > 0) {
    double t = now_ms();
    if (t >= j->deadline || __atomic_load_n(&j->control[1], __ATOMIC_RELAXED)) break;
    int local_limit = 0;
    while (w->qlen > 0 && w->inflight < w->window && w->nfree > 0 && !local_limit) {
      int32_t idx = w->queue[w->qhead];
      w->qhead = (w->qhead + 1) % w->cap;
      w->qlen--;
      int s = w->freelist[--w->nfree];
      w->inflight++;
      w->tries[(idx - w->me) / w->T]++;
      w->probes++;
      w->sidx[s] = idx;
      w->sstart[s] = now_ms();
      int fd = socket(j->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        int o = outcome_of(errno);
        release_slot(w, s);
        settle(w, idx, o == 4 ? 5 : o, 0);
        local_limit = 1;
        continue;
      }
      w->sfd[s] = fd;
      struct sockaddr_storage a = j->addr;
      if (a.ss_family == AF_INET) ((struct sockaddr_in *)&a)->sin_port = htons(j->ports[idx]);
      else ((struct sockaddr_in6 *)&a)->sin6_port = htons(j->ports[idx]);
      int r = connect(fd, (struct sockaddr *)&a, j->addrlen);
      if (r == 0 || errno != EINPROGRESS) {
        int o = outcome_of(r == 0 ? 0 : errno);
        double rt = now_ms() - w->sstart[s];
        release_slot(w, s);
        settle(w, idx, o, rt);
        if (o == 5) local_limit = 1;
        continue;
      }
      struct epoll_event e = {.events = EPOLLOUT | EPOLLERR | EPOLLHUP, .data.u32 = (uint32_t)s};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    }
    int n = epoll_wait(ep, evs, 1024, w->inflight > 0 ? 10 : 1);
    for (int k = 0; k < n; k++) {
      int s = (int)evs[k].data.u32;
      if (w->sidx[s] < 0) continue;
      int err = 0;
      socklen_t sl = sizeof err;
      getsockopt(w->sfd[s], SOL_SOCKET, SO_ERROR, &err, &sl);
      int32_t idx = w->sidx[s];
      double rt = now_ms() - w->sstart[s];
      release_slot(w, s);
      settle(w, idx, outcome_of(err), rt);
    }
    /* timeouts are swept after the completions were read, so our own delays never count as silence */
    double to = rtt_timeout(&w->rtt);
    t = now_ms();
    for (int s = 0; s < w->slots; s++) {
      if (w->sidx[s] < 0 || t - w->sstart[s] < to) continue;
      int32_t idx = w->sidx[s];
      release_slot(w, s);
      settle(w, idx, 4, 0);
    }
  }
  for (int s = 0; s < w->slots; s++)
    if (w->sidx[s] >= 0) release_slot(w, s);
}

static void *worker(void *p) {
  worker_arg_t *wa = (worker_arg_t *)p;
  job_t *j = wa->job;
  wstate_t w;
  memset(&w, 0, sizeof w);
  w.j = j;
  w.me = wa->index;
  w.T = j->threads;
  /* this thread's ports: indexes me, me+T, me+2T, ... */
  size_t mine = j->nports > (size_t)w.me ? (j->nports - w.me + w.T - 1) / w.T : 0;
  w.slots = j->concurrency;
  w.cap = mine + 1;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  w.queue = malloc(sizeof(int32_t) * w.cap);
  w.tries = calloc(w.cap, 1);
  w.sfd = malloc(sizeof(int) * w.slots);
  w.sidx = malloc(sizeof(int32_t) * w.slots);
  w.sstart = malloc(sizeof(double) * w.slots);
  w.freelist = malloc(sizeof(int) * w.slots);
  struct epoll_event *evs = malloc(sizeof(struct epoll_event) * 1024);
  if (ep < 0 || !w.queue || !w.tries || !w.sfd || !w.sidx || !w.sstart || !w.freelist || !evs) {
    pthread_mutex_lock(&j->lock);
    j->error = errno ? errno : ENOMEM;
    snprintf(j->errmsg, sizeof j->errmsg, "scan thread setup failed: %s", strerror(j->error));
    pthread_mutex_unlock(&j->lock);
  } else {
    for (size_t k = 0; k < mine; k++) {
      size_t idx = w.me + k * w.T;
      if (j->states[idx] == ST_PENDING) w.queue[w.qlen++] = (int32_t)idx;
    }
    w.undecided = w.qlen;
    for (int s = w.slots - 1; s >= 0; s--) {
      w.sfd[s] = -1;
      w.sidx[s] = -1;
      w.freelist[w.nfree++] = s;
    }
    w.rtt = (rtt_t){0, 0, 0, j->initial_ms, j->min_ms, j->max_ms};
    w.maxwin = w.slots;
    w.window = w.slots < 256 ? w.slots : 256;
    run_worker(&w, ep, evs);
    pthread_mutex_lock(&j->lock);
    j->probes += w.probes;
    j->retried += w.retried;
    if (w.rtt.n > 0) {
      j->srtt_sum += w.rtt.srtt;
      j->srtt_n++;
    }
    if (rtt_timeout(&w.rtt) > j->timeout_ms) j->timeout_ms = rtt_timeout(&w.rtt);
    pthread_mutex_unlock(&j->lock);
  }
  if (ep >= 0) close(ep);
  free(w.queue);
  free(w.tries);
  free(w.sfd);
  free(w.sidx);
  free(w.sstart);
  free(w.freelist);
  free(evs);
  return NULL;
}

static void execute(void *data) {
  job_t *j = &((request_t *)data)->job;
  pthread_t th[MAX_THREADS];
  worker_arg_t args[MAX_THREADS];
  int created[MAX_THREADS] = {0};
  for (int i = 0; i < j->threads; i++) {
    args[i].job = j;
    args[i].index = i;
    created[i] = pthread_create(&th[i], NULL, worker, &args[i]) == 0;
    /* no thread to be had: this share of the ports runs here, before the others are joined */
    if (!created[i]) worker(&args[i]);
  }
  for (int i = 0; i < j->threads; i++)
    if (created[i]) pthread_join(th[i], NULL);
}

static void complete(napi_env env, void *data) {
  request_t *req = (request_t *)data;
  job_t *j = &req->job;
  napi_value result;
  if (j->error) {
    napi_value msg, err;
    napi_create_string_utf8(env, j->error ? j->errmsg : "connect scan failed", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, req->deferred, err);
  } else {
    napi_create_object(env, &result);
    napi_value v;
    napi_create_int64(env, j->probes, &v);
    napi_set_named_property(env, result, "probes", v);
    napi_create_int64(env, j->retried, &v);
    napi_set_named_property(env, result, "retries", v);
    if (j->srtt_n > 0) napi_create_double(env, j->srtt_sum / j->srtt_n, &v);
    else napi_get_null(env, &v);
    napi_set_named_property(env, result, "srttMs", v);
    napi_create_double(env, j->timeout_ms, &v);
    napi_set_named_property(env, result, "timeoutMs", v);
    napi_resolve_deferred(env, req->deferred, result);
  }
  for (int i = 0; i < 3; i++) napi_delete_reference(env, req->refs[i]);
  pthread_mutex_destroy(&j->lock);
  free(req);
}

#define THROW(msg)                              \
  do {                                          \
    napi_throw_type_error(env, NULL, msg);      \
    if (req) free(req);                         \
    return NULL;                                \
  } while (0)

napi_value connect_scan(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  request_t *req = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) THROW("connectScan(address, family, ports, states, control, opts)");
  req = calloc(1, sizeof(request_t));
  if (!req) THROW("out of memory");
  job_t *j = &req->job;
  char addr[64];
  size_t alen;
  if (napi_get_value_string_utf8(env, argv[0], addr, sizeof addr, &alen) != napi_ok) THROW("address must be a string");
  int32_t family;
  napi_get_value_int32(env, argv[1], &family);
  memset(&j->addr, 0, sizeof j->addr);
  if (family == 6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&j->addr;
    a6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1) THROW("bad IPv6 address");
    j->addrlen = sizeof(struct sockaddr_in6);
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)&j->addr;
    a4->sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1) THROW("bad IPv4 address");
    j->addrlen = sizeof(struct sockaddr_in);
  }
  napi_typedarray_type tt;
  size_t len, len2, len3;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[2], &tt, &len, &data, &ab, &off) != napi_ok || tt != napi_uint16_array)
    THROW("ports must be a Uint16Array");
  j->ports = data;
  if (napi_get_typedarray_info(env, argv[3], &tt, &len2, &data, &ab, &off) != napi_ok || tt != napi_uint8_array ||
      len2 != len)
    THROW("states must be a Uint8Array as long as ports");
  j->states = data;
  if (napi_get_typedarray_info(env, argv[4], &tt, &len3, &data, &ab, &off) != napi_ok || tt != napi_int32_array ||
      len3 < 2)
    THROW("control must be an Int32Array of at least 2");
  j->control = data;
  j->nports = len;
  int threads = (int)get_num(env, argv[5], "threads", 2);
  j->threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
  int conc = (int)get_num(env, argv[5], "concurrency", 512);
  j->concurrency = conc / j->threads < 1 ? 1 : conc / j->threads;
  j->retries = (int)get_num(env, argv[5], "retries", 2);
  j->initial_ms = get_num(env, argv[5], "initialMs", 1000);
  j->min_ms = get_num(env, argv[5], "minMs", 100);
  j->max_ms = get_num(env, argv[5], "maxMs", 3000);
  j->deadline = now_ms() + get_num(env, argv[5], "deadlineMs", 30 * 60 * 1000);
  j->timeout_ms = 0;
  pthread_mutex_init(&j->lock, NULL);
  for (int i = 0; i < 3; i++) napi_create_reference(env, argv[2 + i], 1, &req->refs[i]);
  napi_value promise;
  napi_create_promise(env, &req->deferred, &promise);
  if (run_in_background(env, "sentra:connectScan", execute, complete, req) != 0) {
    for (int i = 0; i < 3; i++) napi_delete_reference(env, req->refs[i]);
    pthread_mutex_destroy(&req->job.lock);
    napi_value msg, err;
    napi_create_string_utf8(env, "cannot start the scan thread", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, req->deferred, err);
    free(req);
  }
  return promise;
}
