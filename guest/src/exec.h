/*
 * Processes the host runs in the container after START (OCI exec): each
 * has the host's id, its own stdio carried in exec messages over the
 * control port (PROTOCOL.md section 3), or a terminal, and its own exit
 * status. Init is their parent; they die with the container's PID 1.
 */
#ifndef VMM_EXEC_H
#define VMM_EXEC_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* At most this many at once. */
#define EXEC_MAX 16
/* Each takes up to three poll entries (stdin, stdout, stderr). */
#define EXEC_POLL_FDS (3 * EXEC_MAX)

/* EXEC: starts the described process in the container whose PID 1 is
 * `main_pid` (0: not started, refused); answers EXEC_STARTED or EXEC_ERROR. */
void exec_start(uint32_t id, const uint8_t *description, size_t n, pid_t main_pid);
/* EXEC_INPUT: queued for its stdin; none: its stdin ends once the queue is written. */
void exec_input(uint32_t id, const uint8_t *data, size_t n);
void exec_signal(uint32_t id, int signal);
void exec_winsize(uint32_t id, uint16_t rows, uint16_t columns);

/* The descriptors to poll; returns how many of fds it filled. */
size_t exec_poll_fds(struct pollfd *fds, size_t cap);
/* After poll: forwards output, writes queued input. */
void exec_poll_ready(const struct pollfd *fds, size_t n);

/* A reaped child: if it was an exec'd process, its last output and
 * EXEC_EXITED go to the host, and true. */
bool exec_reaped(pid_t pid, int status);

#endif
