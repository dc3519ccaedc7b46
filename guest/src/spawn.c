#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "markers.h"
#include "cgroup.h"
#include "mounts.h"
#include "privileges.h"

/* The child tells the parent why it could not exec through a close-on-exec pipe: EOF means execve worked. */
static noreturn void child_fail(int report, const char *fmt, ...)
{
    int saved = errno;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof msg)
        n = (int)strlen(msg);
    snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(saved));
    ssize_t ignored = write(report, msg, strlen(msg));
    (void)ignored;
    _exit(127);
}

/* execve failed: said as runc says it, which managers read (podman makes
 * "not found" 127 and "permission denied" 126). */
static noreturn void exec_failed(int report, const char *file)
{
    int saved = errno;
    char msg[768];
    if (saved == ENOENT && !strchr(file, '/'))
        snprintf(msg, sizeof msg, "exec: \"%s\": executable file not found in $PATH", file);
    else if (saved == ENOENT)
        snprintf(msg, sizeof msg, "exec: \"%s\": no such file or directory", file);
    else if (saved == EACCES)
        snprintf(msg, sizeof msg, "exec: \"%s\": permission denied", file);
    else
        snprintf(msg, sizeof msg, "exec: \"%s\": %s", file, strerror(saved));
    ssize_t ignored = write(report, msg, strlen(msg));
    (void)ignored;
    _exit(127);
}

static const char *search_path(char *const envp[])
{
    for (size_t i = 0; envp[i]; i++)
        if (strncmp(envp[i], "PATH=", 5) == 0)
            return envp[i] + 5;
    return SPAWN_DEFAULT_PATH;
}

/* execvp's search, but in the process's PATH rather than init's. Returns only on failure, with errno. */
static void exec_search(char *const argv[], char *const envp[])
{
    const char *file = argv[0];
    if (file[0] == 0) {
        errno = ENOENT;
        return;
    }
    if (strchr(file, '/')) {
        execve(file, argv, envp);
        return;
    }
    bool denied = false;
    for (const char *dir = search_path(envp);; dir++) {
        const char *end = strchrnul(dir, ':');
        size_t dlen = (size_t)(end - dir);
        char path[PATH_MAX];
        /* An empty entry means the current directory. */
        int n = dlen ? snprintf(path, sizeof path, "%.*s/%s", (int)dlen, dir, file)
                     : snprintf(path, sizeof path, "%s", file);
        if (n > 0 && (size_t)n < sizeof path) {
            execve(path, argv, envp);
            if (errno == EACCES)
                denied = true;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV &&
                     errno != ETIMEDOUT)
                return;
        }
        dir = end;
        if (*end == 0)
            break;
    }
    errno = denied ? EACCES : ENOENT;
}

static void setup_stdio(const struct spawn_stdio *io, int report)
{
    if (io->terminal) {
        int fd = io->tty ? open(io->tty, O_RDWR) : io->tty_fd;
        const char *name = io->tty ? io->tty : "the terminal";
        if (fd < 0)
            child_fail(report, "open %s", name);
        /* 1: take it even if it is still some other session's terminal (we are root here). */
        if (ioctl(fd, TIOCSCTTY, 1) < 0)
            child_fail(report, "make %s the controlling terminal", name);
        for (int i = 0; i < 3; i++)
            if (dup2(fd, i) < 0)
                child_fail(report, "dup2 %s to fd %d", name, i);
        if (fd > 2)
            close(fd);
        return;
    }
    const int fds[3] = {io->in, io->out, io->err};
    for (int i = 0; i < 3; i++)
        if (dup2(fds[i], i) < 0)
            child_fail(report, "dup2 port to fd %d", i);
}

/* What every process of the container gets, main or exec'd: its session,
 * stdio, limits, umask, cwd, capabilities and credentials; then the exec. */
static noreturn void become(const struct process_description *pd, const struct spawn_stdio *io, int report)
{
    char err[512];
    setup_stdio(io, report);

    /* Before dropping root: raising a hard limit needs CAP_SYS_RESOURCE. */
    for (size_t i = 0; i < pd->nrlimits; i++) {
        const struct pd_rlimit *r = &pd->rlimits[i];
        struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
        if (setrlimit((__rlimit_resource_t)r->resource, &rl) < 0)
            child_fail(report, "setrlimit resource %u soft %llu hard %llu", r->resource,
                       (unsigned long long)r->soft, (unsigned long long)r->hard);
    }
    if (pd->has_umask)
        umask((mode_t)pd->umask);
    /* As root, so a cwd the user cannot search still works, as with other runtimes. */
    if (chdir(pd->cwd) < 0)
        child_fail(report, "chdir %s", pd->cwd);
    if (privileges_before_setuid(pd, err, sizeof err) < 0)
        child_fail(report, "%s", err);
    if (setgroups(pd->ngroups, (const gid_t *)pd->groups) < 0)
        child_fail(report, "setgroups (%zu groups)", pd->ngroups);
    if (setgid(pd->gid) < 0)
        child_fail(report, "setgid %u", pd->gid);
    if (setuid(pd->uid) < 0)
        child_fail(report, "setuid %u", pd->uid);
    if (privileges_after_setuid(pd, err, sizeof err) < 0)
        child_fail(report, "%s", err);

    marker(MARKER_EXEC);
    markers_release();
    exec_search(pd->argv, pd->envp);
    exec_failed(report, pd->argv[0]);
}

/* A fresh child of init: signals unblocked (init blocks them all), its own session. */
static void new_session(int report)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Its own session: a terminal needs it, and init's signals stay init's. */
    if (setsid() < 0)
        child_fail(report, "setsid");
}

static noreturn void child(const struct process_description *pd, const struct spawn_stdio *io, int report)
{
    new_session(report);
    /* PID 1 of its own PID namespace: its /proc shows only its processes
     * (a fresh procfs over init's, in its own mount namespace), and the
     * maskedPaths / readonlyPaths under /proc are made again on it. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        child_fail(report, "make the process's mounts private");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        child_fail(report, "mount its own /proc");
    char err[512];
    /* Sysctls before the read-only /proc rules, as runc orders them. */
    if (privileges_sysctls(pd, err, sizeof err) < 0 || privileges_oom_score_adj(pd, err, sizeof err) < 0)
        child_fail(report, "%s", err);
    if (mounts_apply_under(pd->mounts, pd->nmounts, "/proc/", err, sizeof err) < 0)
        child_fail(report, "%s", err);
    if (cgroup_enter(pd, err, sizeof err) < 0)
        child_fail(report, "%s", err);
    become(pd, io, report);
}

/* Waits for the child's report: EOF means its execve worked. Returns pid,
 * or -1 with the child's reason in err (the child is reaped then). */
static pid_t await_exec(pid_t pid, int report, char *err, size_t errlen)
{
    char msg[768];
    ssize_t n;
    do
        n = read(report, msg, sizeof msg - 1);
    while (n < 0 && errno == EINTR);
    close(report);
    if (n <= 0)
        return pid;
    msg[n] = 0;
    snprintf(err, errlen, "%s", msg);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return -1;
}

pid_t spawn_process(const struct process_description *pd, const struct spawn_stdio *io, char *err,
                    size_t errlen)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    /* fork, into new PID, mount, UTS and IPC namespaces (the container's). */
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0) {
        snprintf(err, errlen, "clone into new PID, mount, UTS and IPC namespaces: %s%s", strerror(errno),
                 errno == EINVAL ? " (the kernel needs CONFIG_PID_NS, CONFIG_UTS_NS and CONFIG_IPC_NS)" : "");
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        child(pd, io, report[1]);
    }
    close(report[1]);
    return await_exec(pid, report[0], err, errlen);
}

/* The namespaces an exec'd process joins, the mount namespace last: the
 * others are opened through /proc paths it would change. */
static const char *const exec_namespaces[] = {"ipc", "uts", "cgroup", "pid", "mnt"};
#define EXEC_NAMESPACES (sizeof exec_namespaces / sizeof exec_namespaces[0])

/* The middle process of an exec: joins the container's cgroup and
 * namespaces, then clones the process as a sibling (CLONE_PARENT: init's
 * child), which takes the container's root. Tells init the pid, exits. */
static noreturn void exec_middle(const struct process_description *pd, const struct spawn_stdio *io, pid_t target,
                                 int report, int pid_out)
{
    char path[64];
    int fds[EXEC_NAMESPACES];
    for (size_t i = 0; i < EXEC_NAMESPACES; i++) {
        snprintf(path, sizeof path, "/proc/%d/ns/%s", target, exec_namespaces[i]);
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            child_fail(report, "open %s", path);
    }
    snprintf(path, sizeof path, "/proc/%d/root", target);
    int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        child_fail(report, "open %s", path);
    if (cgroup_join() < 0)
        child_fail(report, "join the container's cgroup");
    for (size_t i = 0; i < EXEC_NAMESPACES; i++)
        if (setns(fds[i], 0) < 0)
            child_fail(report, "join the container's %s namespace", exec_namespaces[i]);
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0)
        child_fail(report, "clone the exec'd process");
    if (pid == 0) {
        /* Joining a mount namespace puts the root at its initramfs: back to the container's. */
        if (fchdir(root) < 0 || chroot(".") < 0)
            child_fail(report, "enter the container's root");
        new_session(report);
        become(pd, io, report);
    }
    ssize_t ignored = write(pid_out, &pid, sizeof pid);
    (void)ignored;
    _exit(0);
}

pid_t spawn_exec(const struct process_description *pd, const struct spawn_stdio *io, pid_t target, char *err,
                 size_t errlen)
{
    int report[2], pids[2];
    if (pipe2(report, O_CLOEXEC) < 0 || pipe2(pids, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t middle = fork();
    if (middle == 0) {
        close(report[0]);
        close(pids[0]);
        exec_middle(pd, io, target, report[1], pids[1]);
    }
    close(report[1]);
    close(pids[1]);
    pid_t pid = -1;
    if (middle > 0 && read(pids[0], &pid, sizeof pid) != (ssize_t)sizeof pid)
        pid = -1;
    close(pids[0]);
    if (middle > 0)
        while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
            ;
    if (middle < 0 || pid < 0) {
        /* The middle process failed before the clone: its reason is in the report. */
        char msg[768] = "";
        ssize_t n = middle < 0 ? -1 : read(report[0], msg, sizeof msg - 1);
        close(report[0]);
        snprintf(err, errlen, "%s", n > 0 ? (msg[n] = 0, msg) : "fork the exec'd process failed");
        return -1;
    }
    return await_exec(pid, report[0], err, errlen);
}
