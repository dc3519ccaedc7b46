/* Filesystems: the pseudo filesystems, the virtio-fs root, and the description's MOUNT records. */
#ifndef VMM_MOUNTS_H
#define VMM_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "process_description.h"

/* devtmpfs on /dev first: the console and the port devices live there. 0, or -1 with a reason in err. */
int mounts_dev(char *err, size_t errlen);

/* proc, sysfs, devpts, /dev/shm, and the /dev/fd links. */
int mounts_pseudo(char *err, size_t errlen);

/* A tmpfs on /tmp: only when the process stays in the initramfs (a container's /tmp is its own). */
int mounts_tmp(char *err, size_t errlen);

/* Mounts virtio-fs tag on /newroot, moves /proc /sys /dev into it and makes it the root. */
int mounts_enter_rootfs(const char *tag, bool readonly, char *err, size_t errlen);

/* Mounts the virtio-fs share of host bind-mount sources (BINDS) and holds it
 * open, before the root switch. */
int mounts_binds_share(const char *tag, char *err, size_t errlen);

/* The MOUNT records, in order, creating missing targets; a bind mount's
 * relative source names an entry of the binds share. */
int mounts_apply(const struct pd_mount *mounts, size_t n, char *err, size_t errlen);

/* The maskedPaths / readonlyPaths rules whose target starts with prefix,
 * again: for the process's own /proc. */
int mounts_apply_under(const struct pd_mount *mounts, size_t n, const char *prefix, char *err, size_t errlen);

#endif
