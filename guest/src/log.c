#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "channel.h"
#include "devices.h"

static void write_line(const char *line)
{
    /* Opened per message: messages are rare, and the console may appear late (hvc0 registers asynchronously). */
    char path[64];
    int fd = open(devices_guest_path("console", path, sizeof path), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        fd = open(devices_guest_path("kmsg", path, sizeof path), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t n = strlen(line);
    while (n > 0) {
        ssize_t w = write(fd, line, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        line += w;
        n -= (size_t)w;
    }
    close(fd);
}

static void vlog(const char *fmt, va_list ap)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "vmm-init: ");
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    strcat(line, "\n");
    write_line(line);
}

void log_msg(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
    errno = saved;
}

noreturn void power_off(void)
{
    sync();
    reboot(RB_AUTOBOOT);
    /* Only reached when not PID 1 or not allowed; as PID 1, exiting panics and panic=-1 resets. */
    log_msg("reboot failed: %s", strerror(errno));
    _exit(125);
}

noreturn void fatal(const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    log_msg("error: %s", message);
    if (channel_send_error(message) < 0 && channel_is_open())
        log_msg("could not send ERROR on the control port: %s", strerror(errno));
    power_off();
}
