/*
 * Runs a scan on a thread of its own and settles its promise on the JavaScript thread.
 * A scan lasts seconds to minutes; on libuv's small shared thread pool (napi_async_work) a few
 * concurrent scans would stall every file-system and getaddrinfo call of the process.
 */
#include <pthread.h>
#include <stdlib.h>

#include "scan_common.h"

typedef struct {
  void (*execute)(void *);
  void (*complete)(napi_env, void *);
  void *data;
  napi_threadsafe_function tsfn;
} background_t;

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)context;
  background_t *b = (background_t *)data;
  if (env != NULL) b->complete(env, b->data);
  free(b);
}

static void *runner(void *p) {
  background_t *b = (background_t *)p;
  napi_threadsafe_function tsfn = b->tsfn;
  b->execute(b->data);
  napi_call_threadsafe_function(tsfn, b, napi_tsfn_blocking);
  napi_release_threadsafe_function(tsfn, napi_tsfn_release);
  return NULL;
}

int run_in_background(napi_env env, const char *name, void (*execute)(void *), void (*complete)(napi_env, void *),
                      void *data) {
  background_t *b = calloc(1, sizeof(background_t));
  if (!b) return -1;
  b->execute = execute;
  b->complete = complete;
  b->data = data;
  napi_value resource_name;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  if (napi_create_threadsafe_function(env, NULL, NULL, resource_name, 0, 1, NULL, NULL, NULL, call_js, &b->tsfn) !=
      napi_ok) {
    free(b);
    return -1;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int rc = pthread_create(&t, &attr, runner, b);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    napi_release_threadsafe_function(b->tsfn, napi_tsfn_abort);
    free(b);
    return -1;
  }
  return 0;
}
