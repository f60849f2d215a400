/*
 * The capture handle shared by capture.c (thread, open/start/close) and capture_ops.c
 * (stats, filter, inject, ref). See capture.c for the design.
 */
#ifndef SENTRA_PCAP_CAPTURE_H
#define SENTRA_PCAP_CAPTURE_H

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

#define CAPTURE_MAGIC 0x53435054u /* 'SCPT' */
#define RECORD_HEADER 16u
#define MAX_SLOTS 1024u

typedef struct capture {
  uint32_t magic;
  pcap_t *p;
  pthread_mutex_t lock;
  int netns_fd;   /* namespace the handle lives in, or -1 */
  int linktype;
  bool nano;      /* timestamps come from libpcap in nanoseconds */
  bool closed;
  uint32_t netmask;

  /* thread */
  pthread_t thread;
  bool thread_started;
  int wake_fd;
  atomic_bool stopping;
  napi_threadsafe_function tsfn;
  bool cleanup_hook;
  napi_env env;

  /* slots */
  uint32_t nslots;
  size_t slot_size;
  uint8_t **slot_data;
  napi_ref *slot_refs;
  atomic_int *slot_busy;   /* 0 free, 1 filling or with JS */
  uint32_t *slot_count;    /* packets in a handed-off slot; written before the tsfn call */
  int cur;                 /* slot being filled by the thread, -1 when none */
  size_t cur_used;
  uint32_t cur_count;
  uint32_t next_slot;

  _Atomic uint64_t captured;       /* packets read from the kernel (delivered, queued or dropped) */
  _Atomic uint64_t dropped_queue;  /* packets discarded because every slot was with JS */
  char thread_error[PCAP_ERRBUF_SIZE + 64];

  /* backpressure: when no slot is free, park the packet in hand, stop reading (packets wait in
   * the kernel's buffer) until JS frees a slot; otherwise drop and count in dropped_queue */
  bool backpressure;
  int slot_fd;            /* eventfd written by the main thread when a slot is freed */
  atomic_bool waiting;    /* the thread waits for slot_fd */
  uint8_t *pending;       /* one parked record (header + data) */
  size_t pending_len;
  bool has_pending;
  _Atomic uint64_t waits; /* times the thread had to wait for JS */

  int refs; /* JS external + tsfn: freed when both are finalised (main thread only) */
} capture_t;

/* The capture behind a JS handle; NULL (and an exception) if it is not one, or is closed when
 * must_be_open. */
capture_t *get_capture(napi_env env, napi_value v, bool must_be_open);

bool register_capture_ops(napi_env env, napi_value exports);

#endif
