#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "failure.h"

static int devtmpfs_fd = -1;

int devices_keep_devtmpfs(void)
{
    if (devtmpfs_fd >= 0)
        return 0;
    /* Init's devpts and shm go; the devtmpfs stays attached under the
     * tmpfs, so its console can still be bound onto /dev/console. */
    static const char *const below[] = {"/dev/pts", "/dev/shm"};
    for (size_t i = 0; i < sizeof below / sizeof below[0]; i++)
        if (umount2(below[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
            return -1;
    devtmpfs_fd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return devtmpfs_fd < 0 ? -1 : 0;
}

int devices_detach_devtmpfs(char *err, size_t errlen)
{
    if (devtmpfs_fd < 0)
        return 0;
    /* The container's /dev sits on the devtmpfs's root, so neither can be
     * unmounted alone: its tree (with the mounts on it) is cloned, both
     * layers detached, and the clone attached at /dev again. */
    int tree = open_tree(AT_FDCWD, "/dev", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0)
        return failed(err, errlen, "clone the container's /dev");
    int r = umount2("/dev", MNT_DETACH) < 0 || umount2("/dev", MNT_DETACH) < 0 ? -1 : 0;
    if (r == 0 && move_mount(tree, "", AT_FDCWD, "/dev", MOVE_MOUNT_F_EMPTY_PATH) < 0)
        r = -2;
    int saved = errno;
    close(tree);
    errno = saved;
    if (r < 0)
        return failed(err, errlen, r == -1 ? "detach the guest's /dev" : "attach the container's /dev again");
    return 0;
}

bool devices_replaced(void) { return devtmpfs_fd >= 0; }

const char *devices_guest_path(const char *name, char *path, size_t size)
{
    if (devtmpfs_fd >= 0)
        snprintf(path, size, "/proc/self/fd/%d/%s", devtmpfs_fd, name);
    else
        snprintf(path, size, "/dev/%s", name);
    return path;
}

/* mknod, then the mode exactly (the umask does not cut it) and the owner. */
static int make_node(const char *path, mode_t type, unsigned major, unsigned minor, mode_t mode, uid_t uid, gid_t gid)
{
    if (mknod(path, type | (mode & 07777), makedev(major, minor)) < 0)
        return errno == EEXIST ? 0 : -1;
    if (chmod(path, mode & 07777) < 0 || chown(path, uid, gid) < 0)
        return -1;
    return 0;
}

int devices_populate(char *err, size_t errlen)
{
    static const struct {
        const char *path;
        unsigned major, minor;
    } nodes[] = {
        {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
        if (make_node(nodes[i].path, S_IFCHR, nodes[i].major, nodes[i].minor, 0666, 0, 0) < 0)
            return failed(err, errlen, "create %s", nodes[i].path);
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"},
        {"/proc/self/fd/2", "/dev/stderr"}, {"pts/ptmx", "/dev/ptmx"},
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
            return failed(err, errlen, "symlink %s", links[i][1]);
    for (const char *const *dir = (const char *const[]){"/dev/pts", "/dev/shm", NULL}; *dir; dir++)
        if (mkdir(*dir, 0755) < 0 && errno != EEXIST)
            return failed(err, errlen, "mkdir %s", *dir);
    return 0;
}

/* mkdir -p of path's parent directories. */
static int make_parents(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = 0;
        int r = mkdir(buf, 0755);
        *p = '/';
        if (r < 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int devices_create(const struct pd_device *devices, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const struct pd_device *d = &devices[i];
        mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
        if (make_parents(d->path) < 0 ||
            make_node(d->path, type, d->major, d->minor, (mode_t)d->mode, d->uid, d->gid) < 0)
            return failed(err, errlen, "DEVICE %zu: create %s (%c %u:%u)", i, d->path, d->type, d->major, d->minor);
    }
    return 0;
}

int devices_console(const char *tty, char *err, size_t errlen)
{
    if (devtmpfs_fd < 0)
        return 0;
    int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return failed(err, errlen, "create /dev/console");
    close(fd);
    if (mount(tty, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return failed(err, errlen, "bind the terminal onto /dev/console");
    return 0;
}
