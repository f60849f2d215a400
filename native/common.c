/* Argument reading, result building and error throwing shared by every part of the addon. */
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

napi_value throw_code(napi_env env, const char *code, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, code, msg);
  return NULL;
}

napi_value throw_napi(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return NULL;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  const char *m = info && info->error_message ? info->error_message : "unknown N-API failure";
  return throw_code(env, SE_INVALID_ARG, "%s (%s)", m, what);
}

bool get_string(napi_env env, napi_value v, char *buf, size_t size, const char *what) {
  size_t len = 0;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    throw_code(env, SE_INVALID_ARG, "%s must be a string", what);
    return false;
  }
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len + 1 > size) {
    throw_code(env, SE_INVALID_ARG, "%s is too long (at most %zu bytes)", what, size - 1);
    return false;
  }
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) {
    throw_napi(env, "napi_get_value_string_utf8");
    return false;
  }
  if (strlen(buf) != len) {
    throw_code(env, SE_INVALID_ARG, "%s must not contain NUL characters", what);
    return false;
  }
  return true;
}

/* Fetches obj[key]; *type is napi_undefined when obj is not an object or lacks the key. */
static bool get_prop(napi_env env, napi_value obj, const char *key, napi_value *out, napi_valuetype *type) {
  napi_valuetype ot;
  *type = napi_undefined;
  if (obj == NULL || napi_typeof(env, obj, &ot) != napi_ok || ot != napi_object) return true;
  if (napi_get_named_property(env, obj, key, out) != napi_ok) {
    throw_napi(env, key);
    return false;
  }
  return napi_typeof(env, *out, type) == napi_ok;
}

bool opt_u32(napi_env env, napi_value obj, const char *key, uint32_t *out) {
  napi_value v;
  napi_valuetype t;
  if (!get_prop(env, obj, key, &v, &t)) return false;
  if (t == napi_undefined) return true;
  if (t != napi_number) {
    throw_code(env, SE_INVALID_ARG, "option %s must be a number", key);
    return false;
  }
  double d;
  napi_get_value_double(env, v, &d);
  if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
    throw_code(env, SE_INVALID_ARG, "option %s must be a whole number from 0 to 4294967295", key);
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

bool opt_i32(napi_env env, napi_value obj, const char *key, int32_t *out) {
  napi_value v;
  napi_valuetype t;
  if (!get_prop(env, obj, key, &v, &t)) return false;
  if (t == napi_undefined) return true;
  if (t != napi_number) {
    throw_code(env, SE_INVALID_ARG, "option %s must be a number", key);
    return false;
  }
  double d;
  napi_get_value_double(env, v, &d);
  if (!(d >= -2147483648.0 && d <= 2147483647.0) || d != (double)(int32_t)d) {
    throw_code(env, SE_INVALID_ARG, "option %s must be a 32-bit whole number", key);
    return false;
  }
  *out = (int32_t)d;
  return true;
}

bool opt_bool(napi_env env, napi_value obj, const char *key, bool *out) {
  napi_value v;
  napi_valuetype t;
  if (!get_prop(env, obj, key, &v, &t)) return false;
  if (t == napi_undefined) return true;
  if (t != napi_boolean) {
    throw_code(env, SE_INVALID_ARG, "option %s must be a boolean", key);
    return false;
  }
  return napi_get_value_bool(env, v, out) == napi_ok;
}

bool opt_string(napi_env env, napi_value obj, const char *key, char *buf, size_t size, bool *present) {
  napi_value v;
  napi_valuetype t;
  *present = false;
  if (!get_prop(env, obj, key, &v, &t)) return false;
  if (t == napi_undefined) return true;
  if (!get_string(env, v, buf, size, key)) return false;
  *present = true;
  return true;
}

bool set_u32(napi_env env, napi_value obj, const char *key, uint32_t v) {
  napi_value x;
  return napi_create_uint32(env, v, &x) == napi_ok && napi_set_named_property(env, obj, key, x) == napi_ok;
}

bool set_double(napi_env env, napi_value obj, const char *key, double v) {
  napi_value x;
  return napi_create_double(env, v, &x) == napi_ok && napi_set_named_property(env, obj, key, x) == napi_ok;
}

bool set_bool(napi_env env, napi_value obj, const char *key, bool v) {
  napi_value x;
  return napi_get_boolean(env, v, &x) == napi_ok && napi_set_named_property(env, obj, key, x) == napi_ok;
}

bool set_string(napi_env env, napi_value obj, const char *key, const char *v) {
  napi_value x;
  return napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &x) == napi_ok &&
         napi_set_named_property(env, obj, key, x) == napi_ok;
}

bool export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}
