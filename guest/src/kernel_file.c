#include "kernel_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int kernel_file_write(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    size_t n = strlen(value);
    ssize_t written = write(fd, value, n);
    int saved = errno;
    close(fd);
    if (written >= 0 && (size_t)written != n)
        saved = EIO;
    errno = saved;
    return written >= 0 && (size_t)written == n ? 0 : -1;
}
