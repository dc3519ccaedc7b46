/*
 * The container's /dev, as runc makes it: when the description mounts a
 * tmpfs on /dev, init fills it with the standard nodes and links instead of
 * showing the guest's devtmpfs (its ports, console and every other device),
 * and creates the DEVICE records' nodes. Init itself still reaches the
 * devtmpfs through a descriptor held open.
 */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "process_description.h"

/* Before the tmpfs covers /dev: holds the devtmpfs open (init's devpts and
 * shm under it go). 0, or -1 with errno. */
int devices_keep_devtmpfs(void);

/* Once init has opened its ports and bound the console: the covered
 * devtmpfs detached (init still reaches it through the descriptor), so the
 * process's mount table shows only its own /dev. */
int devices_detach_devtmpfs(char *err, size_t errlen);

/* Once the tmpfs is on /dev: null, zero, full, random, urandom, tty, the
 * /dev/fd, std{in,out,err} and ptmx links, the pts and shm directories. */
int devices_populate(char *err, size_t errlen);

/* The path by which init reaches the guest device `name` (hvc0, vport1p2):
 * /dev/NAME, or through the held devtmpfs once /dev is the container's. */
const char *devices_guest_path(const char *name, char *path, size_t size);

/* Whether /dev is the container's tmpfs. */
bool devices_replaced(void);

/* The DEVICE records: each node made (parents too), then its mode and
 * owner; a path that exists already is left as it is, as runc does. */
int devices_create(const struct pd_device *devices, size_t n, char *err, size_t errlen);

/* With a terminal: the guest's console device bound onto /dev/console, as
 * runc binds the terminal there. Only when /dev is the container's. */
int devices_console(const char *tty, char *err, size_t errlen);

#endif
