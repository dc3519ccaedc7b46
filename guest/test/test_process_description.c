#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "process_description.h"

/* Builds description bytes record by record. */
struct builder {
    uint8_t buf[8192];
    size_t n;
};

static void put(struct builder *b, const void *p, size_t n)
{
    memcpy(b->buf + b->n, p, n);
    b->n += n;
}

static void put16(struct builder *b, uint16_t v) { put(b, (uint8_t[]){v, v >> 8}, 2); }

static void put32(struct builder *b, uint32_t v) { put(b, (uint8_t[]){v, v >> 8, v >> 16, v >> 24}, 4); }

static void put64(struct builder *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

static void begin(struct builder *b)
{
    b->n = 0;
    put(b, PD_MAGIC, PD_MAGIC_SIZE);
}

static void record(struct builder *b, uint16_t tag, const void *value, size_t n)
{
    put16(b, tag);
    put32(b, (uint32_t)n);
    put(b, value, n);
}

static void str(struct builder *b, uint16_t tag, const char *s) { record(b, tag, s, strlen(s)); }

static void u32rec(struct builder *b, uint16_t tag, uint32_t v)
{
    put16(b, tag);
    put32(b, 4);
    put32(b, v);
}

static int parse(struct builder *b, struct process_description *pd, char *err)
{
    /* A copy of exactly n bytes, so the sanitizer catches any read past the end. */
    uint8_t *copy = malloc(b->n ? b->n : 1);
    memcpy(copy, b->buf, b->n);
    int r = process_description_parse(copy, b->n, pd, err, 256);
    free(copy);
    return r;
}

/* Expects a parse failure whose message contains needle; returns whether it did. */
static int fails_with(struct builder *b, const char *needle)
{
    struct process_description pd;
    char err[256] = "";
    int r = parse(b, &pd, err);
    if (r == 0) {
        process_description_free(&pd);
        fprintf(stderr, "  parsed, expected an error containing \"%s\"\n", needle);
        return 0;
    }
    if (!strstr(err, needle)) {
        fprintf(stderr, "  error \"%s\" does not contain \"%s\"\n", err, needle);
        return 0;
    }
    return 1;
}

static void minimal(void)
{
    struct builder b;
    begin(&b);
    str(&b, PD_ARG, "/bin/true");
    struct process_description pd;
    char err[256];
    CHECK(parse(&b, &pd, err) == 0);
    CHECK(pd.argc == 1 && strcmp(pd.argv[0], "/bin/true") == 0 && pd.argv[1] == NULL);
    CHECK(pd.envc == 0 && pd.envp[0] == NULL);
    CHECK(strcmp(pd.cwd, "/") == 0);
    CHECK(pd.uid == 0 && pd.gid == 0 && pd.ngroups == 0);
    CHECK(pd.hostname == NULL && pd.rootfs_tag == NULL && !pd.terminal && !pd.has_umask);
    CHECK(pd.nrlimits == 0 && pd.nmounts == 0);
    process_description_free(&pd);
}

static void everything(void)
{
    struct builder b;
    begin(&b);
    str(&b, PD_ARG, "sh");
    str(&b, PD_ARG, "-c");
    str(&b, PD_ARG, "echo \"a b\"\n'c=d.e'");
    record(&b, PD_ARG, "", 0); /* an empty argument is an argument */
    str(&b, PD_ENV, "PATH=/bin");
    str(&b, PD_ENV, "X=y=z");
    str(&b, PD_CWD, "/work dir");
    u32rec(&b, PD_UID, 1000);
    u32rec(&b, PD_GID, 4294967294u);
    put16(&b, PD_GROUPS);
    put32(&b, 8);
    put32(&b, 10);
    put32(&b, 20);
    str(&b, PD_HOSTNAME, "box");
    put16(&b, PD_RLIMIT);
    put32(&b, 20);
    put32(&b, 7);
    put64(&b, 1024);
    put64(&b, UINT64_MAX);
    record(&b, PD_TERMINAL, "\1", 1);
    record(&b, PD_ROOTFS, "\1rootfs", 7);
    /* MOUNT tmpfs on /tmp with flags 6 and data, then a bind with empty type and data */
    put16(&b, PD_MOUNT);
    put32(&b, 2 + 5 + 2 + 5 + 2 + 4 + 4 + 2 + 9);
    put16(&b, 5);
    put(&b, "tmpfs", 5);
    put16(&b, 5);
    put(&b, "tmpfs", 5);
    put16(&b, 4);
    put(&b, "/tmp", 4);
    put32(&b, 6);
    put16(&b, 9);
    put(&b, "mode=1777", 9);
    put16(&b, PD_MOUNT);
    put32(&b, 2 + 2 + 4 + 2 + 4 + 4 + 2);
    put16(&b, 0);
    put16(&b, 4);
    put(&b, "/src", 4);
    put16(&b, 4);
    put(&b, "/dst", 4);
    put32(&b, 4096);
    put16(&b, 0);
    u32rec(&b, PD_UMASK, 022);
    str(&b, PD_BINDS, "vmm-binds");
    record(&b, 999, "future", 6); /* unknown: skipped */

    struct process_description pd;
    char err[256] = "";
    CHECK(parse(&b, &pd, err) == 0);
    if (err[0])
        fprintf(stderr, "  %s\n", err);
    CHECK(pd.argc == 4);
    CHECK(pd.argc == 4 && strcmp(pd.argv[2], "echo \"a b\"\n'c=d.e'") == 0 && strcmp(pd.argv[3], "") == 0 &&
          pd.argv[4] == NULL);
    CHECK(pd.envc == 2 && strcmp(pd.envp[1], "X=y=z") == 0 && pd.envp[2] == NULL);
    CHECK(pd.cwd && strcmp(pd.cwd, "/work dir") == 0);
    CHECK(pd.uid == 1000 && pd.gid == 4294967294u);
    CHECK(pd.ngroups == 2 && pd.groups[0] == 10 && pd.groups[1] == 20);
    CHECK(pd.hostname && strcmp(pd.hostname, "box") == 0);
    CHECK(pd.nrlimits == 1 && pd.rlimits[0].resource == 7 && pd.rlimits[0].soft == 1024 &&
          pd.rlimits[0].hard == UINT64_MAX);
    CHECK(pd.terminal);
    CHECK(pd.rootfs_tag && strcmp(pd.rootfs_tag, "rootfs") == 0 && pd.rootfs_readonly);
    CHECK(pd.nmounts == 2);
    if (pd.nmounts == 2) {
        CHECK(strcmp(pd.mounts[0].type, "tmpfs") == 0 && strcmp(pd.mounts[0].target, "/tmp") == 0);
        CHECK(pd.mounts[0].flags == 6 && strcmp(pd.mounts[0].data, "mode=1777") == 0);
        CHECK(pd.mounts[1].type == NULL && pd.mounts[1].data == NULL && pd.mounts[1].flags == 4096);
        CHECK(strcmp(pd.mounts[1].source, "/src") == 0 && strcmp(pd.mounts[1].target, "/dst") == 0);
    }
    CHECK(pd.has_umask && pd.umask == 022);
    CHECK(pd.binds_tag && strcmp(pd.binds_tag, "vmm-binds") == 0);
    process_description_free(&pd);
    CHECK(pd.argv == NULL);
}

static void malformed(void)
{
    struct builder b;

    b.n = 0;
    CHECK(fails_with(&b, "bad magic"));
    b.n = 0;
    put(&b, "VMMPROC", 7);
    CHECK(fails_with(&b, "bad magic"));
    b.n = 0;
    put(&b, "VMMPROC2", 8);
    str(&b, PD_ARG, "x");
    CHECK(fails_with(&b, "bad magic"));

    begin(&b);
    CHECK(fails_with(&b, "no ARG"));
    begin(&b);
    str(&b, PD_ENV, "A=B");
    CHECK(fails_with(&b, "no ARG"));

    /* Truncated: in the header, in the value, one byte short at the very end. */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_ARG);
    CHECK(fails_with(&b, "runs past the end"));
    begin(&b);
    str(&b, PD_ARG, "x");
    put(&b, "\1", 1);
    CHECK(fails_with(&b, "runs past the end"));
    begin(&b);
    str(&b, PD_ARG, "hello");
    b.n--;
    CHECK(fails_with(&b, "runs past the end"));

    /* A huge length must not wrap any offset arithmetic. */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_ENV);
    put32(&b, 0xFFFFFFFFu);
    put(&b, "A=B", 3);
    CHECK(fails_with(&b, "runs past the end"));
    begin(&b);
    put16(&b, 999);
    put32(&b, 0xFFFFFFF0u);
    CHECK(fails_with(&b, "runs past the end"));

    /* Fixed-size values of the wrong size. */
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_UID, "\1\2\3", 3);
    CHECK(fails_with(&b, "4 bytes"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_GID, "\1\2\3\4\5", 5);
    CHECK(fails_with(&b, "4 bytes"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_GROUPS, "\1\2\3\4\5\6", 6);
    CHECK(fails_with(&b, "multiple of 4"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_RLIMIT, "0123456789012345678", 19);
    CHECK(fails_with(&b, "RLIMIT must be 20"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_TERMINAL, "", 0);
    CHECK(fails_with(&b, "TERMINAL must be 1 byte"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_TERMINAL, "\2", 1);
    CHECK(fails_with(&b, "0 or 1"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_UMASK, "\1\2", 2);
    CHECK(fails_with(&b, "UMASK must be 4"));
    begin(&b);
    str(&b, PD_ARG, "x");
    u32rec(&b, PD_UMASK, 01000);
    CHECK(fails_with(&b, "at most 0777"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_ROOTFS, "\0", 1);
    CHECK(fails_with(&b, "non-empty tag"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_BINDS, "", 0);
    CHECK(fails_with(&b, "BINDS needs a non-empty tag"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_BINDS, "a\0b", 3);
    CHECK(fails_with(&b, "BINDS tag contains a NUL"));
    begin(&b);
    str(&b, PD_ARG, "x");
    str(&b, PD_BINDS, "a");
    str(&b, PD_BINDS, "b");
    CHECK(fails_with(&b, "BINDS"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_ROOTFS, "\3tag", 4);
    CHECK(fails_with(&b, "readonly byte"));

    /* NUL bytes cannot reach execve intact. */
    begin(&b);
    record(&b, PD_ARG, "a\0b", 3);
    CHECK(fails_with(&b, "NUL"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_ENV, "A=\0", 3);
    CHECK(fails_with(&b, "NUL"));

    begin(&b);
    str(&b, PD_ARG, "x");
    str(&b, PD_CWD, "relative");
    CHECK(fails_with(&b, "absolute"));

    /* Single-use tags twice. */
    begin(&b);
    str(&b, PD_ARG, "x");
    u32rec(&b, PD_UID, 1);
    u32rec(&b, PD_UID, 2);
    CHECK(fails_with(&b, "at most once"));
    begin(&b);
    str(&b, PD_ARG, "x");
    str(&b, PD_HOSTNAME, "a");
    str(&b, PD_HOSTNAME, "b");
    CHECK(fails_with(&b, "at most once"));

    /* The error names the offending record. */
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_UID, "\1", 1);
    CHECK(fails_with(&b, "offset 15 (tag 4 UID)"));
}

static void malformed_mounts(void)
{
    struct builder b;
    /* field length past the record */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_MOUNT);
    put32(&b, 4);
    put16(&b, 10);
    put(&b, "ab", 2);
    CHECK(fails_with(&b, "MOUNT field runs past"));
    /* no flags */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_MOUNT);
    put32(&b, 6 + 2);
    put16(&b, 0);
    put16(&b, 0);
    put16(&b, 2);
    put(&b, "/t", 2);
    CHECK(fails_with(&b, "MOUNT flags"));
    /* no data field */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_MOUNT);
    put32(&b, 6 + 2 + 4);
    put16(&b, 0);
    put16(&b, 0);
    put16(&b, 2);
    put(&b, "/t", 2);
    put32(&b, 0);
    CHECK(fails_with(&b, "MOUNT data"));
    /* trailing bytes */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_MOUNT);
    put32(&b, 6 + 2 + 4 + 2 + 1);
    put16(&b, 0);
    put16(&b, 0);
    put16(&b, 2);
    put(&b, "/t", 2);
    put32(&b, 0);
    put16(&b, 0);
    put(&b, "!", 1);
    CHECK(fails_with(&b, "bytes after"));
    /* relative target */
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_MOUNT);
    put32(&b, 6 + 1 + 4 + 2);
    put16(&b, 0);
    put16(&b, 0);
    put16(&b, 1);
    put(&b, "t", 1);
    put32(&b, 0);
    put16(&b, 0);
    CHECK(fails_with(&b, "absolute"));
}

/* Every prefix of a valid file either parses (it ends on a record boundary) or fails cleanly. */
static void every_truncation(void)
{
    struct builder b;
    begin(&b);
    str(&b, PD_ARG, "sh");
    str(&b, PD_ENV, "A=1");
    u32rec(&b, PD_UID, 5);
    record(&b, PD_ROOTFS, "\0fs", 3);
    size_t full = b.n;
    int parsed = 0, failed = 0;
    for (size_t n = 0; n <= full; n++) {
        b.n = n;
        struct process_description pd;
        char err[256];
        if (parse(&b, &pd, err) == 0) {
            parsed++;
            process_description_free(&pd);
        } else {
            failed++;
        }
    }
    /* Record boundaries that include the ARG: after ARG, ENV, UID, ROOTFS. */
    CHECK(parsed == 4);
    CHECK(failed == (int)full + 1 - 4);
}

/* Random bytes after a valid magic: must never crash (the sanitizers watch). */
static void fuzz(void)
{
    struct builder b;
    unsigned seed = 12345;
    int ok = 1;
    for (int round = 0; round < 20000; round++) {
        begin(&b);
        size_t n = (seed = seed * 1103515245 + 12345) % 64;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245 + 12345;
            uint8_t byte = (uint8_t)(seed >> 16);
            /* Bias towards small tags and lengths so records often parse. */
            if (i % 6 == 0)
                byte %= 14;
            else if (i % 6 != 1)
                byte = (seed >> 24) % 3 ? 0 : byte % 8;
            put(&b, &byte, 1);
        }
        struct process_description pd;
        char err[256];
        if (parse(&b, &pd, err) == 0) {
            ok &= pd.argc > 0 && pd.cwd != NULL;
            process_description_free(&pd);
        }
    }
    CHECK(ok);
}

/* A SYSCTL or CGROUP record of key and value (u16-prefixed each), for the rules below. */
static void pair_record(struct builder *b, uint16_t tag, const char *key, const char *value)
{
    put16(b, tag);
    put32(b, (uint32_t)(4 + strlen(key) + strlen(value)));
    put16(b, (uint16_t)strlen(key));
    put(b, key, strlen(key));
    put16(b, (uint16_t)strlen(value));
    put(b, value, strlen(value));
}

static void privileges(void)
{
    struct builder b;
    struct process_description pd;
    char err[256];

    /* Two sysctls in order; CAPS's five sets; the lowest OOM adjustment. */
    begin(&b);
    str(&b, PD_ARG, "x");
    pair_record(&b, PD_SYSCTL, "kernel.msgmax", "8192");
    pair_record(&b, PD_SYSCTL, "fs.mqueue.msg_max", "");
    put16(&b, PD_CAPS);
    put32(&b, 40);
    for (int set = 0; set < PD_CAP_SETS; set++)
        put64(&b, 0x8000000000000001ull >> set);
    u32rec(&b, PD_OOM_SCORE_ADJ, (uint32_t)-1000);
    CHECK(parse(&b, &pd, err) == 0);
    CHECK(pd.nsysctls == 2 && strcmp(pd.sysctls[0].key, "kernel.msgmax") == 0 && strcmp(pd.sysctls[0].value, "8192") == 0);
    CHECK(pd.nsysctls == 2 && strcmp(pd.sysctls[1].key, "fs.mqueue.msg_max") == 0 && pd.sysctls[1].value[0] == 0);
    CHECK(pd.has_caps && pd.caps[PD_CAP_BOUNDING] == 0x8000000000000001ull && pd.caps[PD_CAP_AMBIENT] == 0x0800000000000000ull);
    CHECK(pd.has_oom_score_adj && pd.oom_score_adj == -1000 && !pd.no_new_privs);
    process_description_free(&pd);

    /* Without the records: root's capabilities, no adjustment. */
    begin(&b);
    str(&b, PD_ARG, "x");
    CHECK(parse(&b, &pd, err) == 0);
    CHECK(!pd.has_caps && !pd.has_oom_score_adj && !pd.no_new_privs && pd.nsysctls == 0);
    process_description_free(&pd);

    /* A key that could leave /proc/sys, or names nothing. */
    static const char *const bad_keys[] = {"", "kernel/msgmax", "../../etc", ".kernel", "kernel.", "kernel..msgmax", "a/../b"};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        begin(&b);
        str(&b, PD_ARG, "x");
        pair_record(&b, PD_SYSCTL, bad_keys[i], "1");
        CHECK(fails_with(&b, "SYSCTL key"));
    }
    static const char *const bad_cgroup_keys[] = {"", ".", "..", "a/b", "/pids.max"};
    for (size_t i = 0; i < sizeof bad_cgroup_keys / sizeof bad_cgroup_keys[0]; i++) {
        begin(&b);
        str(&b, PD_ARG, "x");
        pair_record(&b, PD_CGROUP, bad_cgroup_keys[i], "1");
        CHECK(fails_with(&b, "CGROUP key must be one file name"));
    }
    begin(&b);
    str(&b, PD_ARG, "x");
    pair_record(&b, PD_CGROUP, "pids.max", "100");
    pair_record(&b, PD_CGROUP, "..pids", "max");
    CHECK(parse(&b, &pd, err) == 0);
    CHECK(pd.ncgroups == 2 && strcmp(pd.cgroups[0].key, "pids.max") == 0 && strcmp(pd.cgroups[0].value, "100") == 0);
    CHECK(pd.ncgroups == 2 && strcmp(pd.cgroups[1].key, "..pids") == 0 && pd.nsysctls == 0);
    process_description_free(&pd);
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_SYSCTL);
    put32(&b, 5);
    put16(&b, 1);
    put(&b, "a", 1);
    put16(&b, 3);
    CHECK(fails_with(&b, "(tag 17 SYSCTL): field runs past"));
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_SYSCTL);
    put32(&b, 7);
    put16(&b, 1);
    put(&b, "a", 1);
    put16(&b, 0);
    put(&b, "zz", 2);
    CHECK(fails_with(&b, "SYSCTL): record has bytes after its value"));
    begin(&b);
    str(&b, PD_ARG, "x");
    pair_record(&b, PD_SYSCTL, "kernel.msgmax", "1\n");
    b.buf[b.n - 1] = 0;
    CHECK(fails_with(&b, "SYSCTL): field contains a NUL"));

    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_CAPS, "12345678", 8);
    CHECK(fails_with(&b, "CAPS must be 40 bytes"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_NO_NEW_PRIVS, "\2", 1);
    CHECK(fails_with(&b, "NO_NEW_PRIVS must be 0 or 1"));
    begin(&b);
    str(&b, PD_ARG, "x");
    record(&b, PD_NO_NEW_PRIVS, "\1\1", 2);
    CHECK(fails_with(&b, "NO_NEW_PRIVS must be 1 byte"));
    begin(&b);
    str(&b, PD_ARG, "x");
    u32rec(&b, PD_OOM_SCORE_ADJ, 1001);
    CHECK(fails_with(&b, "from -1000 to 1000"));
    begin(&b);
    str(&b, PD_ARG, "x");
    u32rec(&b, PD_OOM_SCORE_ADJ, (uint32_t)-1001);
    CHECK(fails_with(&b, "from -1000 to 1000"));
    begin(&b);
    str(&b, PD_ARG, "x");
    u32rec(&b, PD_OOM_SCORE_ADJ, 1);
    u32rec(&b, PD_OOM_SCORE_ADJ, 2);
    CHECK(fails_with(&b, "OOM_SCORE_ADJ): may appear at most once"));
}

/* A DEVICE record: path, then type and the five numbers. */
static void device_record(struct builder *b, const char *path, char type, uint32_t mode, size_t extra)
{
    put16(b, PD_DEVICE);
    put32(b, (uint32_t)(2 + strlen(path) + 21 + extra));
    put16(b, (uint16_t)strlen(path));
    put(b, path, strlen(path));
    put(b, &type, 1);
    put32(b, 10);
    put32(b, 229);
    put32(b, mode);
    put32(b, 0);
    put32(b, 5);
    for (size_t i = 0; i < extra; i++)
        put(b, "x", 1);
}

static void devices(void)
{
    struct builder b;
    struct process_description pd;
    char err[256];
    begin(&b);
    str(&b, PD_ARG, "x");
    device_record(&b, "/dev/fuse", 'c', 0640, 0);
    device_record(&b, "/dev/fifo", 'p', 0600, 0);
    CHECK(parse(&b, &pd, err) == 0);
    CHECK(pd.ndevices == 2 && strcmp(pd.devices[0].path, "/dev/fuse") == 0 && pd.devices[0].type == 'c');
    CHECK(pd.ndevices == 2 && pd.devices[0].major == 10 && pd.devices[0].minor == 229 && pd.devices[0].mode == 0640);
    CHECK(pd.ndevices == 2 && pd.devices[0].gid == 5 && pd.devices[1].type == 'p');
    process_description_free(&pd);

    begin(&b);
    str(&b, PD_ARG, "x");
    device_record(&b, "dev/fuse", 'c', 0640, 0);
    CHECK(fails_with(&b, "DEVICE path must be an absolute path"));
    begin(&b);
    str(&b, PD_ARG, "x");
    device_record(&b, "/dev/x", 'x', 0640, 0);
    CHECK(fails_with(&b, "DEVICE type must be c, b, u or p"));
    begin(&b);
    str(&b, PD_ARG, "x");
    device_record(&b, "/dev/x", 0, 0640, 0);
    CHECK(fails_with(&b, "DEVICE type must be c, b, u or p"));
    begin(&b);
    str(&b, PD_ARG, "x");
    device_record(&b, "/dev/x", 'c', 010000, 0);
    CHECK(fails_with(&b, "DEVICE mode must be at most 07777"));
    begin(&b);
    str(&b, PD_ARG, "x");
    device_record(&b, "/dev/x", 'c', 0600, 1);
    CHECK(fails_with(&b, "DEVICE needs a type byte and five u32"));
    begin(&b);
    str(&b, PD_ARG, "x");
    put16(&b, PD_DEVICE);
    put32(&b, 3);
    put16(&b, 9);
    put(&b, "/", 1);
    CHECK(fails_with(&b, "DEVICE path runs past"));
}

void test_process_description(void)
{
    devices();
    privileges();
    minimal();
    everything();
    malformed();
    malformed_mounts();
    every_truncation();
    fuzz();
}
