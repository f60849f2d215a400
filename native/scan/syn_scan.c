/*
 * SYN scan (IPv4, Linux, root or CAP_NET_RAW): half-open probes through a raw socket. Each
 * probe costs one sendto() of a 24-byte TCP header instead of a socket's whole life, so a
 * full range is several times cheaper than a connect scan. Verdicts as nmap -sS: SYN-ACK = open
 * (the kernel answers it with a reset, having no socket for it), RST = closed, silence after
 * the retries = filtered.
 *
 * Ports are dealt to threads (one per core); each thread has its own source port, reserved by
 * binding an ordinary TCP socket to it (never listening) so that no other connection of this
 * host can use it while the scan runs, and its own raw socket whose classic BPF filter keeps
 * only segments from the target to that port: the rest of the host's TCP traffic is not copied
 * to us, and each thread sees only the answers to its own probes. Probe sequence numbers are a keyed hash of the port,
 * and answers whose acknowledgement does not match are ignored (stale or forged).
 *
 * JS API: synScan(address, ports: Uint16Array, states: Uint8Array, control: Int32Array(2), opts)
 *   -> Promise<stats>; opts: { threads, concurrency, retries, initialMs, minMs, maxMs, deadlineMs }
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scan_common.h"

typedef struct {
  struct in_addr dst;
  uint32_t key;
  const uint16_t *ports;
  uint8_t *states;
  int32_t *control;
  size_t nports;
  int concurrency, retries;
  double initial_ms, min_ms, max_ms, deadline;
  int threads;
  const int32_t *index_of; /* port -> index in ports[], shared read-only */
  int64_t probes, retried;
  double srtt_sum, timeout_ms;
  int srtt_n;
  int error;
  char errmsg[160];
  pthread_mutex_t lock;
} syn_job_t;

typedef struct {
  syn_job_t *j;
  int me;
} syn_arg_t;

typedef struct {
  napi_deferred deferred;
  napi_ref refs[3];
  syn_job_t job;
} syn_request_t;

static uint32_t probe_seq(uint32_t key, uint16_t port) {
  /* a keyed mix (splitmix32 style): answers must acknowledge this + 1 */
  uint32_t x = key ^ ((uint32_t)port * 0x9e3779b9u);
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

static uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* TCP checksum over the IPv4 pseudo-header and the segment (RFC 793 section 3.1) */
static uint16_t tcp_checksum(struct in_addr src, struct in_addr dst, const uint8_t *seg, size_t len) {
  uint32_t sum = 0;
  const uint8_t *s = (const uint8_t *)&src.s_addr, *d = (const uint8_t *)&dst.s_addr;
  sum += (s[0] << 8 | s[1]) + (s[2] << 8 | s[3]) + (d[0] << 8 | d[1]) + (d[2] << 8 | d[3]);
  sum += IPPROTO_TCP + (uint32_t)len;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (seg[i] << 8) | seg[i + 1];
  if (len & 1) sum += seg[len - 1] << 8;
  return csum_fold(sum);
}

static void fail(syn_job_t *j, const char *what) {
  int e = errno ? errno : EINVAL;
  pthread_mutex_lock(&j->lock);
  if (!j->error) {
    j->error = e;
    snprintf(j->errmsg, sizeof j->errmsg, "%s: %s", what, strerror(e));
  }
  pthread_mutex_unlock(&j->lock);
}

/*
 * One thread's share: the ports whose index is me mod T, its own source port, raw socket and
 * filter (so each thread receives only the answers to its own probes), window and RTT.
 */
static void *syn_worker(void *p) {
  syn_arg_t *a = (syn_arg_t *)p;
  syn_job_t *j = a->j;
  const int me = a->me, T = j->threads;
  const int32_t *index_of = j->index_of;
  int rs = -1, guard = -1;
  size_t n = j->nports;
  size_t mine = n > (size_t)me ? (n - me + T - 1) / T : 0;
  int conc = j->concurrency / T < MIN_WINDOW ? MIN_WINDOW : j->concurrency / T;
  uint8_t *tries = calloc(n ? n : 1, 1);
  uint8_t *inflight_flag = calloc(n ? n : 1, 1);
  double *sent_at = malloc(sizeof(double) * (n ? n : 1));
  int32_t *queue = malloc(sizeof(int32_t) * (mine + 1));
  /* send-order ring of probes for timeout expiry from the head; answered ones stay in it until
     they reach the head, so it holds up to every probe this thread may send */
  size_t rcap = mine * (size_t)(j->retries + 1) + 1;
  int32_t *ring = malloc(sizeof(int32_t) * rcap);
  int64_t probes = 0, retried = 0;
  uint16_t sport = 0;
  struct in_addr src;
  rtt_t rtt = {0, 0, 0, j->initial_ms, j->min_ms, j->max_ms};
  if (!tries || !inflight_flag || !sent_at || !queue || !ring) {
    errno = ENOMEM;
    fail(j, "out of memory");
    goto out;
  }

  /* the local address the kernel routes the target through */
  {
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in t = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr = j->dst};
    socklen_t sl = sizeof t;
    if (u < 0 || connect(u, (struct sockaddr *)&t, sizeof t) < 0 || getsockname(u, (struct sockaddr *)&t, &sl) < 0) {
      fail(j, "no route to the target");
      if (u >= 0) close(u);
      goto out;
    }
    close(u);
    src = t.sin_addr;
  }
  /* reserve a source port: a bound TCP socket that never listens */
  {
    guard = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = src};
    socklen_t sl = sizeof b;
    if (guard < 0 || bind(guard, (struct sockaddr *)&b, sizeof b) < 0 || getsockname(guard, (struct sockaddr *)&b, &sl) < 0) {
      fail(j, "cannot reserve a source port");
      goto out;
    }
    sport = ntohs(b.sin_port);
  }
  rs = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (rs < 0) {
    fail(j, "raw socket (a SYN scan needs root or CAP_NET_RAW)");
    goto out;
  }
  {
    /* keep only: IPv4 source == target && TCP destination port == sport */
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(j->dst.s_addr), 0, 4),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, sport, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0xffff),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (setsockopt(rs, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) {
      fail(j, "cannot attach the packet filter");
      goto out;
    }
    int rcv = 4 << 20;
    setsockopt(rs, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    /* a connected raw socket keeps its route (no lookup per probe) and receives from the
       target only, before the filter even runs */
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr = j->dst};
    if (connect(rs, (struct sockaddr *)&peer, sizeof peer) < 0) {
      fail(j, "cannot connect the raw socket to the target");
      goto out;
    }
    /* drain whatever arrived before the filter was attached */
    uint8_t junk[128];
    while (recv(rs, junk, sizeof junk, MSG_DONTWAIT) > 0) {
    }
  }
  size_t qhead = 0, qlen = 0, cap = mine + 1;
  for (size_t k = 0; k < mine; k++) {
    size_t i = me + k * T;
    if (j->states[i] == ST_PENDING) queue[qlen++] = (int32_t)i;
  }
  size_t undecided = qlen;
  size_t rhead = 0, rlen = 0;
  int inflight = 0, window = conc < 256 ? conc : 256;
  int64_t answered = 0;
  double last_shrink = 0;
  uint8_t seg[24];
  uint8_t buf[256];

#define DECIDE(idx, st)                                       \
  do {                                                        \
    j->states[idx] = (st);                                    \
    undecided--;                                              \
    __atomic_add_fetch(&j->control[0], 1, __ATOMIC_RELAXED);  \
  } while (0)

  while (undecided > 0) {
    double t = now_ms();
    if (t >= j->deadline || __atomic_load_n(&j->control[1], __ATOMIC_RELAXED)) break;
    /* send */
    while (qlen > 0 && inflight < window) {
      int32_t idx = queue[qhead];
      qhead = (qhead + 1) % cap;
      qlen--;
      if (j->states[idx] != ST_PENDING) continue;
      uint16_t dport = j->ports[idx];
      uint32_t seq = probe_seq(j->key, dport);
      memset(seg, 0, sizeof seg);
      seg[0] = sport >> 8;
      seg[1] = sport & 0xff;
      seg[2] = dport >> 8;
      seg[3] = dport & 0xff;
      seg[4] = seq >> 24;
      seg[5] = seq >> 16;
      seg[6] = seq >> 8;
      seg[7] = seq;
      seg[12] = 6 << 4; /* data offset: 24 bytes */
      seg[13] = 0x02;   /* SYN */
      seg[14] = 0x04;   /* window 1024 */
      seg[20] = 2;      /* MSS 1460, as most stacks offer */
      seg[21] = 4;
      seg[22] = 1460 >> 8;
      seg[23] = 1460 & 0xff;
      uint16_t c = tcp_checksum(src, j->dst, seg, sizeof seg);
      seg[16] = c >> 8;
      seg[17] = c & 0xff;
      if (send(rs, seg, sizeof seg, 0) < 0) {
        if (errno == ENOBUFS || errno == EAGAIN) {
          /* the device queue is full: retry this port after the next receive round */
          queue[(qhead + qlen++) % cap] = idx;
          window = window > MIN_WINDOW ? window / 2 : MIN_WINDOW;
          break;
        }
        if (errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EACCES || errno == EPERM) {
          DECIDE(idx, ST_FILTERED);
          continue;
        }
        fail(j, "sendto");
        goto done;
      }
      probes++;
      tries[idx]++;
      sent_at[idx] = now_ms();
      inflight_flag[idx] = 1;
      inflight++;
      ring[(rhead + rlen++) % rcap] = idx;
    }
    /* receive */
    struct pollfd pfd = {.fd = rs, .events = POLLIN};
    poll(&pfd, 1, inflight > 0 ? 5 : 1);
    for (;;) {
      ssize_t got = recv(rs, buf, sizeof buf, MSG_DONTWAIT);
      if (got < 0) break;
      if (got < 20) continue;
      size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
      if ((size_t)got < ihl + 14) continue;
      const uint8_t *tcp = buf + ihl;
      uint16_t sp = (uint16_t)(tcp[0] << 8 | tcp[1]);
      uint32_t ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 | (uint32_t)tcp[10] << 8 | tcp[11];
      uint8_t flags = tcp[13];
      int32_t idx = index_of[sp];
      if (idx < 0 || !inflight_flag[idx] || ack != probe_seq(j->key, sp) + 1) continue;
      /* only a SYN-ACK or a reset answers a SYN; anything else is ignored until the timeout */
      int open = (flags & 0x12) == 0x12;
      if (!open && !(flags & 0x04)) continue;
      inflight_flag[idx] = 0;
      inflight--;
      rtt_sample(&rtt, now_ms() - sent_at[idx]);
      answered++;
      if (window < conc) window++;
      DECIDE(idx, open ? ST_OPEN : ST_CLOSED);
    }
    /* expire: probes leave the ring in send order; settled ones are skipped */
    double to = rtt_timeout(&rtt);
    t = now_ms();
    while (rlen > 0) {
      int32_t idx = ring[rhead];
      if (inflight_flag[idx] && t - sent_at[idx] < to) break;
      rhead = (rhead + 1) % rcap;
      rlen--;
      if (!inflight_flag[idx]) continue;
      inflight_flag[idx] = 0;
      inflight--;
      if (answered > 0 && t - last_shrink > to) {
        last_shrink = t;
        window = (int)(window * 0.7);
        if (window < MIN_WINDOW) window = MIN_WINDOW;
      }
      if (tries[idx] <= j->retries) {
        retried++;
        queue[(qhead + qlen++) % cap] = idx;
      } else {
        DECIDE(idx, ST_FILTERED);
      }
    }
  }
done:
  pthread_mutex_lock(&j->lock);
  j->probes += probes;
  j->retried += retried;
  if (rtt.n > 0) {
    j->srtt_sum += rtt.srtt;
    j->srtt_n++;
  }
  if (rtt_timeout(&rtt) > j->timeout_ms) j->timeout_ms = rtt_timeout(&rtt);
  pthread_mutex_unlock(&j->lock);
out:
  if (rs >= 0) close(rs);
  if (guard >= 0) close(guard);
  free(tries);
  free(inflight_flag);
  free(sent_at);
  free(queue);
  free(ring);
  return NULL;
}

#define SYN_MAX_THREADS 16

static void syn_execute(void *data) {
  syn_job_t *j = &((syn_request_t *)data)->job;
  int32_t *index_of = malloc(sizeof(int32_t) * 65536);
  if (!index_of) {
    errno = ENOMEM;
    fail(j, "out of memory");
    return;
  }
  for (int p = 0; p < 65536; p++) index_of[p] = -1;
  for (size_t i = 0; i < j->nports; i++) index_of[j->ports[i]] = (int32_t)i;
  j->index_of = index_of;
  if (getrandom(&j->key, sizeof j->key, 0) != sizeof j->key) j->key = (uint32_t)now_ms() * 2654435761u;
  pthread_t th[SYN_MAX_THREADS];
  syn_arg_t args[SYN_MAX_THREADS];
  int created[SYN_MAX_THREADS] = {0};
  for (int i = 0; i < j->threads; i++) {
    args[i].j = j;
    args[i].me = i;
    created[i] = pthread_create(&th[i], NULL, syn_worker, &args[i]) == 0;
    if (!created[i]) syn_worker(&args[i]);
  }
  for (int i = 0; i < j->threads; i++)
    if (created[i]) pthread_join(th[i], NULL);
  free(index_of);
}

static void syn_complete(napi_env env, void *data) {
  syn_request_t *req = (syn_request_t *)data;
  syn_job_t *j = &req->job;
  if (j->error) {
    napi_value msg, code, err;
    napi_create_string_utf8(env, j->error ? j->errmsg : "SYN scan failed", NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(env, j->error == EPERM || j->error == EACCES ? "EPERM" : "ESCAN", NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, msg, &err);
    napi_reject_deferred(env, req->deferred, err);
  } else {
    napi_value result, v;
    napi_create_object(env, &result);
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

napi_value syn_scan(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "synScan(address, ports, states, control, opts)");
    return NULL;
  }
  syn_request_t *req = calloc(1, sizeof(syn_request_t));
  if (!req) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  syn_job_t *j = &req->job;
  char addr[64];
  size_t alen;
  napi_typedarray_type tt;
  size_t len, len2, len3, off;
  void *data;
  napi_value ab;
  const char *bad = NULL;
  if (napi_get_value_string_utf8(env, argv[0], addr, sizeof addr, &alen) != napi_ok || inet_pton(AF_INET, addr, &j->dst) != 1)
    bad = "address must be an IPv4 address";
  else if (napi_get_typedarray_info(env, argv[1], &tt, &len, &data, &ab, &off) != napi_ok || tt != napi_uint16_array)
    bad = "ports must be a Uint16Array";
  else {
    j->ports = data;
    if (napi_get_typedarray_info(env, argv[2], &tt, &len2, &data, &ab, &off) != napi_ok || tt != napi_uint8_array || len2 != len)
      bad = "states must be a Uint8Array as long as ports";
    else {
      j->states = data;
      if (napi_get_typedarray_info(env, argv[3], &tt, &len3, &data, &ab, &off) != napi_ok || tt != napi_int32_array || len3 < 2)
        bad = "control must be an Int32Array of at least 2";
      else j->control = data;
    }
  }
  if (bad) {
    free(req);
    napi_throw_type_error(env, NULL, bad);
    return NULL;
  }
  j->nports = len;
  int conc = (int)get_num(env, argv[4], "concurrency", 1024);
  j->concurrency = conc < MIN_WINDOW ? MIN_WINDOW : conc;
  j->retries = (int)get_num(env, argv[4], "retries", 2);
  j->initial_ms = get_num(env, argv[4], "initialMs", 1000);
  j->min_ms = get_num(env, argv[4], "minMs", 100);
  j->max_ms = get_num(env, argv[4], "maxMs", 3000);
  j->deadline = now_ms() + get_num(env, argv[4], "deadlineMs", 30 * 60 * 1000);
  int threads = (int)get_num(env, argv[4], "threads", 1);
  j->threads = threads < 1 ? 1 : threads > SYN_MAX_THREADS ? SYN_MAX_THREADS : threads;
  pthread_mutex_init(&j->lock, NULL);
  for (int i = 0; i < 3; i++) napi_create_reference(env, argv[1 + i], 1, &req->refs[i]);
  napi_value promise;
  napi_create_promise(env, &req->deferred, &promise);
  if (run_in_background(env, "sentra:synScan", syn_execute, syn_complete, req) != 0) {
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
