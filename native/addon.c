/*
 * sentra_pcap: Sentra's libpcap binding (plain Node-API, C). The TypeScript side lives in
 * src/capture/; see docs/capture.md for the design and how it is built.
 */
#include "common.h"

static napi_value init(napi_env env, napi_value exports) {
  if (!register_devices(env, exports) || !register_capture(env, exports) || !register_rawsock(env, exports)) {
    throw_napi(env, "module init");
    return NULL;
  }
  napi_value v;
  if (napi_create_uint32(env, 1, &v) == napi_ok) napi_set_named_property(env, exports, "abiVersion", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
