/*
 * Interface listing (pcap_findalldevs), filter compilation without a live handle
 * (pcap_open_dead + pcap_compile) and the libpcap version string.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netns.h"

/* Formats an IPv4/IPv6 sockaddr; other families (AF_PACKET) give an empty string. */
static const char *format_addr(const struct sockaddr *sa, char *buf, size_t len) {
  buf[0] = 0;
  if (sa == NULL) return NULL;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
  } else {
    return NULL;
  }
  return buf;
}

static bool set_addr(napi_env env, napi_value obj, const char *key, const struct sockaddr *sa) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (format_addr(sa, buf, sizeof buf) == NULL) return true;
  return set_string(env, obj, key, buf);
}

static napi_value build_device(napi_env env, const pcap_if_t *d) {
  napi_value o, addrs;
  NAPI_CALL(env, napi_create_object(env, &o));
  if (!set_string(env, o, "name", d->name)) return throw_napi(env, "name");
  if (!set_string(env, o, "description", d->description ? d->description : "")) return throw_napi(env, "desc");
  if (!set_double(env, o, "flags", (double)d->flags)) return throw_napi(env, "flags");
  NAPI_CALL(env, napi_create_array(env, &addrs));
  uint32_t n = 0;
  for (const pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
    if (a->addr == NULL || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) continue;
    napi_value ao;
    NAPI_CALL(env, napi_create_object(env, &ao));
    if (!set_u32(env, ao, "family", a->addr->sa_family == AF_INET ? 4 : 6) || !set_addr(env, ao, "addr", a->addr) ||
        !set_addr(env, ao, "netmask", a->netmask) || !set_addr(env, ao, "broadaddr", a->broadaddr) ||
        !set_addr(env, ao, "dstaddr", a->dstaddr))
      return throw_napi(env, "address");
    NAPI_CALL(env, napi_set_element(env, addrs, n++, ao));
  }
  NAPI_CALL(env, napi_set_named_property(env, o, "addresses", addrs));
  return o;
}

/* findAllDevs(netns?: string): {name, description, flags, addresses[]}[] */
static napi_value find_all_devs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ns[256];
  bool use_ns = false;
  if (argc >= 1) {
    napi_valuetype t;
    NAPI_CALL(env, napi_typeof(env, argv[0], &t));
    if (t != napi_undefined && t != napi_null) {
      if (!get_string(env, argv[0], ns, sizeof ns, "netns")) return NULL;
      use_ns = true;
    }
  }
  char errbuf[PCAP_ERRBUF_SIZE + 256] = {0};
  int saved = -1;
  if (use_ns) {
    int fd = netns_open(ns, errbuf, sizeof errbuf);
    if (fd < 0) return throw_code(env, SE_NETNS, "%s", errbuf);
    bool ok = netns_enter(fd, &saved, errbuf, sizeof errbuf);
    close(fd);
    if (!ok) return throw_code(env, SE_NETNS, "%s", errbuf);
  }
  pcap_if_t *all = NULL;
  int rc = pcap_findalldevs(&all, errbuf);
  netns_leave(saved);
  if (rc != 0) return throw_code(env, SE_PCAP, "pcap_findalldevs failed: %s", errbuf);

  napi_value arr;
  if (napi_create_array(env, &arr) != napi_ok) {
    pcap_freealldevs(all);
    return throw_napi(env, "napi_create_array");
  }
  uint32_t i = 0;
  for (pcap_if_t *d = all; d != NULL; d = d->next) {
    napi_value o = build_device(env, d);
    if (o == NULL || napi_set_element(env, arr, i++, o) != napi_ok) {
      pcap_freealldevs(all);
      return throw_napi(env, "device");
    }
  }
  pcap_freealldevs(all);
  return arr;
}

/* compileFilter(expr, linkType, snaplen, optimize): Uint32Array of [code, jt, jf, k] per instruction.
 * Throws EFILTER with libpcap's own message when the expression is invalid. */
static napi_value compile_filter(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return throw_code(env, SE_INVALID_ARG, "compileFilter(expr, linkType, snaplen, optimize)");
  char expr[8192];
  if (!get_string(env, argv[0], expr, sizeof expr, "filter")) return NULL;
  int32_t linktype = 0, snaplen = 0;
  bool optimize = true;
  NAPI_CALL(env, napi_get_value_int32(env, argv[1], &linktype));
  NAPI_CALL(env, napi_get_value_int32(env, argv[2], &snaplen));
  NAPI_CALL(env, napi_get_value_bool(env, argv[3], &optimize));
  pcap_t *p = pcap_open_dead(linktype, snaplen);
  if (p == NULL) return throw_code(env, SE_PCAP, "pcap_open_dead failed");
  struct bpf_program prog;
  if (pcap_compile(p, &prog, expr, optimize ? 1 : 0, PCAP_NETMASK_UNKNOWN) != 0) {
    napi_value r = throw_code(env, SE_FILTER, "%s", pcap_geterr(p));
    pcap_close(p);
    return r;
  }
  napi_value ab, arr;
  void *data = NULL;
  size_t n = prog.bf_len;
  if (napi_create_arraybuffer(env, n * 16, &data, &ab) != napi_ok) {
    pcap_freecode(&prog);
    pcap_close(p);
    return throw_napi(env, "napi_create_arraybuffer");
  }
  uint32_t *out = data;
  for (size_t i = 0; i < n; i++) {
    out[i * 4] = prog.bf_insns[i].code;
    out[i * 4 + 1] = prog.bf_insns[i].jt;
    out[i * 4 + 2] = prog.bf_insns[i].jf;
    out[i * 4 + 3] = prog.bf_insns[i].k;
  }
  pcap_freecode(&prog);
  pcap_close(p);
  NAPI_CALL(env, napi_create_typedarray(env, napi_uint32_array, n * 4, ab, 0, &arr));
  return arr;
}

static napi_value lib_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value s;
  NAPI_CALL(env, napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &s));
  return s;
}

/* linkTypeName(dlt): libpcap's name for a link type (e.g. "EN10MB"), or "" when unknown. */
static napi_value link_type_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t dlt = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &dlt) != napi_ok)
    return throw_code(env, SE_INVALID_ARG, "linkTypeName(dlt)");
  const char *name = pcap_datalink_val_to_name(dlt);
  napi_value s;
  NAPI_CALL(env, napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &s));
  return s;
}

bool register_devices(napi_env env, napi_value exports) {
  return export_fn(env, exports, "findAllDevs", find_all_devs) &&
         export_fn(env, exports, "compileFilter", compile_filter) &&
         export_fn(env, exports, "libVersion", lib_version) &&
         export_fn(env, exports, "linkTypeName", link_type_name);
}
