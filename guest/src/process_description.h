/*
 * The process description (/vmm/process, PROTOCOL.md section 1): parsing only.
 * Pure: no syscalls, so it is unit-tested on the host (test/).
 */
#ifndef VMM_PROCESS_DESCRIPTION_H
#define VMM_PROCESS_DESCRIPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_MAGIC "VMMPROC1"
#define PD_MAGIC_SIZE 8
#define PD_RECORD_HEADER_SIZE 6 /* u16 tag + u32 length */

enum pd_tag {
    PD_ARG = 1,
    PD_ENV = 2,
    PD_CWD = 3,
    PD_UID = 4,
    PD_GID = 5,
    PD_GROUPS = 6,
    PD_HOSTNAME = 7,
    PD_RLIMIT = 8,
    PD_TERMINAL = 9,
    PD_ROOTFS = 10,
    PD_MOUNT = 11,
    PD_UMASK = 12,
    PD_BINDS = 13,
    PD_CAPS = 14,
    PD_NO_NEW_PRIVS = 15,
    PD_OOM_SCORE_ADJ = 16,
    PD_SYSCTL = 17,
    PD_DEVICE = 18,
    PD_CGROUP = 19,
};

/* The capability sets, a bit per CAP_* number (as in capget/capset). */
enum pd_cap_set { PD_CAP_BOUNDING, PD_CAP_EFFECTIVE, PD_CAP_PERMITTED, PD_CAP_INHERITABLE, PD_CAP_AMBIENT, PD_CAP_SETS };

#define PD_OOM_SCORE_ADJ_MIN (-1000)
#define PD_OOM_SCORE_ADJ_MAX 1000

struct pd_rlimit {
    uint32_t resource;
    uint64_t soft, hard;
};

/* SYSCTL: a key such as kernel.msgmax, written to /proc/sys/kernel/msgmax.
 * CGROUP: a file of the container's cgroup, such as pids.max. */
struct pd_setting {
    char *key, *value;
};

/* A node for linux.devices: type 'c', 'b', 'u' (a character device) or 'p' (a FIFO). */
struct pd_device {
    char *path;
    char type;
    uint32_t major, minor, mode, uid, gid;
};

/* Empty strings in a MOUNT record become NULL (mount(2)'s "not given"). */
struct pd_mount {
    char *type, *source, *target, *data;
    uint32_t flags;
};

struct process_description {
    char **argv; /* argc entries + NULL */
    size_t argc;
    char **envp; /* envc entries + NULL */
    size_t envc;
    char *cwd; /* "/" unless given */
    uint32_t uid, gid;
    uint32_t *groups;
    size_t ngroups;
    char *hostname; /* NULL: leave the kernel's */
    struct pd_rlimit *rlimits;
    size_t nrlimits;
    bool terminal;
    char *rootfs_tag; /* NULL: the process runs in the initramfs */
    bool rootfs_readonly;
    struct pd_mount *mounts;
    size_t nmounts;
    bool has_umask;
    uint32_t umask;
    char *binds_tag; /* NULL: no host bind mounts (a MOUNT's relative source names an entry of this share) */
    bool has_caps; /* false: the capabilities are left as root's */
    uint64_t caps[PD_CAP_SETS];
    bool no_new_privs;
    bool has_oom_score_adj;
    int32_t oom_score_adj;
    struct pd_setting *sysctls;
    size_t nsysctls;
    struct pd_setting *cgroups;
    size_t ncgroups;
    struct pd_device *devices;
    size_t ndevices;
};

/*
 * Parses len bytes at data into *pd. Returns 0, or -1 with a one-line reason
 * in err (which names the record's offset and tag) and *pd zeroed.
 * Free a successful result with process_description_free.
 */
int process_description_parse(const uint8_t *data, size_t len, struct process_description *pd, char *err,
                              size_t errlen);

void process_description_free(struct process_description *pd);

#endif
