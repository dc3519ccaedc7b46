/* The signals init takes through a signalfd: SIGCHLD, and those it forwards to the process. */
#ifndef VMM_SIGNALS_H
#define VMM_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Blocks SIGCHLD and the forwarded signals (as early as possible, so none is lost) and returns them in set. */
void signals_block(sigset_t *set);

/* A non-blocking, close-on-exec signalfd for set. -1 with errno on failure. */
int signals_fd(const sigset_t *set);

/* Whether sig's default action ends a process (used for a SIGNAL before START). */
bool signal_is_fatal_by_default(int sig);

#endif
