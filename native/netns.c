#define _GNU_SOURCE
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int netns_open(const char *name, char *err, size_t errlen) {
  char path[PATH_MAX];
  if (name[0] == '/') {
    snprintf(path, sizeof path, "%s", name);
  } else {
    if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || name[0] == 0) {
      snprintf(err, errlen, "invalid network namespace name '%s'", name);
      errno = EINVAL;
      return -1;
    }
    snprintf(path, sizeof path, "/run/netns/%s", name);
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) snprintf(err, errlen, "cannot open network namespace %s: %s", path, strerror(errno));
  return fd;
}

bool netns_enter(int target_fd, int *saved, char *err, size_t errlen) {
  *saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (*saved < 0) {
    snprintf(err, errlen, "cannot open the current network namespace: %s", strerror(errno));
    return false;
  }
  if (setns(target_fd, CLONE_NEWNET) != 0) {
    snprintf(err, errlen, "cannot enter the network namespace: %s", strerror(errno));
    close(*saved);
    *saved = -1;
    return false;
  }
  return true;
}

void netns_leave(int saved) {
  if (saved < 0) return;
  if (setns(saved, CLONE_NEWNET) != 0) {
    fprintf(stderr, "sentra: cannot return to the original network namespace: %s\n", strerror(errno));
    abort();
  }
  close(saved);
}
