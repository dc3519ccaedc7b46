/* Host tool: parses a /vmm/process file with init's own parser and prints it
 * one field a line, bytes outside printable ASCII as \xHH. The Swift tests
 * compare this with what the host meant to encode (one format, two sides). */
#include <stdio.h>
#include <stdlib.h>

#include "process_description.h"

static void put_escaped(const char *text) {
    if (!text) { fputs("(null)", stdout); return; }
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c >= 0x20 && *c < 0x7f && *c != '\\') putchar(*c);
        else printf("\\x%02x", *c);
    }
}

static void line(const char *key, const char *value) {
    fputs(key, stdout);
    putchar(' ');
    put_escaped(value);
    putchar('\n');
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: dump-process FILE\n"); return 2; }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 2; }
    static uint8_t data[1 << 24];
    size_t len = fread(data, 1, sizeof data, file);
    fclose(file);
    struct process_description pd;
    char err[256];
    if (process_description_parse(data, len, &pd, err, sizeof err) != 0) {
        printf("error %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < pd.argc; i++) line("arg", pd.argv[i]);
    for (size_t i = 0; i < pd.envc; i++) line("env", pd.envp[i]);
    line("cwd", pd.cwd);
    printf("uid %u\ngid %u\ngroups", pd.uid, pd.gid);
    for (size_t i = 0; i < pd.ngroups; i++) printf(" %u", pd.groups[i]);
    putchar('\n');
    line("hostname", pd.hostname);
    for (size_t i = 0; i < pd.nrlimits; i++)
        printf("rlimit %u %llu %llu\n", pd.rlimits[i].resource, (unsigned long long)pd.rlimits[i].soft,
               (unsigned long long)pd.rlimits[i].hard);
    printf("terminal %d\n", pd.terminal);
    line("rootfs", pd.rootfs_tag);
    printf("rootfs_readonly %d\n", pd.rootfs_readonly);
    for (size_t i = 0; i < pd.nmounts; i++) {
        line("mount.type", pd.mounts[i].type);
        line("mount.source", pd.mounts[i].source);
        line("mount.target", pd.mounts[i].target);
        printf("mount.flags %u\n", pd.mounts[i].flags);
        line("mount.data", pd.mounts[i].data);
    }
    if (pd.has_umask) printf("umask %o\n", pd.umask);
    line("binds", pd.binds_tag);
    if (pd.has_caps)
        printf("caps %llx %llx %llx %llx %llx\n", (unsigned long long)pd.caps[PD_CAP_BOUNDING], (unsigned long long)pd.caps[PD_CAP_EFFECTIVE],
               (unsigned long long)pd.caps[PD_CAP_PERMITTED], (unsigned long long)pd.caps[PD_CAP_INHERITABLE],
               (unsigned long long)pd.caps[PD_CAP_AMBIENT]);
    printf("no_new_privs %d\n", pd.no_new_privs);
    if (pd.has_oom_score_adj) printf("oom_score_adj %d\n", pd.oom_score_adj);
    for (size_t i = 0; i < pd.nsysctls; i++) {
        line("sysctl.key", pd.sysctls[i].key);
        line("sysctl.value", pd.sysctls[i].value);
    }
    for (size_t i = 0; i < pd.ncgroups; i++) {
        line("cgroup.key", pd.cgroups[i].key);
        line("cgroup.value", pd.cgroups[i].value);
    }
    for (size_t i = 0; i < pd.ndevices; i++) {
        line("device.path", pd.devices[i].path);
        printf("device %c %u %u %o %u %u\n", pd.devices[i].type, pd.devices[i].major, pd.devices[i].minor, pd.devices[i].mode,
               pd.devices[i].uid, pd.devices[i].gid);
    }
    process_description_free(&pd);
    return 0;
}
