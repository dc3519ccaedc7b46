/* The control port as a file descriptor: opening it and sending messages. */
#ifndef VMM_CHANNEL_H
#define VMM_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int channel_open(const char *path); /* 0, or -1 with errno */
bool channel_is_open(void);
int channel_fd(void);
/* How long a send waits for the host to open the port before it fails with ETIMEDOUT. */
#define CHANNEL_OPEN_TIMEOUT_MS 10000

/*
 * Writes the whole message; waits while the port's queue is full, and up to
 * CHANNEL_OPEN_TIMEOUT_MS for the host to open it. 0, or -1 with errno.
 */
int channel_send(const uint8_t *message, size_t n);
int channel_send_error(const char *message);

#endif
