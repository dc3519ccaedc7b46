// Host helpers Swift cannot express safely: ancillary-data socket calls
// (CMSG_* are macros) and starting a child with a parent-death signal
// (work between fork and exec must not touch the Swift runtime).
#define _GNU_SOURCE
#include "ckvm.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CKVM_MAX_FDS 8

static int unix_address(const char *path, struct sockaddr_un *address) {
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof address->sun_path) { errno = ENAMETOOLONG; return -1; }
    strcpy(address->sun_path, path);
    return 0;
}

int ckvm_unix_connect(const char *path) {
    struct sockaddr_un address;
    if (unix_address(path, &address) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int ckvm_unix_listen(const char *path, int backlog) {
    struct sockaddr_un address;
    if (unix_address(path, &address) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

long ckvm_send_with_fds(int socket, const void *data, size_t length, const int *fds, int nfds) {
    if (nfds < 0 || nfds > CKVM_MAX_FDS) { errno = EINVAL; return -1; }
    struct iovec iov = { .iov_base = (void *)data, .iov_len = length };
    union { char buffer[CMSG_SPACE(sizeof(int) * CKVM_MAX_FDS)]; struct cmsghdr align; } control;
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

long ckvm_recv_with_fds(int socket, void *data, size_t length, int *fds, int max_fds, int *nfds) {
    struct iovec iov = { .iov_base = data, .iov_len = length };
    union { char buffer[CMSG_SPACE(sizeof(int) * CKVM_MAX_FDS)]; struct cmsghdr align; } control;
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

/* The child's view of `dir` becomes read-only, recursively where the kernel
 * can (mount_setattr, Linux 5.12), else the top mount only. */
static int make_readonly_view(const char *dir) {
    if (unshare(CLONE_NEWNS) != 0) return -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;  // nothing leaks back to the host
    if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = { .attr_set = 0x1 /* MOUNT_ATTR_RDONLY */ };
    if (syscall(SYS_mount_setattr, AT_FDCWD, dir, 0x8000 /* AT_RECURSIVE */, &attr, sizeof attr) == 0) return 0;
    return mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

int ckvm_spawn_tethered(const char *path, char *const argv[], char *const envp[], int output_fd, const char *readonly_dir) {
    pid_t parent = getpid();
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) return -1;
    pid_t pid = fork();
    if (pid != 0) {
        int saved = errno;
        close(null_fd);
        errno = saved;
        return pid;
    }
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    if (readonly_dir && make_readonly_view(readonly_dir) != 0) _exit(126);
    setpgid(0, 0);  // keyboard signals to vmm's group do not reach it directly
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);  // vmm blocks signals it forwards; the child must not inherit that
    int out = output_fd >= 0 ? output_fd : null_fd;
    dup2(null_fd, 0);
    dup2(out, 1);
    dup2(out, 2);
    execve(path, argv, envp);
    _exit(127);
}

int ckvm_open_pty(char *name, size_t length) {
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

int ckvm_set_controlling_terminal(int fd) { return ioctl(fd, TIOCSCTTY, 0); }

void ckvm_close_from(int lowest) {
    if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0) return;
    long limit = sysconf(_SC_OPEN_MAX);
    for (long fd = lowest; fd < (limit > 0 ? limit : 1024); fd++) close((int)fd);
}

int ckvm_pidfd_open(int pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int ckvm_pidfd_send_signal(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }
