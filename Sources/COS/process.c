// Helper processes: starting one tethered to vmm (work between fork and
// exec must not touch the Swift runtime), closing inherited descriptors,
// pidfds.
#define _GNU_SOURCE
#include "cos_process.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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

int cos_spawn_tethered(const char *path, char *const argv[], char *const envp[], int output_fd, const char *readonly_dir) {
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

void cos_close_from(int lowest) {
    if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0) return;
    long limit = sysconf(_SC_OPEN_MAX);
    for (long fd = lowest; fd < (limit > 0 ? limit : 1024); fd++) close((int)fd);
}

int cos_pidfd_open(int pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int cos_pidfd_send_signal(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }
