#include "privileges.h"

#include "kernel_file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's CAP_* numbers fit in 64 bits; a bounding-set drop of a number
 * the kernel does not know fails with EINVAL, which ends the walk. */
#define CAP_NUMBERS 64

static int fail(char *what, size_t size, const char *fmt, const char *arg)
{
    int saved = errno;
    snprintf(what, size, fmt, arg);
    errno = saved;
    return -1;
}

int privileges_sysctls(const struct process_description *pd, char *what, size_t size)
{
    for (size_t i = 0; i < pd->nsysctls; i++) {
        const struct pd_setting *s = &pd->sysctls[i];
        char path[4096];
        /* The parser let through only dot-separated names without '/'. */
        int n = snprintf(path, sizeof path, "/proc/sys/%s", s->key);
        if (n < 0 || (size_t)n >= sizeof path) {
            errno = ENAMETOOLONG;
            return fail(what, size, "sysctl %s", s->key);
        }
        for (char *p = path + strlen("/proc/sys/"); *p; p++)
            if (*p == '.')
                *p = '/';
        if (kernel_file_write(path, s->value) < 0) {
            char key[512];
            snprintf(key, sizeof key, "%s=%s", s->key, s->value);
            return fail(what, size, "sysctl %s", key);
        }
    }
    return 0;
}

int privileges_oom_score_adj(const struct process_description *pd, char *what, size_t size)
{
    if (!pd->has_oom_score_adj)
        return 0;
    char value[16];
    snprintf(value, sizeof value, "%d", pd->oom_score_adj);
    return kernel_file_write("/proc/self/oom_score_adj", value) < 0 ? fail(what, size, "oom_score_adj %s", value) : 0;
}

int privileges_before_setuid(const struct process_description *pd, char *what, size_t size)
{
    if (!pd->has_caps)
        return 0;
    for (int cap = 0; cap < CAP_NUMBERS; cap++) {
        if (pd->caps[PD_CAP_BOUNDING] & (1ull << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                break;
            char number[8];
            snprintf(number, sizeof number, "%d", cap);
            return fail(what, size, "drop capability %s from the bounding set", number);
        }
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return fail(what, size, "%s", "keep the capabilities across setuid");
    return 0;
}

int privileges_after_setuid(const struct process_description *pd, char *what, size_t size)
{
    if (pd->has_caps) {
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
            return fail(what, size, "%s", "clear keep-capabilities");
        struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
        for (int half = 0; half < _LINUX_CAPABILITY_U32S_3; half++) {
            data[half].effective = (uint32_t)(pd->caps[PD_CAP_EFFECTIVE] >> (32 * half));
            data[half].permitted = (uint32_t)(pd->caps[PD_CAP_PERMITTED] >> (32 * half));
            data[half].inheritable = (uint32_t)(pd->caps[PD_CAP_INHERITABLE] >> (32 * half));
        }
        if (syscall(SYS_capset, &header, data) < 0)
            return fail(what, size, "%s",
                        "capset (effective must be within permitted, inheritable within bounding and permitted)");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
            return fail(what, size, "%s", "clear the ambient capabilities");
        for (int cap = 0; cap < CAP_NUMBERS; cap++) {
            if (!(pd->caps[PD_CAP_AMBIENT] & (1ull << cap)))
                continue;
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
                char number[8];
                snprintf(number, sizeof number, "%d", cap);
                return fail(what, size, "raise ambient capability %s (it must be permitted and inheritable)", number);
            }
        }
    }
    if (pd->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return fail(what, size, "%s", "set no_new_privs");
    return 0;
}
