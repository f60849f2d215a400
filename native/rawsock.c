/*
 * Raw IP send: socket(AF_INET/AF_INET6, SOCK_RAW, IPPROTO_RAW), the caller writes the whole IP
 * header (IP_HDRINCL is implied by IPPROTO_RAW on Linux, for IPv4 and IPv6). Meant for the
 * scanner's SYN probes: replies are read through a LiveCapture, not through this socket
 * (an IPPROTO_RAW socket never receives).
 *
 * The socket is non-blocking: when the kernel's send buffer is full, send() returns -1 and
 * the caller retries later instead of blocking Node's event loop.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netns.h"

#define RAW_MAGIC 0x53524157u /* 'SRAW' */

typedef struct {
  uint32_t magic;
  int fd;
  int family;
} rawsock_t;

static void finalize_raw(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  rawsock_t *r = data;
  if (r->fd >= 0) close(r->fd);
  r->magic = 0;
  free(r);
}

static rawsock_t *get_raw(napi_env env, napi_value v) {
  napi_valuetype t;
  void *data = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok ||
      data == NULL || ((rawsock_t *)data)->magic != RAW_MAGIC) {
    throw_code(env, SE_INVALID_ARG, "not a raw socket handle");
    return NULL;
  }
  return data;
}

/* rawOpen(family: 4|6, {netns?, device?}): handle */
static napi_value raw_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, SE_INVALID_ARG, "rawOpen(family, options)");
  int32_t fam = 0;
  NAPI_CALL(env, napi_get_value_int32(env, argv[0], &fam));
  if (fam != 4 && fam != 6) return throw_code(env, SE_INVALID_ARG, "family must be 4 or 6");
  napi_value opts = argc >= 2 ? argv[1] : NULL;
  char ns[256], device[64];
  bool use_ns = false, use_dev = false;
  if (!opt_string(env, opts, "netns", ns, sizeof ns, &use_ns) ||
      !opt_string(env, opts, "device", device, sizeof device, &use_dev))
    return NULL;

  char err[512];
  int saved = -1;
  if (use_ns) {
    int nfd = netns_open(ns, err, sizeof err);
    if (nfd < 0) return throw_code(env, SE_NETNS, "%s", err);
    bool ok = netns_enter(nfd, &saved, err, sizeof err);
    close(nfd);
    if (!ok) return throw_code(env, SE_NETNS, "%s", err);
  }
  int family = fam == 4 ? AF_INET : AF_INET6;
  int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
  int e = errno;
  if (fd >= 0 && use_dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1) != 0) {
    e = errno;
    close(fd);
    fd = -2;
  }
  netns_leave(saved);
  if (fd == -2) {
    return throw_code(env, e == ENODEV ? SE_NO_DEVICE : (e == EPERM ? SE_PERM : SE_SYS),
                      "cannot bind the raw socket to %s: %s", device, strerror(e));
  }
  if (fd < 0) {
    return throw_code(env, (e == EPERM || e == EACCES) ? SE_PERM : SE_SYS, "cannot open a raw IPv%d socket: %s",
                      fam, strerror(e));
  }
  rawsock_t *r = calloc(1, sizeof *r);
  if (r == NULL) {
    close(fd);
    return throw_code(env, SE_SYS, "out of memory");
  }
  r->magic = RAW_MAGIC;
  r->fd = fd;
  r->family = family;
  napi_value handle;
  if (napi_create_external(env, r, finalize_raw, NULL, &handle) != napi_ok) {
    close(fd);
    free(r);
    return throw_napi(env, "napi_create_external");
  }
  return handle;
}

/* rawSend(handle, packet: Uint8Array, dst: string): bytes sent, or -1 when the send buffer is full */
static napi_value raw_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_code(env, SE_INVALID_ARG, "rawSend(handle, packet, dst)");
  rawsock_t *r = get_raw(env, argv[0]);
  if (r == NULL) return NULL;
  if (r->fd < 0) return throw_code(env, SE_CLOSED, "the raw socket is closed");
  bool is_ta = false;
  NAPI_CALL(env, napi_is_typedarray(env, argv[1], &is_ta));
  if (!is_ta) return throw_code(env, SE_INVALID_ARG, "packet must be a Uint8Array");
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  NAPI_CALL(env, napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL));
  if (type != napi_uint8_array) return throw_code(env, SE_INVALID_ARG, "packet must be a Uint8Array");
  char dst[INET6_ADDRSTRLEN + 1];
  if (!get_string(env, argv[2], dst, sizeof dst, "destination")) return NULL;

  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (r->family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    if (inet_pton(AF_INET, dst, &sin->sin_addr) != 1)
      return throw_code(env, SE_INVALID_ARG, "'%s' is not an IPv4 address", dst);
    sl = sizeof *sin;
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, dst, &sin6->sin6_addr) != 1)
      return throw_code(env, SE_INVALID_ARG, "'%s' is not an IPv6 address", dst);
    sl = sizeof *sin6;
  }
  ssize_t n = sendto(r->fd, data, length, 0, (struct sockaddr *)&ss, sl);
  if (n < 0) {
    int e = errno;
    if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) {
      napi_value m1;
      NAPI_CALL(env, napi_create_int32(env, -1, &m1));
      return m1;
    }
    return throw_code(env, e == EPERM || e == EACCES ? SE_PERM : SE_SEND, "sendto %s failed: %s", dst, strerror(e));
  }
  napi_value res;
  NAPI_CALL(env, napi_create_int32(env, (int32_t)n, &res));
  return res;
}

/* rawClose(handle): idempotent */
static napi_value raw_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, SE_INVALID_ARG, "rawClose(handle)");
  rawsock_t *r = get_raw(env, argv[0]);
  if (r == NULL) return NULL;
  if (r->fd >= 0) close(r->fd);
  r->fd = -1;
  return NULL;
}

bool register_rawsock(napi_env env, napi_value exports) {
  return export_fn(env, exports, "rawOpen", raw_open) && export_fn(env, exports, "rawSend", raw_send) &&
         export_fn(env, exports, "rawClose", raw_close);
}
