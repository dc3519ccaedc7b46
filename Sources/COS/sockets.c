// Unix stream sockets, and passing descriptors over them (vhost-user
// hands memory and eventfds to virtiofsd by SCM_RIGHTS; CMSG_* are macros
// Swift cannot use).
#define _GNU_SOURCE
#include "cos_sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define COS_MAX_FDS 8

/* A path longer than sun_path holds (managers' state roots run deep) is
 * reached through its directory, held open: /proc/self/fd/N/NAME. *dir is
 * that descriptor (close it after the call), or -1. */
static int unix_address(const char *path, struct sockaddr_un *address, int *dir) {
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    *dir = -1;
    if (strlen(path) < sizeof address->sun_path) {
        strcpy(address->sun_path, path);
        return 0;
    }
    const char *slash = strrchr(path, '/');
    char directory[4096];
    if (!slash || (size_t)(slash - path) >= sizeof directory) { errno = ENAMETOOLONG; return -1; }
    memcpy(directory, path, (size_t)(slash - path));
    directory[slash - path] = 0;
    *dir = open(slash == path ? "/" : directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*dir < 0) return -1;
    int n = snprintf(address->sun_path, sizeof address->sun_path, "/proc/self/fd/%d/%s", *dir, slash + 1);
    if (n < 0 || (size_t)n >= sizeof address->sun_path) {
        close(*dir);
        *dir = -1;
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static void close_saving_errno(int fd) {
    if (fd < 0) return;
    int saved = errno;
    close(fd);
    errno = saved;
}

int cos_unix_connect(const char *path) {
    struct sockaddr_un address;
    int dir;
    if (unix_address(path, &address, &dir) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        close_saving_errno(fd);
        fd = -1;
    }
    close_saving_errno(dir);
    return fd;
}

int cos_unix_listen(const char *path, int backlog) {
    struct sockaddr_un address;
    int dir;
    if (unix_address(path, &address, &dir) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0)) {
        close_saving_errno(fd);
        fd = -1;
    }
    close_saving_errno(dir);
    return fd;
}

long cos_send_with_fds(int socket, const void *data, size_t length, const int *fds, int nfds) {
    if (nfds < 0 || nfds > COS_MAX_FDS) { errno = EINVAL; return -1; }
    struct iovec iov = { .iov_base = (void *)data, .iov_len = length };
    union { char buffer[CMSG_SPACE(sizeof(int) * COS_MAX_FDS)]; struct cmsghdr align; } control;
    struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (nfds > 0) {
        memset(&control, 0, sizeof control);
        message.msg_control = control.buffer;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * nfds);
    }
    long sent;
    do { sent = sendmsg(socket, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent;
}

long cos_recv_with_fds(int socket, void *data, size_t length, int *fds, int max_fds, int *nfds) {
    struct iovec iov = { .iov_base = data, .iov_len = length };
    union { char buffer[CMSG_SPACE(sizeof(int) * COS_MAX_FDS)]; struct cmsghdr align; } control;
    struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
    long received;
    do { received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (received < 0 && errno == EINTR);
    *nfds = 0;
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *incoming = (int *)CMSG_DATA(header);
        for (int i = 0; i < count; i++) {
            if (*nfds < max_fds) fds[(*nfds)++] = incoming[i];
            else close(incoming[i]);  // more than asked for: never leak them
        }
    }
    return received;
}
