/*
 * Parser for /vmm/process. Two passes over the bytes: the first validates
 * every record and counts the repeatable ones, the second copies values out
 * as NUL-terminated strings. So nothing is allocated for a malformed file,
 * and every length is checked before it is used.
 */
#include "process_description.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"

struct span {
    const uint8_t *p;
    size_t n;
};

struct record {
    size_t offset; /* of the tag, for messages */
    uint16_t tag;
    struct span value;
};

struct mount_fields {
    struct span type, source, target, data;
    uint32_t flags;
};

struct pair_fields {
    struct span key, value;
};

struct device_fields {
    struct span path;
    char type;
    uint32_t major, minor, mode, uid, gid;
};

struct counts {
    size_t args, envs, rlimits, mounts, sysctls, devices, cgroups;
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads the record at *off. Returns 1 with *rec filled, 0 at end of data, -1 if it runs past the end. */
static int next_record(const uint8_t *data, size_t len, size_t *off, struct record *rec)
{
    size_t at = *off;
    if (at == len)
        return 0;
    rec->offset = at;
    if (len - at < PD_RECORD_HEADER_SIZE) {
        rec->tag = len - at >= 2 ? le16_get(data + at) : 0;
        return -1;
    }
    rec->tag = le16_get(data + at);
    uint32_t vlen = le32_get(data + at + 2);
    at += PD_RECORD_HEADER_SIZE;
    if (vlen > len - at)
        return -1;
    rec->value.p = data + at;
    rec->value.n = vlen;
    *off = at + vlen;
    return 1;
}

static bool has_nul(struct span s) { return memchr(s.p, 0, s.n) != NULL; }

/* Takes a u16-length-prefixed field off the front of *rest. */
static bool take_field(struct span *rest, struct span *field)
{
    if (rest->n < 2)
        return false;
    size_t n = le16_get(rest->p);
    if (n > rest->n - 2)
        return false;
    field->p = rest->p + 2;
    field->n = n;
    rest->p += 2 + n;
    rest->n -= 2 + n;
    return true;
}

/* MOUNT: type, source, target (u16 len + bytes each), u32 flags, data; nothing after. */
static const char *split_mount(struct span v, struct mount_fields *m)
{
    struct span rest = v;
    if (!take_field(&rest, &m->type) || !take_field(&rest, &m->source) || !take_field(&rest, &m->target))
        return "MOUNT field runs past the end of the record";
    if (rest.n < 4)
        return "MOUNT flags run past the end of the record";
    m->flags = le32_get(rest.p);
    rest.p += 4;
    rest.n -= 4;
    if (!take_field(&rest, &m->data))
        return "MOUNT data runs past the end of the record";
    if (rest.n != 0)
        return "MOUNT record has bytes after its data";
    if (has_nul(m->type) || has_nul(m->source) || has_nul(m->target) || has_nul(m->data))
        return "MOUNT field contains a NUL byte";
    if (m->target.n == 0 || m->target.p[0] != '/')
        return "MOUNT target must be an absolute path";
    return NULL;
}

/* SYSCTL and CGROUP: key, value (u16 len + bytes each); nothing after. */
static const char *split_pair(struct span v, struct pair_fields *f)
{
    struct span rest = v;
    if (!take_field(&rest, &f->key) || !take_field(&rest, &f->value))
        return "field runs past the end of the record";
    if (rest.n != 0)
        return "record has bytes after its value";
    if (has_nul(f->key) || has_nul(f->value))
        return "field contains a NUL byte";
    return NULL;
}

/* A SYSCTL key is dot-separated names, none empty and none holding a '/',
 * so the path it becomes stays under /proc/sys. */
static const char *split_sysctl(struct span v, struct pair_fields *f)
{
    const char *why = split_pair(v, f);
    if (why)
        return why;
    if (f->key.n == 0 || memchr(f->key.p, '/', f->key.n))
        return "SYSCTL key must be dot-separated names without '/'";
    for (size_t i = 0; i < f->key.n; i++) {
        bool boundary = i == 0 || f->key.p[i - 1] == '.';
        if (f->key.p[i] == '.' && (boundary || i == f->key.n - 1))
            return "SYSCTL key has an empty name";
    }
    return NULL;
}

/* A CGROUP key is one file name of the container's cgroup (pids.max). */
static const char *split_cgroup(struct span v, struct pair_fields *f)
{
    const char *why = split_pair(v, f);
    if (why)
        return why;
    bool dots = (f->key.n == 1 && f->key.p[0] == '.') || (f->key.n == 2 && f->key.p[0] == '.' && f->key.p[1] == '.');
    if (f->key.n == 0 || dots || memchr(f->key.p, '/', f->key.n))
        return "CGROUP key must be one file name";
    return NULL;
}

/* DEVICE: path (u16 len + bytes), u8 type, u32 major, minor, mode, uid, gid; nothing after. */
static const char *split_device(struct span v, struct device_fields *d)
{
    struct span rest = v;
    if (!take_field(&rest, &d->path))
        return "DEVICE path runs past the end of the record";
    if (rest.n != 21)
        return "DEVICE needs a type byte and five u32 (major, minor, mode, uid, gid) after its path";
    d->type = (char)rest.p[0];
    d->major = le32_get(rest.p + 1);
    d->minor = le32_get(rest.p + 5);
    d->mode = le32_get(rest.p + 9);
    d->uid = le32_get(rest.p + 13);
    d->gid = le32_get(rest.p + 17);
    if (has_nul(d->path))
        return "DEVICE path contains a NUL byte";
    if (d->path.n == 0 || d->path.p[0] != '/')
        return "DEVICE path must be an absolute path";
    if (!memchr("cbup", d->type, 4))
        return "DEVICE type must be c, b, u or p";
    return d->mode <= 07777 ? NULL : "DEVICE mode must be at most 07777";
}

/* Tags that may appear at most once, as a bit per tag. */
static bool is_single(uint16_t tag)
{
    switch (tag) {
    case PD_CWD:
    case PD_UID:
    case PD_GID:
    case PD_GROUPS:
    case PD_HOSTNAME:
    case PD_TERMINAL:
    case PD_ROOTFS:
    case PD_UMASK:
    case PD_BINDS:
    case PD_CAPS:
    case PD_NO_NEW_PRIVS:
    case PD_OOM_SCORE_ADJ:
        return true;
    default:
        return false;
    }
}

static const char *tag_name(uint16_t tag)
{
    static const char *const names[] = {
        "?", "ARG", "ENV", "CWD", "UID", "GID", "GROUPS", "HOSTNAME", "RLIMIT", "TERMINAL", "ROOTFS", "MOUNT", "UMASK", "BINDS",
        "CAPS", "NO_NEW_PRIVS", "OOM_SCORE_ADJ", "SYSCTL", "DEVICE", "CGROUP",
    };
    return tag < sizeof names / sizeof names[0] ? names[tag] : "unknown";
}

/* Checks one record; returns NULL or why it is malformed. Counts repeatable records. */
static const char *check_record(const struct record *r, struct counts *c)
{
    struct span v = r->value;
    switch (r->tag) {
    case PD_ARG:
        if (has_nul(v))
            return "ARG contains a NUL byte";
        c->args++;
        return NULL;
    case PD_ENV:
        if (has_nul(v))
            return "ENV contains a NUL byte";
        c->envs++;
        return NULL;
    case PD_CWD:
        if (has_nul(v))
            return "CWD contains a NUL byte";
        if (v.n == 0 || v.p[0] != '/')
            return "CWD must be an absolute path";
        return NULL;
    case PD_UID:
    case PD_GID:
        return v.n == 4 ? NULL : "value must be 4 bytes (u32)";
    case PD_GROUPS:
        return v.n % 4 == 0 ? NULL : "GROUPS length must be a multiple of 4";
    case PD_HOSTNAME:
        return has_nul(v) ? "HOSTNAME contains a NUL byte" : NULL;
    case PD_RLIMIT:
        if (v.n != 20)
            return "RLIMIT must be 20 bytes (u32 resource, u64 soft, u64 hard)";
        c->rlimits++;
        return NULL;
    case PD_TERMINAL:
        if (v.n != 1)
            return "TERMINAL must be 1 byte";
        return v.p[0] <= 1 ? NULL : "TERMINAL must be 0 or 1";
    case PD_ROOTFS:
        if (v.n < 2)
            return "ROOTFS needs a readonly byte and a non-empty tag";
        if (v.p[0] > 1)
            return "ROOTFS readonly byte must be 0 or 1";
        return memchr(v.p + 1, 0, v.n - 1) ? "ROOTFS tag contains a NUL byte" : NULL;
    case PD_BINDS:
        if (v.n == 0)
            return "BINDS needs a non-empty tag";
        return has_nul(v) ? "BINDS tag contains a NUL byte" : NULL;
    case PD_MOUNT: {
        struct mount_fields m;
        const char *why = split_mount(v, &m);
        if (!why)
            c->mounts++;
        return why;
    }
    case PD_UMASK:
        if (v.n != 4)
            return "UMASK must be 4 bytes (u32)";
        return le32_get(v.p) <= 0777 ? NULL : "UMASK must be at most 0777";
    case PD_CAPS:
        return v.n == 8 * PD_CAP_SETS ? NULL
                                      : "CAPS must be 40 bytes (u64 bounding, effective, permitted, inheritable, ambient)";
    case PD_NO_NEW_PRIVS:
        if (v.n != 1)
            return "NO_NEW_PRIVS must be 1 byte";
        return v.p[0] <= 1 ? NULL : "NO_NEW_PRIVS must be 0 or 1";
    case PD_OOM_SCORE_ADJ: {
        if (v.n != 4)
            return "OOM_SCORE_ADJ must be 4 bytes (i32)";
        int32_t adj = (int32_t)le32_get(v.p);
        return adj >= PD_OOM_SCORE_ADJ_MIN && adj <= PD_OOM_SCORE_ADJ_MAX ? NULL
                                                                          : "OOM_SCORE_ADJ must be from -1000 to 1000";
    }
    case PD_SYSCTL: {
        struct pair_fields f;
        const char *why = split_sysctl(v, &f);
        if (!why)
            c->sysctls++;
        return why;
    }
    case PD_DEVICE: {
        struct device_fields d;
        const char *why = split_device(v, &d);
        if (!why)
            c->devices++;
        return why;
    }
    case PD_CGROUP: {
        struct pair_fields f;
        const char *why = split_cgroup(v, &f);
        if (!why)
            c->cgroups++;
        return why;
    }
    default:
        return NULL; /* unknown: skipped, for forward compatibility */
    }
}

static char *dup_span(struct span s)
{
    char *p = malloc(s.n + 1);
    if (p) {
        if (s.n)
            memcpy(p, s.p, s.n);
        p[s.n] = 0;
    }
    return p;
}

/* Like dup_span, but an empty field is "not given". ok is cleared on allocation failure. */
static char *dup_optional(struct span s, bool *ok)
{
    if (s.n == 0)
        return NULL;
    char *p = dup_span(s);
    if (!p)
        *ok = false;
    return p;
}

/* Second pass: the file is known to be well formed and the arrays sized. Returns false when out of memory. */
static bool fill(const uint8_t *data, size_t len, struct process_description *pd)
{
    size_t off = PD_MAGIC_SIZE;
    struct record r;
    bool ok = true;
    while (ok && next_record(data, len, &off, &r) == 1) {
        struct span v = r.value;
        switch (r.tag) {
        case PD_ARG:
            ok = (pd->argv[pd->argc++] = dup_span(v)) != NULL;
            break;
        case PD_ENV:
            ok = (pd->envp[pd->envc++] = dup_span(v)) != NULL;
            break;
        case PD_CWD:
            free(pd->cwd);
            ok = (pd->cwd = dup_span(v)) != NULL;
            break;
        case PD_UID:
            pd->uid = le32_get(v.p);
            break;
        case PD_GID:
            pd->gid = le32_get(v.p);
            break;
        case PD_GROUPS:
            pd->ngroups = v.n / 4;
            if (pd->ngroups) {
                ok = (pd->groups = calloc(pd->ngroups, sizeof *pd->groups)) != NULL;
                for (size_t i = 0; ok && i < pd->ngroups; i++)
                    pd->groups[i] = le32_get(v.p + 4 * i);
            }
            break;
        case PD_HOSTNAME:
            ok = (pd->hostname = dup_span(v)) != NULL;
            break;
        case PD_RLIMIT: {
            struct pd_rlimit *rl = &pd->rlimits[pd->nrlimits++];
            rl->resource = le32_get(v.p);
            rl->soft = le64_get(v.p + 4);
            rl->hard = le64_get(v.p + 12);
            break;
        }
        case PD_TERMINAL:
            pd->terminal = v.p[0] == 1;
            break;
        case PD_ROOTFS:
            pd->rootfs_readonly = v.p[0] == 1;
            ok = (pd->rootfs_tag = dup_span((struct span){v.p + 1, v.n - 1})) != NULL;
            break;
        case PD_MOUNT: {
            struct mount_fields m;
            split_mount(v, &m);
            struct pd_mount *pm = &pd->mounts[pd->nmounts++];
            pm->flags = m.flags;
            pm->type = dup_optional(m.type, &ok);
            pm->source = dup_optional(m.source, &ok);
            pm->target = dup_optional(m.target, &ok);
            pm->data = dup_optional(m.data, &ok);
            break;
        }
        case PD_UMASK:
            pd->has_umask = true;
            pd->umask = le32_get(v.p);
            break;
        case PD_BINDS:
            ok = (pd->binds_tag = dup_span(v)) != NULL;
            break;
        case PD_CAPS:
            pd->has_caps = true;
            for (int set = 0; set < PD_CAP_SETS; set++)
                pd->caps[set] = le64_get(v.p + 8 * set);
            break;
        case PD_NO_NEW_PRIVS:
            pd->no_new_privs = v.p[0] == 1;
            break;
        case PD_OOM_SCORE_ADJ:
            pd->has_oom_score_adj = true;
            pd->oom_score_adj = (int32_t)le32_get(v.p);
            break;
        case PD_SYSCTL: {
            struct pair_fields f;
            split_sysctl(v, &f);
            struct pd_setting *ps = &pd->sysctls[pd->nsysctls++];
            ok = (ps->key = dup_span(f.key)) != NULL && (ps->value = dup_span(f.value)) != NULL;
            break;
        }
        case PD_CGROUP: {
            struct pair_fields f;
            split_cgroup(v, &f);
            struct pd_setting *pc = &pd->cgroups[pd->ncgroups++];
            ok = (pc->key = dup_span(f.key)) != NULL && (pc->value = dup_span(f.value)) != NULL;
            break;
        }
        case PD_DEVICE: {
            struct device_fields d;
            split_device(v, &d);
            struct pd_device *pd_dev = &pd->devices[pd->ndevices++];
            *pd_dev = (struct pd_device){.type = d.type, .major = d.major, .minor = d.minor, .mode = d.mode, .uid = d.uid, .gid = d.gid};
            ok = (pd_dev->path = dup_span(d.path)) != NULL;
            break;
        }
        default:
            break;
        }
    }
    return ok;
}

int process_description_parse(const uint8_t *data, size_t len, struct process_description *pd, char *err,
                              size_t errlen)
{
    memset(pd, 0, sizeof *pd);
    if (len < PD_MAGIC_SIZE || memcmp(data, PD_MAGIC, PD_MAGIC_SIZE) != 0) {
        fail(err, errlen, "bad magic: not a VMMPROC1 process description");
        return -1;
    }

    struct counts c = {0};
    uint32_t seen = 0; /* bit per single-use tag already met */
    size_t off = PD_MAGIC_SIZE;
    struct record r;
    int more;
    while ((more = next_record(data, len, &off, &r)) == 1) {
        const char *why = check_record(&r, &c);
        if (!why && is_single(r.tag)) {
            if (seen & (1u << r.tag))
                why = "may appear at most once";
            seen |= 1u << r.tag;
        }
        if (why) {
            fail(err, errlen, "record at offset %zu (tag %u %s): %s", r.offset, r.tag, tag_name(r.tag), why);
            return -1;
        }
    }
    if (more < 0) {
        fail(err, errlen, "record at offset %zu (tag %u %s) runs past the end of the file (%zu bytes)", r.offset,
             r.tag, tag_name(r.tag), len);
        return -1;
    }
    if (c.args == 0) {
        fail(err, errlen, "no ARG record: the process needs at least argv[0]");
        return -1;
    }

    pd->argv = calloc(c.args + 1, sizeof *pd->argv);
    pd->envp = calloc(c.envs + 1, sizeof *pd->envp);
    pd->rlimits = calloc(c.rlimits ? c.rlimits : 1, sizeof *pd->rlimits);
    pd->mounts = calloc(c.mounts ? c.mounts : 1, sizeof *pd->mounts);
    pd->sysctls = calloc(c.sysctls ? c.sysctls : 1, sizeof *pd->sysctls);
    pd->devices = calloc(c.devices ? c.devices : 1, sizeof *pd->devices);
    pd->cgroups = calloc(c.cgroups ? c.cgroups : 1, sizeof *pd->cgroups);
    if (!pd->argv || !pd->envp || !pd->rlimits || !pd->mounts || !pd->sysctls || !pd->devices || !pd->cgroups ||
        !fill(data, len, pd) ||
        (!pd->cwd && !(pd->cwd = dup_span((struct span){(const uint8_t *)"/", 1})))) {
        process_description_free(pd);
        fail(err, errlen, "out of memory reading the process description (%zu bytes)", len);
        return -1;
    }
    return 0;
}

void process_description_free(struct process_description *pd)
{
    for (size_t i = 0; pd->argv && i < pd->argc; i++)
        free(pd->argv[i]);
    for (size_t i = 0; pd->envp && i < pd->envc; i++)
        free(pd->envp[i]);
    for (size_t i = 0; pd->mounts && i < pd->nmounts; i++) {
        free(pd->mounts[i].type);
        free(pd->mounts[i].source);
        free(pd->mounts[i].target);
        free(pd->mounts[i].data);
    }
    for (size_t i = 0; pd->sysctls && i < pd->nsysctls; i++) {
        free(pd->sysctls[i].key);
        free(pd->sysctls[i].value);
    }
    free(pd->sysctls);
    for (size_t i = 0; pd->cgroups && i < pd->ncgroups; i++) {
        free(pd->cgroups[i].key);
        free(pd->cgroups[i].value);
    }
    free(pd->cgroups);
    for (size_t i = 0; pd->devices && i < pd->ndevices; i++)
        free(pd->devices[i].path);
    free(pd->devices);
    free(pd->argv);
    free(pd->envp);
    free(pd->cwd);
    free(pd->groups);
    free(pd->hostname);
    free(pd->rlimits);
    free(pd->rootfs_tag);
    free(pd->binds_tag);
    free(pd->mounts);
    memset(pd, 0, sizeof *pd);
}
