// Pseudo-terminals for a container's --tty (the ioctls are macros).
#define _GNU_SOURCE
#include "cos_terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int cos_open_pty(char *name, size_t length) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    int unlock = 0, number = -1;
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, &number) != 0) {
        int saved = errno;
        close(master);
        errno = saved;
        return -1;
    }
    snprintf(name, length, "/dev/pts/%d", number);
    return master;
}

int cos_set_controlling_terminal(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
