/*
 * Live capture: one libpcap handle read by one capture thread, packets handed to JS in batches.
 *
 * Why a thread: on a 2-core machine the thread drains the kernel ring while JS decodes the
 * previous batch, so the two run in parallel and Node's event loop never blocks on pcap.
 *
 * Data path (no allocation per packet or per batch):
 *   - start() allocates `nslots` ArrayBuffers ("slots") of `slot_size` bytes, visible to JS.
 *   - the thread fills the current slot with records of
 *       u32 tsSec | u32 tsNsec | u32 capLen | u32 origLen | capLen bytes, padded to 4 bytes
 *     and, when the slot is full or the kernel has nothing more to give right now, hands the
 *     slot to JS through a threadsafe function (the slot number is the call's data).
 *   - JS walks the slot, then the call_js callback marks the slot free again.
 *   - when every slot is still with JS:
 *       backpressure (default): the thread parks the packet in hand, breaks out of
 *       pcap_dispatch and waits (slot_fd) until JS frees a slot. Meanwhile packets wait in the
 *       kernel's buffer, so the kernel buffer and the slots add up; the kernel drops (and
 *       counts in ps_drop) only when both are full.
 *       no backpressure: the thread keeps draining the kernel and counts the packets it
 *       discards in `dropped_queue`, keeping the kernel's buffer free and showing "JS too slow"
 *       apart from "kernel buffer too small".
 *
 * Locking: `lock` serialises every use of the pcap_t (dispatch on the thread; stats, inject
 * and setfilter on the main thread): libpcap does not promise thread safety per handle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "capture.h"
#include "netns.h"

capture_t *get_capture(napi_env env, napi_value v, bool must_be_open) {
  napi_valuetype t;
  void *data = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok ||
      data == NULL || ((capture_t *)data)->magic != CAPTURE_MAGIC) {
    throw_code(env, SE_INVALID_ARG, "not a capture handle");
    return NULL;
  }
  capture_t *c = data;
  if (must_be_open && c->closed) {
    throw_code(env, SE_CLOSED, "the capture is closed");
    return NULL;
  }
  return c;
}

static void capture_unref(capture_t *c) {
  if (--c->refs > 0) return;
  pthread_mutex_destroy(&c->lock);
  free(c->slot_data);
  free(c->slot_refs);
  free((void *)c->slot_busy);
  free(c->slot_count);
  free(c->pending);
  c->magic = 0;
  free(c);
}


/* ---- capture thread ------------------------------------------------------------------- */

static int acquire_slot(capture_t *c) {
  for (uint32_t i = 0; i < c->nslots; i++) {
    uint32_t s = (c->next_slot + i) % c->nslots;
    int expected = 0;
    if (atomic_compare_exchange_strong(&c->slot_busy[s], &expected, 1)) {
      c->next_slot = (s + 1) % c->nslots;
      return (int)s;
    }
  }
  return -1;
}

static void flush_slot(capture_t *c) {
  if (c->cur < 0) return;
  int s = c->cur;
  if (c->cur_count == 0) return; /* keep the empty slot for the next packets */
  c->slot_count[s] = c->cur_count;
  c->cur = -1;
  c->cur_count = 0;
  c->cur_used = 0;
  if (napi_call_threadsafe_function(c->tsfn, (void *)(intptr_t)(s + 1), napi_tsfn_nonblocking) != napi_ok) {
    atomic_store(&c->slot_busy[s], 0); /* closing: nobody will read it */
  }
}

static void write_record(uint8_t *dst, const struct pcap_pkthdr *h, const u_char *bytes, bool nano) {
  uint32_t *hdr = (uint32_t *)dst;
  hdr[0] = (uint32_t)h->ts.tv_sec;
  hdr[1] = nano ? (uint32_t)h->ts.tv_usec : (uint32_t)h->ts.tv_usec * 1000u;
  hdr[2] = h->caplen;
  hdr[3] = h->len;
  memcpy(dst + RECORD_HEADER, bytes, h->caplen);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  capture_t *c = (capture_t *)user;
  atomic_fetch_add_explicit(&c->captured, 1, memory_order_relaxed); /* read from the kernel */
  uint32_t caplen = h->caplen;
  size_t need = RECORD_HEADER + (((size_t)caplen + 3u) & ~(size_t)3u);
  if (need > c->slot_size) { /* cannot happen: slot_size >= header + snaplen */
    atomic_fetch_add(&c->dropped_queue, 1);
    return;
  }
  if (c->cur >= 0 && c->cur_used + need > c->slot_size) flush_slot(c);
  if (c->cur < 0) {
    c->cur = acquire_slot(c);
    if (c->cur < 0) {
      if (c->backpressure && !c->has_pending) {
        /* keep this packet, stop the dispatch loop: the rest stays in the kernel's buffer */
        write_record(c->pending, h, bytes, c->nano);
        c->pending_len = need;
        c->has_pending = true;
        pcap_breakloop(c->p);
      } else {
        atomic_fetch_add(&c->dropped_queue, 1);
      }
      return;
    }
    c->cur_used = 0;
    c->cur_count = 0;
  }
  write_record(c->slot_data[c->cur] + c->cur_used, h, bytes, c->nano);
  c->cur_used += need;
  c->cur_count++;
}

/* Waits (without holding the pcap lock) until JS frees a slot, and makes it current.
 * False when the capture is stopping. */
static bool wait_for_slot(capture_t *c) {
  struct pollfd fds[2];
  fds[0].fd = c->slot_fd;
  fds[0].events = POLLIN;
  fds[1].fd = c->wake_fd;
  fds[1].events = POLLIN;
  atomic_fetch_add(&c->waits, 1);
  for (;;) {
    int s = acquire_slot(c);
    if (s < 0) {
      atomic_store(&c->waiting, true);
      s = acquire_slot(c); /* a slot freed before `waiting` was visible sent no wake-up */
    }
    if (s >= 0) {
      atomic_store(&c->waiting, false);
      c->cur = s;
      c->cur_used = 0;
      c->cur_count = 0;
      return true;
    }
    if (atomic_load(&c->stopping)) return false;
    int r = poll(fds, 2, -1);
    if (r < 0 && errno != EINTR) return false;
    if (fds[1].revents != 0 || atomic_load(&c->stopping)) return false;
    if (fds[0].revents != 0) {
      uint64_t v;
      ssize_t rd = read(c->slot_fd, &v, sizeof v);
      (void)rd;
    }
  }
}

static void place_pending(capture_t *c) {
  memcpy(c->slot_data[c->cur], c->pending, c->pending_len);
  c->cur_used = c->pending_len;
  c->cur_count = 1;
  c->has_pending = false;
}


static void report_thread_error(capture_t *c, const char *msg) {
  snprintf(c->thread_error, sizeof c->thread_error, "%s", msg);
  napi_call_threadsafe_function(c->tsfn, (void *)(intptr_t)-1, napi_tsfn_nonblocking);
}

static void *capture_thread(void *arg) {
  capture_t *c = arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals belong to Node's main thread */

  struct pollfd fds[2];
  fds[0].fd = pcap_get_selectable_fd(c->p);
  fds[0].events = POLLIN;
  fds[1].fd = c->wake_fd;
  fds[1].events = POLLIN;
  bool ready = false; /* read the kernel again without polling first */
  while (!atomic_load(&c->stopping)) {
    short revents = 0;
    if (!ready) {
      int r = poll(fds, 2, -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        char m[128];
        snprintf(m, sizeof m, "poll failed: %s", strerror(errno));
        report_thread_error(c, m);
        break;
      }
      if (fds[1].revents != 0 || atomic_load(&c->stopping)) break;
      if (fds[0].revents == 0) continue;
      revents = fds[0].revents;
    }
    ready = false;
    pthread_mutex_lock(&c->lock);
    int n = pcap_dispatch(c->p, -1, on_packet, (u_char *)c);
    char err[PCAP_ERRBUF_SIZE];
    if (n == PCAP_ERROR) snprintf(err, sizeof err, "%s", pcap_geterr(c->p));
    pthread_mutex_unlock(&c->lock);
    flush_slot(c);
    if (n == PCAP_ERROR) {
      report_thread_error(c, err);
      break;
    }
    if (c->has_pending) {
      /* every slot is with JS: wait for one, then go on reading what the kernel kept */
      if (!wait_for_slot(c)) break;
      place_pending(c);
      ready = true;
      continue;
    }
    if (n == 0 && (revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
      /* libpcap reports socket errors itself; this guards against spinning if it did not */
      report_thread_error(c, "the capture socket reported an error condition");
      break;
    }
  }
  return NULL;
}

/* Stops and joins the thread (main thread only). */
static void stop_thread(capture_t *c) {
  if (!c->thread_started) return;
  atomic_store(&c->stopping, true);
  uint64_t one = 1;
  ssize_t w = write(c->wake_fd, &one, sizeof one);
  (void)w;
  pthread_join(c->thread, NULL);
  c->thread_started = false;
}

static void release_native(capture_t *c) {
  stop_thread(c);
  if (c->wake_fd >= 0) {
    close(c->wake_fd);
    c->wake_fd = -1;
  }
  if (c->slot_fd >= 0) {
    close(c->slot_fd);
    c->slot_fd = -1;
  }
  if (c->p != NULL) {
    pcap_close(c->p);
    c->p = NULL;
  }
  if (c->netns_fd >= 0) {
    close(c->netns_fd);
    c->netns_fd = -1;
  }
}

/* Node is tearing the environment down (process exit, worker end) with the capture open. */
static void env_cleanup(void *arg) {
  capture_t *c = arg;
  c->cleanup_hook = false;
  c->closed = true;
  release_native(c);
}

static void delete_slot_refs(napi_env env, capture_t *c) {
  if (c->slot_refs == NULL) return;
  for (uint32_t i = 0; i < c->nslots; i++) {
    if (c->slot_refs[i] != NULL) napi_delete_reference(env, c->slot_refs[i]);
    c->slot_refs[i] = NULL;
  }
}

static void do_close(napi_env env, capture_t *c) {
  if (c->closed) return;
  c->closed = true;
  release_native(c);
  if (c->cleanup_hook) {
    napi_remove_env_cleanup_hook(env, env_cleanup, c);
    c->cleanup_hook = false;
  }
  if (c->tsfn != NULL) {
    napi_release_threadsafe_function(c->tsfn, napi_tsfn_abort);
    /* c->tsfn stays set: finalize_tsfn deletes the slot references and drops our reference */
  } else {
    delete_slot_refs(env, c);
  }
}

/* ---- JS side of the threadsafe function ------------------------------------------------ */

/* Main thread: JS is done with slot s; wake the capture thread if it waits for one. */
static void release_slot(capture_t *c, int s) {
  atomic_store(&c->slot_busy[s], 0);
  if (atomic_exchange(&c->waiting, false) && c->slot_fd >= 0) {
    uint64_t one = 1;
    ssize_t w = write(c->slot_fd, &one, sizeof one);
    (void)w;
  }
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  capture_t *c = context;
  intptr_t tag = (intptr_t)data;
  if (env == NULL || cb == NULL) {
    if (tag > 0) release_slot(c, (int)tag - 1);
    return;
  }
  napi_value argv[3], undef;
  napi_get_undefined(env, &undef);
  if (tag < 0) {
    if (c->closed) return;
    napi_create_int32(env, -1, &argv[0]);
    napi_create_int32(env, 0, &argv[1]);
    napi_create_string_utf8(env, c->thread_error, NAPI_AUTO_LENGTH, &argv[2]);
  } else {
    int s = (int)tag - 1;
    if (c->closed) {
      release_slot(c, s);
      return;
    }
    napi_create_int32(env, s, &argv[0]);
    napi_create_uint32(env, c->slot_count[s], &argv[1]);
    argv[2] = undef;
  }
  napi_status st = napi_call_function(env, undef, cb, 3, argv, NULL);
  if (tag > 0) release_slot(c, (int)tag - 1);
  if (st == napi_pending_exception) {
    /* the TypeScript walker catches user errors; this only fires on a bug there */
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
  }
}

static void finalize_tsfn(napi_env env, void *data, void *hint) {
  (void)hint;
  capture_t *c = data;
  delete_slot_refs(env, c);
  c->tsfn = NULL;
  capture_unref(c);
}

static void finalize_external(napi_env env, void *data, void *hint) {
  (void)hint;
  capture_t *c = data;
  do_close(env, c);
  capture_unref(c);
}

/* ---- exported functions ---------------------------------------------------------------- */

static napi_value open_error(napi_env env, pcap_t *p, int status, const char *device) {
  const char *detail = pcap_geterr(p);
  const char *code = SE_PCAP;
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      code = SE_NO_DEVICE;
      break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      code = SE_PERM;
      break;
    case PCAP_ERROR_IFACE_NOT_UP:
      code = SE_IFACE_DOWN;
      break;
    default:
      break;
  }
  const char *what = pcap_statustostr(status);
  if (detail != NULL && detail[0] != 0 && strcmp(detail, what) != 0)
    return throw_code(env, code, "%s: %s (%s)", device, what, detail);
  return throw_code(env, code, "%s: %s", device, what);
}

/*
 * open(device, {snaplen, promisc, immediate, bufferSize, timeoutMs, netns, nano}):
 *   {handle, linkType, nano, warning}
 */
static napi_value capture_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, SE_INVALID_ARG, "open(device, options)");
  char device[256], ns[256];
  if (!get_string(env, argv[0], device, sizeof device, "interface")) return NULL;
  napi_value opts = argc >= 2 ? argv[1] : NULL;
  uint32_t snaplen = 262144, buffer_size = 0;
  int32_t timeout_ms = 100;
  bool promisc = true, immediate = false, want_nano = true, use_ns = false;
  if (!opt_u32(env, opts, "snaplen", &snaplen) || !opt_u32(env, opts, "bufferSize", &buffer_size) ||
      !opt_i32(env, opts, "timeoutMs", &timeout_ms) || !opt_bool(env, opts, "promisc", &promisc) ||
      !opt_bool(env, opts, "immediate", &immediate) || !opt_bool(env, opts, "nano", &want_nano) ||
      !opt_string(env, opts, "netns", ns, sizeof ns, &use_ns))
    return NULL;
  if (snaplen < 1 || snaplen > 262144) return throw_code(env, SE_INVALID_ARG, "snaplen must be 1-262144");

  char errbuf[PCAP_ERRBUF_SIZE + 256] = {0};
  int ns_fd = -1, saved = -1;
  if (use_ns) {
    ns_fd = netns_open(ns, errbuf, sizeof errbuf);
    if (ns_fd < 0) return throw_code(env, SE_NETNS, "%s", errbuf);
    if (!netns_enter(ns_fd, &saved, errbuf, sizeof errbuf)) {
      close(ns_fd);
      return throw_code(env, SE_NETNS, "%s", errbuf);
    }
  }
  /* from here until netns_leave: no return without leaving the namespace */
  napi_value result = NULL;
  pcap_t *p = pcap_create(device, errbuf);
  int status = 0;
  bool nano = false;
  uint32_t netmask = PCAP_NETMASK_UNKNOWN;
  if (p == NULL) {
    netns_leave(saved);
    if (ns_fd >= 0) close(ns_fd);
    return throw_code(env, SE_PCAP, "%s: %s", device, errbuf);
  }
  pcap_set_snaplen(p, (int)snaplen);
  pcap_set_promisc(p, promisc ? 1 : 0);
  pcap_set_timeout(p, timeout_ms);
  pcap_set_immediate_mode(p, immediate ? 1 : 0);
  if (buffer_size > 0) pcap_set_buffer_size(p, (int)buffer_size);
  if (want_nano) pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO); /* fails harmlessly if unsupported */
  status = pcap_activate(p);
  if (status >= 0) {
    nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    bpf_u_int32 net = 0, mask = 0;
    char lerr[PCAP_ERRBUF_SIZE];
    if (pcap_lookupnet(device, &net, &mask, lerr) == 0) netmask = mask; /* as tcpdump does, for "ip broadcast" */
  }
  netns_leave(saved);

  if (status < 0) {
    result = open_error(env, p, status, device);
    pcap_close(p);
    if (ns_fd >= 0) close(ns_fd);
    return result;
  }
  char warning[PCAP_ERRBUF_SIZE + 64] = {0};
  if (status > 0) snprintf(warning, sizeof warning, "%s: %s", pcap_statustostr(status), pcap_geterr(p));
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    pcap_close(p);
    if (ns_fd >= 0) close(ns_fd);
    return throw_code(env, SE_PCAP, "%s: cannot switch to non-blocking mode: %s", device, errbuf);
  }

  capture_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    pcap_close(p);
    if (ns_fd >= 0) close(ns_fd);
    return throw_code(env, SE_SYS, "out of memory");
  }
  c->magic = CAPTURE_MAGIC;
  c->p = p;
  pthread_mutex_init(&c->lock, NULL);
  c->netns_fd = ns_fd;
  c->linktype = pcap_datalink(p);
  c->nano = nano;
  c->netmask = netmask;
  c->wake_fd = -1;
  c->slot_fd = -1;
  c->cur = -1;
  c->refs = 1;
  c->env = env;
  atomic_init(&c->stopping, false);
  atomic_init(&c->captured, 0);
  atomic_init(&c->dropped_queue, 0);
  atomic_init(&c->waits, 0);
  atomic_init(&c->waiting, false);

  napi_value handle, out;
  if (napi_create_external(env, c, finalize_external, NULL, &handle) != napi_ok) {
    pcap_close(p);
    if (ns_fd >= 0) close(ns_fd);
    free(c);
    return throw_napi(env, "napi_create_external");
  }
  NAPI_CALL(env, napi_create_object(env, &out));
  NAPI_CALL(env, napi_set_named_property(env, out, "handle", handle));
  if (!set_u32(env, out, "linkType", (uint32_t)c->linktype) || !set_bool(env, out, "nano", nano) ||
      !set_string(env, out, "warning", warning))
    return throw_napi(env, "result");
  return out;
}

/* start(handle, callback(slot, count, error?), nslots, slotSize, backpressure): ArrayBuffer[] */
static napi_value capture_start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) return throw_code(env, SE_INVALID_ARG, "start(handle, callback, slots, slotSize, backpressure)");
  capture_t *c = get_capture(env, argv[0], true);
  if (c == NULL) return NULL;
  if (c->tsfn != NULL) return throw_code(env, SE_INVALID_ARG, "the capture is already started");
  uint32_t nslots = 0, slot_size = 0;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &nslots));
  NAPI_CALL(env, napi_get_value_uint32(env, argv[3], &slot_size));
  bool backpressure = true;
  NAPI_CALL(env, napi_get_value_bool(env, argv[4], &backpressure));
  uint32_t snaplen = (uint32_t)pcap_snapshot(c->p);
  if (nslots < 2 || nslots > MAX_SLOTS) return throw_code(env, SE_INVALID_ARG, "slots must be 2-%u", MAX_SLOTS);
  if (slot_size < RECORD_HEADER + snaplen + 4) slot_size = RECORD_HEADER + snaplen + 4;
  slot_size = (slot_size + 7u) & ~7u;

  c->nslots = nslots;
  c->slot_size = slot_size;
  c->slot_data = calloc(nslots, sizeof *c->slot_data);
  c->slot_refs = calloc(nslots, sizeof *c->slot_refs);
  c->slot_busy = calloc(nslots, sizeof *c->slot_busy);
  c->slot_count = calloc(nslots, sizeof *c->slot_count);
  c->pending = malloc(slot_size);
  c->backpressure = backpressure;
  if (!c->slot_data || !c->slot_refs || !c->slot_busy || !c->slot_count || !c->pending) {
    do_close(env, c);
    return throw_code(env, SE_SYS, "out of memory");
  }

/* a failed start leaves the capture closed, so that nothing half-built lingers */
#define START_CALL(call)              \
  do {                                \
    if ((call) != napi_ok) {          \
      napi_value r_ = throw_napi(env, #call); \
      do_close(env, c);               \
      return r_;                      \
    }                                 \
  } while (0)

  napi_value arr;
  START_CALL(napi_create_array_with_length(env, nslots, &arr));
  for (uint32_t i = 0; i < nslots; i++) {
    napi_value ab;
    void *data = NULL;
    START_CALL(napi_create_arraybuffer(env, slot_size, &data, &ab));
    c->slot_data[i] = data;
    atomic_init(&c->slot_busy[i], 0);
    START_CALL(napi_create_reference(env, ab, 1, &c->slot_refs[i]));
    START_CALL(napi_set_element(env, arr, i, ab));
  }

  c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  c->slot_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (c->wake_fd < 0 || c->slot_fd < 0) {
    int e = errno;
    do_close(env, c);
    return throw_code(env, SE_SYS, "eventfd failed: %s", strerror(e));
  }

  napi_value name;
  START_CALL(napi_create_string_utf8(env, "sentra-capture", NAPI_AUTO_LENGTH, &name));
  START_CALL(napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, c, finalize_tsfn, c, call_js,
                                             &c->tsfn));
  c->refs++; /* released by finalize_tsfn */
#undef START_CALL

  int err = pthread_create(&c->thread, NULL, capture_thread, c);
  if (err != 0) {
    do_close(env, c);
    return throw_code(env, SE_SYS, "cannot start the capture thread: %s", strerror(err));
  }
  c->thread_started = true;
  if (napi_add_env_cleanup_hook(env, env_cleanup, c) == napi_ok) c->cleanup_hook = true;
  return arr;
}

/* close(handle): idempotent. After it returns no callback runs and the thread is gone. */
static napi_value capture_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, SE_INVALID_ARG, "close(handle)");
  capture_t *c = get_capture(env, argv[0], false);
  if (c == NULL) return NULL;
  do_close(env, c);
  return NULL;
}

bool register_capture(napi_env env, napi_value exports) {
  return export_fn(env, exports, "open", capture_open) && export_fn(env, exports, "start", capture_start) &&
         export_fn(env, exports, "close", capture_close) && register_capture_ops(env, exports);
}
