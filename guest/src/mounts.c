#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copyup.h"
#include "devices.h"
#include "failure.h"

#define NEWROOT "/newroot"

static int ensure_dir(const char *path, mode_t mode)
{
    return mkdir(path, mode) == 0 || errno == EEXIST ? 0 : -1;
}

/* mkdir -p */
static int make_dirs(const char *path, mode_t mode)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int r = ensure_dir(buf, mode);
        *p = '/';
        if (r < 0)
            return -1;
    }
    return ensure_dir(buf, mode);
}

static int mount_on(const char *source, const char *target, const char *type, unsigned long flags,
                    const char *data, char *err, size_t errlen)
{
    if (ensure_dir(target, 0755) < 0)
        return failed(err, errlen, "mkdir %s", target);
    if (mount(source, target, type, flags, data) < 0)
        return failed(err, errlen, "mount %s on %s", type, target);
    return 0;
}

int mounts_dev(char *err, size_t errlen)
{
    if (ensure_dir("/dev", 0755) < 0)
        return failed(err, errlen, "mkdir /dev");
    /* EBUSY: the kernel already mounted it (CONFIG_DEVTMPFS_MOUNT). */
    if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0 && errno != EBUSY)
        return failed(err, errlen, "mount devtmpfs on /dev");
    return 0;
}

int mounts_pseudo(char *err, size_t errlen)
{
    const unsigned long common = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (mount_on("proc", "/proc", "proc", common, NULL, err, errlen) < 0 ||
        mount_on("sysfs", "/sys", "sysfs", common, NULL, err, errlen) < 0 ||
        mount_on("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", err,
                 errlen) < 0 ||
        mount_on("shm", "/dev/shm", "tmpfs", common, "mode=1777", err, errlen) < 0)
        return -1;
    /* What programs expect next to the device nodes; devtmpfs does not create them. */
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"},
        {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"},
        {"/proc/self/fd/2", "/dev/stderr"},
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
            return failed(err, errlen, "symlink %s", links[i][1]);
    return 0;
}

int mounts_tmp(char *err, size_t errlen)
{
    return mount_on("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err, errlen);
}

/* Moves an already mounted pseudo filesystem under the new root. */
static int move_into_newroot(const char *path, char *err, size_t errlen)
{
    char target[64];
    snprintf(target, sizeof target, NEWROOT "%s", path);
    if (ensure_dir(target, 0755) < 0)
        return failed(err, errlen, "the root filesystem has no %s and it cannot be created", path);
    if (mount(path, target, NULL, MS_MOVE, NULL) < 0)
        return failed(err, errlen, "move %s to %s", path, target);
    return 0;
}

int mounts_enter_rootfs(const char *tag, bool readonly, char *err, size_t errlen)
{
    if (mount_on(tag, NEWROOT, "virtiofs", readonly ? MS_RDONLY : 0, NULL, err, errlen) < 0)
        return -1;
    if (move_into_newroot("/dev", err, errlen) < 0 || move_into_newroot("/proc", err, errlen) < 0 ||
        move_into_newroot("/sys", err, errlen) < 0)
        return -1;
    /*
     * The initramfs is the rootfs mount itself, which pivot_root refuses to
     * move. So do what switch_root does: move the new root over / and chroot
     * into it. The initramfs stays underneath; init keeps nothing open in it.
     */
    if (chdir(NEWROOT) < 0)
        return failed(err, errlen, "chdir " NEWROOT);
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
        return failed(err, errlen, "move " NEWROOT " to /");
    if (chroot(".") < 0)
        return failed(err, errlen, "chroot " NEWROOT);
    if (chdir("/") < 0)
        return failed(err, errlen, "chdir / in the new root");
    return 0;
}

#define BINDS_DIR "/vmm/binds"

/* The share of host bind-mount sources, held open: after the root switch it
 * is out of reach by path, but /proc/self/fd/N/NAME still leads into it. */
static int binds_fd = -1;

int mounts_binds_share(const char *tag, char *err, size_t errlen)
{
    if (ensure_dir("/vmm", 0755) < 0)
        return failed(err, errlen, "mkdir /vmm");
    if (mount_on(tag, BINDS_DIR, "virtiofs", 0, NULL, err, errlen) < 0)
        return -1;
    binds_fd = open(BINDS_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return binds_fd < 0 ? failed(err, errlen, "open " BINDS_DIR) : 0;
}

/* A bind mount's relative source is one entry of the binds share: one name,
 * never "." or "..", so it cannot lead out of the share. */
static const char *bind_source(const struct pd_mount *m, char *path, size_t size)
{
    if (!(m->flags & MS_BIND) || !m->source || m->source[0] == '/')
        return m->source;
    if (binds_fd < 0 || strchr(m->source, '/') || strcmp(m->source, ".") == 0 || strcmp(m->source, "..") == 0) {
        errno = EINVAL;
        return NULL;
    }
    snprintf(path, size, "/proc/self/fd/%d/%s", binds_fd, m->source);
    return path;
}

/* A bind mount of a file needs a file to mount on; anything else needs a directory. */
static int make_target(const struct pd_mount *m, const char *source)
{
    struct stat st;
    if (lstat(m->target, &st) == 0)
        return 0;
    if ((m->flags & MS_BIND) && source && stat(source, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", m->target);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = 0;
            if (make_dirs(parent, 0755) < 0)
                return -1;
        }
        int fd = open(m->target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        return fd < 0 ? -1 : close(fd);
    }
    return make_dirs(m->target, 0755);
}

/* Removes the option `name` from a comma-separated list in place; whether it was there. */
static bool take_option(char *options, const char *name)
{
    size_t length = strlen(name);
    for (char *p = options; *p;) {
        char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == length && strncmp(p, name, n) == 0) {
            if (end)
                memmove(p, end + 1, strlen(end + 1) + 1);
            else if (p > options)
                p[-1] = 0;
            else
                *p = 0;
            return true;
        }
        p += n + (end ? 1 : 0);
    }
    return false;
}

/* tmpcopyup: what the directory held before the tmpfs covered it, copied in
 * through a descriptor opened before the mount. */
static int copy_up(int covered, const char *target)
{
    int fresh = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fresh < 0)
        return -1;
    int r = copy_tree(covered, fresh);
    int saved = errno;
    close(fresh);
    errno = saved;
    return r;
}

/* linux.maskedPaths and linux.readonlyPaths (MOUNT types "vmm:mask" and
 * "vmm:readonly"), as runc applies them: a path that does not exist is
 * skipped; a masked directory gets an empty read-only tmpfs, anything else
 * /dev/null; a read-only path is bound onto itself and remounted read-only. */
static int apply_path_rule(size_t i, const struct pd_mount *m, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(m->target, &st) < 0)
        return errno == ENOENT ? 0 : failed(err, errlen, "MOUNT %zu: %s %s", i, m->type, m->target);
    if (strcmp(m->type, "vmm:mask") == 0) {
        int r = S_ISDIR(st.st_mode) ? mount("tmpfs", m->target, "tmpfs", MS_RDONLY, "size=0")
                                    : mount("/dev/null", m->target, NULL, MS_BIND, NULL);
        return r < 0 ? failed(err, errlen, "MOUNT %zu: mask %s", i, m->target) : 0;
    }
    if (mount(m->target, m->target, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, m->target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        return failed(err, errlen, "MOUNT %zu: make %s read-only", i, m->target);
    return 0;
}

int mounts_apply_under(const struct pd_mount *mounts, size_t n, const char *prefix, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const struct pd_mount *m = &mounts[i];
        bool rule = m->type && (strcmp(m->type, "vmm:mask") == 0 || strcmp(m->type, "vmm:readonly") == 0);
        if (rule && strncmp(m->target, prefix, strlen(prefix)) == 0 && apply_path_rule(i, m, err, errlen) < 0)
            return -1;
    }
    return 0;
}

int mounts_apply(const struct pd_mount *mounts, size_t n, char *err, size_t errlen)
{
    const unsigned long propagation = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
    const unsigned long remountable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
                                      MS_RELATIME | MS_STRICTATIME;
    for (size_t i = 0; i < n; i++) {
        const struct pd_mount *m = &mounts[i];
        if (m->type && (strcmp(m->type, "vmm:mask") == 0 || strcmp(m->type, "vmm:readonly") == 0)) {
            if (apply_path_rule(i, m, err, errlen) < 0)
                return -1;
            continue;
        }
        /* The process's own cgroup2 view: mounted by its child, in its cgroup namespace (cgroup.c). */
        if (m->type && strcmp(m->type, "cgroup2") == 0)
            continue;
        unsigned long flags = m->flags & ~propagation;
        char path[4096];
        const char *source = bind_source(m, path, sizeof path);
        if (m->source && !source)
            return failed(err, errlen, "MOUNT %zu: bind source '%s' is not an entry of the binds share", i, m->source);
        if (make_target(m, source) < 0)
            return failed(err, errlen, "MOUNT %zu: create target %s", i, m->target);
        /* tmpcopyup is runc's option, not the kernel's: taken out of the data. */
        char data[4096] = "";
        if (m->data)
            snprintf(data, sizeof data, "%s", m->data);
        bool copy = m->type && strcmp(m->type, "tmpfs") == 0 && take_option(data, "tmpcopyup");
        /* A tmpfs on /dev is the container's own /dev (as under runc): init keeps the devtmpfs in reach. */
        bool own_dev = m->type && strcmp(m->type, "tmpfs") == 0 && strcmp(m->target, "/dev") == 0;
        if (own_dev && devices_keep_devtmpfs() < 0)
            return failed(err, errlen, "MOUNT %zu: hold the guest's /dev open", i);
        int covered = copy ? open(m->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (copy && covered < 0)
            return failed(err, errlen, "MOUNT %zu: tmpcopyup: open %s", i, m->target);
        /* A mount(2) call with a propagation flag changes only the propagation: so that goes separately. */
        if ((flags != 0 || m->type || m->source || !(m->flags & propagation)) &&
            mount(source, m->target, m->type, flags, m->data ? data : NULL) < 0) {
            if (covered >= 0)
                close(covered);
            return failed(err, errlen, "MOUNT %zu: mount %s (%s) on %s", i, m->source ? m->source : "none",
                          m->type ? m->type : "no type", m->target);
        }
        if (own_dev && devices_populate(err, errlen) < 0)
            return -1;
        if (covered >= 0) {
            int copied = copy_up(covered, m->target);
            int saved = errno;
            close(covered);
            errno = saved;
            if (copied < 0)
                return failed(err, errlen, "MOUNT %zu: tmpcopyup into %s", i, m->target);
        }
        /* A bind mount ignores MS_RDONLY and friends until it is remounted. */
        if ((flags & MS_BIND) && (flags & remountable) &&
            mount(NULL, m->target, NULL, MS_REMOUNT | MS_BIND | (flags & remountable), NULL) < 0)
            return failed(err, errlen, "MOUNT %zu: remount bind %s with its flags", i, m->target);
        if ((m->flags & propagation) &&
            mount(NULL, m->target, NULL, (m->flags & propagation) | (m->flags & MS_REC), NULL) < 0)
            return failed(err, errlen, "MOUNT %zu: set propagation of %s", i, m->target);
    }
    return 0;
}
