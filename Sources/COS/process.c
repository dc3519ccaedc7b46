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

/* The mount at `dir` becomes read-only, with everything below it when
 * `recursive` and the kernel can (mount_setattr, Linux 5.12), else the top
 * mount only. */
static int make_readonly(const char *dir, int recursive) {
    struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = { .attr_set = 0x1 /* MOUNT_ATTR_RDONLY */ };
    if (syscall(SYS_mount_setattr, AT_FDCWD, dir, recursive ? 0x8000 /* AT_RECURSIVE */ : 0, &attr, sizeof attr) == 0) return 0;
    return mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

/* The child's own mount namespace: the binds, then `readonly_dir` read-only. */
static int make_private_view(const char *readonly_dir, const struct cos_bind *binds, size_t bind_count) {
    if (unshare(CLONE_NEWNS) != 0) return -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;  // nothing leaks back to the host
    for (size_t i = 0; i < bind_count; i++) {
        const struct cos_bind *b = &binds[i];
        if (mount(b->source, b->target, NULL, MS_BIND | (b->recursive ? MS_REC : 0), NULL) != 0) return -1;
        if (b->readonly && make_readonly(b->target, b->recursive) != 0) return -1;
    }
    if (!readonly_dir) return 0;
    if (mount(readonly_dir, readonly_dir, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    return make_readonly(readonly_dir, 1);
}

int cos_spawn_tethered(const char *path, char *const argv[], char *const envp[], int output_fd, int pass_fd,
                       const char *readonly_dir, const struct cos_bind *binds, size_t bind_count) {
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
    if ((readonly_dir || bind_count) && make_private_view(readonly_dir, binds, bind_count) != 0) _exit(126);
    setpgid(0, 0);  // keyboard signals to vmm's group do not reach it directly
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);  // vmm blocks signals it forwards; the child must not inherit that
    int out = output_fd >= 0 ? output_fd : null_fd;
    dup2(null_fd, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (pass_fd >= 0 && dup2(pass_fd, 3) < 0) _exit(127);
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

int cos_spawn_actions_chdir(posix_spawn_file_actions_t *actions, const char *directory)
{
    return posix_spawn_file_actions_addchdir_np(actions, directory);
}

void cos_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, name, 0, 0, 0);
}
