/*
 * Running a few system calls inside another network namespace from Node's main thread.
 *
 * setns(CLONE_NEWNET) changes the namespace of the calling thread only, and a packet socket
 * stays bound to the namespace it was created in. So we switch the main thread into the
 * target namespace, create the socket (pcap_activate, socket()), and switch straight back
 * before returning to JS: no JS code ever runs in the other namespace.
 */
#ifndef SENTRA_PCAP_NETNS_H
#define SENTRA_PCAP_NETNS_H

#include <stdbool.h>
#include <stddef.h>

/* Opens the namespace `name` (a name under /run/netns, or an absolute path) read-only.
 * Returns the fd or -1 with a message in err. */
int netns_open(const char *name, char *err, size_t errlen);

/* Enters the namespace fd; *saved receives an fd of the namespace to return to.
 * Returns false with a message in err. */
bool netns_enter(int target_fd, int *saved, char *err, size_t errlen);

/* Returns to the saved namespace and closes it. Aborts the process if that fails: the main
 * thread left in a foreign namespace would silently misdirect every later socket. */
void netns_leave(int saved);

#endif
