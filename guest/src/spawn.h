/* Starting the container's process as init's child (init stays PID 1 to reap and forward signals). */
#ifndef VMM_SPAWN_H
#define VMM_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "process_description.h"

struct spawn_stdio {
    bool terminal;
    const char *tty; /* terminal: opened as fds 0-2 and made the controlling terminal */
    int tty_fd;      /* terminal, when tty is NULL: an open terminal (> 2) used instead */
    int in, out, err; /* otherwise: become fds 0, 1, 2 (each must be > 2) */
};

/* Used when the description's environment has no PATH (the usual container default). */
#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Forks; the child sets up its session, stdio, rlimits, umask, cwd and
 * credentials and execs argv[0] (searched in the description's PATH).
 * Returns the pid once the execve has succeeded, or -1 with the reason in
 * err (the child is then already reaped). Signals must be blocked by the
 * caller; the child unblocks them.
 */
pid_t spawn_process(const struct process_description *pd, const struct spawn_stdio *io, char *err,
                    size_t errlen);

/*
 * Another process in the running container `target` (the process's pid):
 * in its namespaces and root, with the description's credentials, stdio as
 * given. Its parent is init (so init reaps it and learns its status), and
 * it dies with the container's PID 1. Returns the pid once execve has
 * succeeded, or -1 with the reason in err.
 */
pid_t spawn_exec(const struct process_description *pd, const struct spawn_stdio *io, pid_t target, char *err,
                 size_t errlen);

#endif
