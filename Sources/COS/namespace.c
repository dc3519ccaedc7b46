// See cos_namespace.h.
#define _GNU_SOURCE
#include "cos_namespace.h"

#include <sched.h>

int cos_join_network_namespace(int fd) { return setns(fd, CLONE_NEWNET); }

int cos_new_network_namespace(void) { return unshare(CLONE_NEWNET); }
