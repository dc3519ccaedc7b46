/* Finding the named virtio-console ports (/dev/vportNpM) through sysfs. */
#ifndef VMM_PORTS_H
#define VMM_PORTS_H

#include <stddef.h>

#define PORT_STDIN "vmm.stdin"
#define PORT_STDOUT "vmm.stdout"
#define PORT_STDERR "vmm.stderr"
#define PORT_CONTROL "vmm.control"
#define CONSOLE_TTY "hvc0" /* under /dev */

/* How long init waits for the host to name its ports (they are named asynchronously, after the device probes). */
#define PORTS_TIMEOUT_MS 10000

/* Puts "/dev/vportNpM" for the port called name into path. 0, or -1 if no such port (yet). */
int ports_find(const char *name, char *path, size_t cap);

/* ports_find, retried until timeout_ms has passed. */
int ports_wait(const char *name, char *path, size_t cap, int timeout_ms);

/* Waits until path exists (e.g. /dev/hvc0). 0, or -1 after timeout_ms. */
int path_wait(const char *path, int timeout_ms);

#endif
