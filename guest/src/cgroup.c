#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "failure.h"
#include "kernel_file.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CONTAINER CGROUP_ROOT "/container"

static bool is_cgroup_mount(const struct pd_mount *m) { return m->type && strcmp(m->type, "cgroup2") == 0; }

static bool wanted(const struct process_description *pd)
{
    if (pd->ncgroups > 0)
        return true;
    for (size_t i = 0; i < pd->nmounts; i++)
        if (is_cgroup_mount(&pd->mounts[i]))
            return true;
    return false;
}

int cgroup_prepare(const struct process_description *pd, char *err, size_t errlen)
{
    if (!wanted(pd))
        return 0;
    if (mount("cgroup2", CGROUP_ROOT, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return failed(err, errlen, "mount cgroup2 on " CGROUP_ROOT " (the kernel needs CONFIG_CGROUPS)");
    if (kernel_file_write(CGROUP_ROOT "/cgroup.subtree_control", "+pids") < 0)
        return failed(err, errlen, "enable the pids controller");
    if (mkdir(CONTAINER, 0755) < 0 && errno != EEXIST)
        return failed(err, errlen, "mkdir " CONTAINER);
    for (size_t i = 0; i < pd->ncgroups; i++) {
        char path[512];
        snprintf(path, sizeof path, CONTAINER "/%s", pd->cgroups[i].key);
        if (kernel_file_write(path, pd->cgroups[i].value) < 0)
            return failed(err, errlen, "CGROUP %s=%s", pd->cgroups[i].key, pd->cgroups[i].value);
    }
    return 0;
}

int cgroup_enter(const struct process_description *pd, char *what, size_t size)
{
    if (!wanted(pd))
        return 0;
    if (kernel_file_write(CONTAINER "/cgroup.procs", "0") < 0) {
        snprintf(what, size, "move into " CONTAINER);
        return -1;
    }
    if (unshare(CLONE_NEWCGROUP) < 0) {
        snprintf(what, size, "unshare a cgroup namespace");
        return -1;
    }
    /* Init's view goes; each mount the description asks for shows the container's cgroup as the root. */
    if (umount2(CGROUP_ROOT, MNT_DETACH) < 0) {
        snprintf(what, size, "unmount init's " CGROUP_ROOT);
        return -1;
    }
    const unsigned long kept = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;
    for (size_t i = 0; i < pd->nmounts; i++) {
        const struct pd_mount *m = &pd->mounts[i];
        if (is_cgroup_mount(m) && mount("cgroup2", m->target, "cgroup2", m->flags & kept, NULL) < 0) {
            snprintf(what, size, "MOUNT %zu: mount cgroup2 on %s", i, m->target);
            return -1;
        }
    }
    return 0;
}

int cgroup_join(void)
{
    if (access(CONTAINER "/cgroup.procs", F_OK) < 0)
        return 0;
    return kernel_file_write(CONTAINER "/cgroup.procs", "0");
}
