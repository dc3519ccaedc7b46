/*
 * The container's cgroup, when the description mounts a cgroup2 view or sets
 * CGROUP files: init makes /sys/fs/cgroup/container (with the pids
 * controller) and writes the files; the process's child moves itself in,
 * takes a cgroup namespace rooted there and mounts its own cgroup2 view at
 * each cgroup2 MOUNT's target.
 */
#ifndef VMM_CGROUP_H
#define VMM_CGROUP_H

#include <stddef.h>

#include "process_description.h"

/* Init, before READY. 0, or -1 with the reason in err. */
int cgroup_prepare(const struct process_description *pd, char *err, size_t errlen);

/* The child, in its own mount namespace. 0, or -1 with errno set and what
 * failed in what (for the start error). */
int cgroup_enter(const struct process_description *pd, char *what, size_t size);

/* For an exec'd process: the calling process moves into the container's
 * cgroup, if the container has one. 0, or -1 with errno. */
int cgroup_join(void);

#endif
