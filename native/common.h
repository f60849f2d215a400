/*
 * Shared helpers of Sentra's libpcap addon: argument reading and error throwing.
 *
 * Every error this addon throws is a plain JS Error whose `code` is one of the short strings
 * below; src/capture/native-errors.ts turns them into SentraErrors with stable codes. Keeping
 * the mapping in TypeScript means the C side never needs to know Sentra's error catalogue.
 */
#ifndef SENTRA_PCAP_COMMON_H
#define SENTRA_PCAP_COMMON_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes set on thrown errors (err.code). */
#define SE_INVALID_ARG "EINVAL"   /* bad argument from JS: a bug in the TypeScript wrapper */
#define SE_NO_DEVICE "ENODEV"     /* no such interface */
#define SE_PERM "EPERM"           /* missing CAP_NET_RAW / CAP_NET_ADMIN / CAP_SYS_ADMIN */
#define SE_IFACE_DOWN "ENETDOWN"  /* interface exists but is down */
#define SE_FILTER "EFILTER"       /* pcap_compile rejected the filter */
#define SE_NETNS "ENETNS"         /* the network namespace could not be entered */
#define SE_PCAP "EPCAP"           /* any other libpcap failure */
#define SE_SEND "ESEND"           /* inject / sendto failed */
#define SE_CLOSED "ECLOSED"       /* the handle was already closed */
#define SE_SYS "ESYS"             /* a system call failed (thread, eventfd, socket) */

/* Throws Error(message) with err.code = code. Always returns NULL for `return throw_code(...)`. */
napi_value throw_code(napi_env env, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Throws for a failed napi_* call unless an exception is already pending. */
napi_value throw_napi(napi_env env, const char *what);

#define NAPI_CALL(env, call)                         \
  do {                                               \
    if ((call) != napi_ok) return throw_napi(env, #call); \
  } while (0)

/* Reads a JS string into buf (NUL-terminated). False (and an exception) if not a string/too long. */
bool get_string(napi_env env, napi_value v, char *buf, size_t size, const char *what);

/* Optional object properties: leave *out unchanged when the property is undefined. */
bool opt_u32(napi_env env, napi_value obj, const char *key, uint32_t *out);
bool opt_i32(napi_env env, napi_value obj, const char *key, int32_t *out);
bool opt_bool(napi_env env, napi_value obj, const char *key, bool *out);
/* Optional string property; *present tells whether it was set. */
bool opt_string(napi_env env, napi_value obj, const char *key, char *buf, size_t size, bool *present);

/* Builders for result objects. */
bool set_u32(napi_env env, napi_value obj, const char *key, uint32_t v);
bool set_double(napi_env env, napi_value obj, const char *key, double v);
bool set_bool(napi_env env, napi_value obj, const char *key, bool v);
bool set_string(napi_env env, napi_value obj, const char *key, const char *v);

/* Module parts, each registering its functions on `exports`. */
bool register_devices(napi_env env, napi_value exports);
bool register_capture(napi_env env, napi_value exports);
bool register_rawsock(napi_env env, napi_value exports);

bool export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb);

#endif
