#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "control.h"

static int control_fd = -1;

/*
 * Non-blocking: a port the host has not opened reads as EOF and polls as
 * readable, and a read must never hold init up while its child exits.
 */
int channel_open(const char *path)
{
    control_fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    return control_fd < 0 ? -1 : 0;
}

/*
 * Waits until the port may take data. A full queue is waited out for as
 * long as it takes (the host is reading); a port the host never opens is
 * given up after CHANNEL_OPEN_TIMEOUT_MS, so a broken host cannot keep the
 * VM from ending. *closed_ms counts the time spent waiting for the open.
 */
static int wait_writable(int *closed_ms)
{
    struct pollfd p = {.fd = control_fd, .events = POLLOUT};
    if (poll(&p, 1, 100) > 0 && !(p.revents & POLLOUT)) {
        /* POLLHUP alone: the host has not opened the port (yet); poll would not wait. */
        if (*closed_ms >= CHANNEL_OPEN_TIMEOUT_MS) {
            errno = ETIMEDOUT;
            return -1;
        }
        usleep(10000);
        *closed_ms += 10;
    }
    return 0;
}

bool channel_is_open(void) { return control_fd >= 0; }

int channel_fd(void) { return control_fd; }

int channel_send(const uint8_t *message, size_t n)
{
    if (control_fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (n == 0) {
        errno = EINVAL;
        return -1;
    }
    int closed_ms = 0;
    while (n > 0) {
        ssize_t w = write(control_fd, message, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            if (wait_writable(&closed_ms) < 0)
                return -1;
            continue;
        }
        if (w < 0)
            return -1;
        message += w;
        n -= (size_t)w;
    }
    return 0;
}

int channel_send_error(const char *message)
{
    uint8_t buf[CONTROL_MAX_MESSAGE];
    return channel_send(buf, control_encode_error(buf, sizeof buf, message));
}
