// See cos_sandbox.h.
#define _GNU_SOURCE
#include "cos_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int cos_drop_capabilities(uint64_t keep)
{
    // The bounding set needs CAP_SETPCAP to shrink: a process without it
    // has nothing there an execve could use past no_new_privs anyway.
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct sets[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &header, sets) != 0) return -1;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        // Only what the thread holds already can stay.
        sets[i].permitted &= (uint32_t)(keep >> (32 * i));
        sets[i].effective &= sets[i].permitted;
        sets[i].inheritable = 0;
    }
    return (int)syscall(SYS_capset, &header, sets);
}

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    return -1;
}

/// mkdir -p of `path` (relative, under the current directory).
static int make_directories(char *path)
{
    for (char *slash = path;; slash++) {
        if (*slash != '/' && *slash != '\0') continue;
        char saved = *slash;
        *slash = '\0';
        int made = path[0] == '\0' || mkdir(path, 0755) == 0 || errno == EEXIST;
        *slash = saved;
        if (!made) return -1;
        if (saved == '\0') return 0;
    }
}

int cos_confine_mounts(const char *keep, const char *read_only, char *err, size_t errlen)
{
    if (keep[0] != '/' || strlen(keep) >= 4096) {
        errno = EINVAL;
        return fail(err, errlen, "the directory to keep is not an absolute path");
    }
    if (unshare(CLONE_NEWNS) != 0) {
        if (errno == EPERM) return 1;
        return fail(err, errlen, "unshare(CLONE_NEWNS)");
    }
    // Nothing done here may reach the host's mount table.
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return fail(err, errlen, "making / private");
    // The state directory, detached, before the tmpfs hides it.
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, keep, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) return fail(err, errlen, "open_tree of the state directory");
    int result = -1;
    if (mount("vmm-sandbox", keep, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") != 0) {
        fail(err, errlen, "mounting the sandbox's tmpfs");
        goto done;
    }
    if (chdir(keep) != 0) {
        fail(err, errlen, "entering the sandbox's tmpfs");
        goto done;
    }
    char relative[4096];
    snprintf(relative, sizeof relative, "%s", keep + 1);
    if (make_directories(relative) != 0) {
        fail(err, errlen, "making the state directory's path in the sandbox");
        goto done;
    }
    if (syscall(SYS_move_mount, tree, "", AT_FDCWD, relative, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        fail(err, errlen, "mounting the state directory in the sandbox");
        goto done;
    }
    if (read_only) {
        char file[4096 + 256];
        snprintf(file, sizeof file, "%s/%s", relative, read_only);
        if (mount(file, file, NULL, MS_BIND, NULL) != 0 ||
            mount(NULL, file, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
            fail(err, errlen, "making the state directory's hooks read-only");
            goto done;
        }
    }
    // The tmpfs becomes the root; the old root, stacked under it, goes.
    // Where the root is no mount of its own (the initramfs's rootfs, a
    // chroot), the tmpfs moves over it instead and becomes the chroot:
    // the host's files stay below, out of reach once CAP_SYS_CHROOT is gone.
    if (syscall(SYS_pivot_root, ".", ".") == 0) {
        if (umount2(".", MNT_DETACH) != 0) {
            fail(err, errlen, "detaching the host's root");
            goto done;
        }
    } else if (errno != EINVAL || mount(".", "/", NULL, MS_MOVE, NULL) != 0 || chroot(".") != 0) {
        fail(err, errlen, "pivot_root into the sandbox");
        goto done;
    }
    if (chdir("/") != 0) {
        fail(err, errlen, "entering the sandbox's root");
        goto done;
    }
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        fail(err, errlen, "making the sandbox's root read-only");
        goto done;
    }
    result = 0;
done:
    close(tree);
    return result;
}
