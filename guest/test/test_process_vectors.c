/* Every line of process-vectors.txt, parsed by init's code: the magic, an
 * `arg x` filler where the line is not an argument, and the line's record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "process_description.h"

#ifndef PROCESS_VECTORS
#define PROCESS_VECTORS "process-vectors.txt"
#endif

#define MAX_WORDS 10

static const uint8_t filler[] = {1, 0, 1, 0, 0, 0, 'x'};

static bool is(const char *got, const char *want) { return got && strcmp(got, want) == 0; }

/* `-` is the empty string, which init keeps as NULL in a mount. */
static bool is_field(const char *got, const char *want)
{
    return strcmp(want, "-") == 0 ? got == NULL : is(got, want);
}

static uint64_t number(const char *word) { return strcmp(word, "unlimited") == 0 ? UINT64_MAX : strtoull(word, NULL, 10); }

/* Whether the parsed description holds what the line's words say; also
 * false for a field this test does not know. */
static bool holds(const struct process_description *pd, char **w, int n)
{
    const char *field = w[0];
    if (strcmp(field, "arg") == 0)
        return n == 2 && pd->argc == 1 && is(pd->argv[0], w[1]);
    if (pd->argc != 1 || !is(pd->argv[0], "x"))
        return false;
    if (strcmp(field, "env") == 0)
        return n == 2 && pd->envc == 1 && is(pd->envp[0], w[1]);
    if (strcmp(field, "cwd") == 0)
        return n == 2 && is(pd->cwd, w[1]);
    if (strcmp(field, "uid") == 0)
        return n == 2 && pd->uid == number(w[1]);
    if (strcmp(field, "gid") == 0)
        return n == 2 && pd->gid == number(w[1]);
    if (strcmp(field, "groups") == 0) {
        if (pd->ngroups != (size_t)(n - 1))
            return false;
        for (int i = 1; i < n; i++)
            if (pd->groups[i - 1] != number(w[i]))
                return false;
        return true;
    }
    if (strcmp(field, "hostname") == 0)
        return n == 2 && is(pd->hostname, w[1]);
    if (strcmp(field, "rlimit") == 0)
        return n == 4 && pd->nrlimits == 1 && pd->rlimits[0].resource == number(w[1]) && pd->rlimits[0].soft == number(w[2])
               && pd->rlimits[0].hard == number(w[3]);
    if (strcmp(field, "terminal") == 0)
        return n == 1 && pd->terminal;
    if (strcmp(field, "rootfs") == 0)
        return n == 3 && pd->rootfs_readonly == (strcmp(w[1], "ro") == 0) && is(pd->rootfs_tag, w[2]);
    if (strcmp(field, "mount") == 0) {
        const struct pd_mount *m = pd->mounts;
        return n == 6 && pd->nmounts == 1 && is_field(m->type, w[1]) && is_field(m->source, w[2]) && is_field(m->target, w[3])
               && m->flags == number(w[4]) && is_field(m->data, w[5]);
    }
    if (strcmp(field, "binds") == 0)
        return n == 2 && is(pd->binds_tag, w[1]);
    if (strcmp(field, "caps") == 0) {
        if (n != 1 + PD_CAP_SETS || !pd->has_caps)
            return false;
        for (int set = 0; set < PD_CAP_SETS; set++)
            if (pd->caps[set] != number(w[1 + set]))
                return false;
        return true;
    }
    if (strcmp(field, "no_new_privileges") == 0)
        return n == 1 && pd->no_new_privs;
    if (strcmp(field, "oom_score_adj") == 0)
        return n == 2 && pd->has_oom_score_adj && pd->oom_score_adj == atoi(w[1]);
    if (strcmp(field, "sysctl") == 0)
        return n == 3 && pd->nsysctls == 1 && is(pd->sysctls[0].key, w[1]) && is(pd->sysctls[0].value, w[2]);
    if (strcmp(field, "cgroup") == 0)
        return n == 3 && pd->ncgroups == 1 && is(pd->cgroups[0].key, w[1]) && is(pd->cgroups[0].value, w[2]);
    if (strcmp(field, "device") == 0) {
        const struct pd_device *d = pd->devices;
        return n == 8 && pd->ndevices == 1 && is(d->path, w[1]) && d->type == w[2][0] && d->major == number(w[3]) &&
               d->minor == number(w[4]) && d->mode == strtoul(w[5], NULL, 8) && d->uid == number(w[6]) && d->gid == number(w[7]);
    }
    if (strcmp(field, "umask") == 0)
        return n == 2 && pd->has_umask && pd->umask == strtoul(w[1], NULL, 8);
    return false;
}

void test_process_vectors(void)
{
    FILE *f = fopen(PROCESS_VECTORS, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512];
    uint8_t magic[16];
    size_t magic_n = 0;
    int lines = 0;
    uint8_t record[256];
    size_t record_n;
    while ((record_n = next_vector(f, line, sizeof line, record, sizeof record)) > 0) {
        char *words[MAX_WORDS];
        int n = 0;
        for (char *word = strtok(line, " "); word && n < MAX_WORDS; word = strtok(NULL, " "))
            words[n++] = word;
        if (strcmp(words[0], "magic") == 0) {
            CHECK(record_n == PD_MAGIC_SIZE && memcmp(record, PD_MAGIC, PD_MAGIC_SIZE) == 0);
            memcpy(magic, record, magic_n = record_n);
            continue;
        }
        CHECK(magic_n == PD_MAGIC_SIZE && record_n >= PD_RECORD_HEADER_SIZE);
        uint8_t whole[512];
        size_t whole_n = 0;
        memcpy(whole, magic, magic_n);
        whole_n += magic_n;
        if (strcmp(words[0], "arg") != 0) {
            memcpy(whole + whole_n, filler, sizeof filler);
            whole_n += sizeof filler;
        }
        memcpy(whole + whole_n, record, record_n);
        whole_n += record_n;
        struct process_description pd;
        char err[256] = "";
        int parsed = process_description_parse(whole, whole_n, &pd, err, sizeof err);
        CHECK(parsed == 0);
        if (parsed != 0) {
            fprintf(stderr, "  %s: %s\n", words[0], err);
            continue;
        }
        bool ok = holds(&pd, words, n);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  process-vectors.txt line '%s ...' parsed to something else\n", words[0]);
        process_description_free(&pd);
        lines++;
    }
    fclose(f);
    CHECK(lines >= 24);
}
