/* init's main loop: waits for START, runs the process, forwards signals, reaps, reports the exit. */
#ifndef VMM_SUPERVISE_H
#define VMM_SUPERVISE_H

#include <stdnoreturn.h>

#include "process_description.h"
#include "spawn.h"

struct supervisor_config {
    const struct process_description *pd;
    struct spawn_stdio io;
    int tty_fd; /* terminal mode: hvc0, for WINSIZE; otherwise -1 */
    int signal_fd;
};

/* Call after READY was sent. Never returns: the VM ends when the process does. */
noreturn void supervise(const struct supervisor_config *config);

#endif
