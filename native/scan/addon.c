/* The scanner's N-API addon: the connect engine (connect_scan.c) and the SYN engine (syn_scan.c). */
#include <node_api.h>

#include "scan_common.h"

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "connectScan", NAPI_AUTO_LENGTH, connect_scan, NULL, &fn);
  napi_set_named_property(env, exports, "connectScan", fn);
  napi_create_function(env, "synScan", NAPI_AUTO_LENGTH, syn_scan, NULL, &fn);
  napi_set_named_property(env, exports, "synScan", fn);
  return exports;
}
