/*
 * spawnrate -k K -n N [-s STATUS] -- CMD [ARG...]
 *
 * Runs CMD N times in all, at most K at once, with stdin, stdout and
 * stderr on /dev/null, and prints one JSON line: k, runs, wall_ns (first
 * spawn to last reap), vms_per_second, and each run's latency (its spawn
 * to its reap) as min/median/p90/max in ns, nearest-rank like `vmm bench`.
 * Every run must exit with STATUS (default 0); the first that does not
 * stops the rest (killed and reaped) and spawnrate exits 1 naming it.
 *
 * Why C: launching from Python costs about as much as the trivial VM being
 * measured (and serializes on the interpreter), so Python would measure
 * itself. posix_spawn here is a vfork+exec, a few tens of microseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct slot { pid_t pid; long long start_ns; };

static struct slot *slots;
static int nslots;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int usage(const char *prog)
{
    fprintf(stderr, "usage: %s -k K -n N [-s STATUS] -- CMD [ARG...]\n", prog);
    return 2;
}

/* Leaves nothing running behind an abort. */
static void kill_and_reap_all(void)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid > 0) kill(slots[i].pid, SIGKILL);
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid > 0) waitpid(slots[i].pid, NULL, 0);
}

static int compare(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the ceil(q*n)-th smallest of the sorted values. */
static long long rank(const long long *sorted, int n, int percent)
{
    int r = (int)(((long long)percent * n + 99) / 100);
    return sorted[r > 0 ? r - 1 : 0];
}

int main(int argc, char **argv)
{
    int k = 0, n = 0, expected = 0, opt;
    while ((opt = getopt(argc, argv, "+k:n:s:")) != -1) {
        switch (opt) {
        case 'k': k = atoi(optarg); break;
        case 'n': n = atoi(optarg); break;
        case 's': expected = atoi(optarg); break;
        default: return usage(argv[0]);
        }
    }
    if (k < 1 || n < 1 || optind >= argc) return usage(argv[0]);
    char **cmd = argv + optind;

    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    for (int fd = 0; fd < 3; fd++)
        posix_spawn_file_actions_addopen(&quiet, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);

    nslots = k;
    slots = calloc(k, sizeof *slots);
    long long *latency = calloc(n, sizeof *latency);
    if (!slots || !latency) { perror("calloc"); return 1; }

    int launched = 0, reaped = 0, running = 0;
    long long start = now_ns();
    while (reaped < n) {
        for (int i = 0; i < k && launched < n && running < k; i++) {
            if (slots[i].pid) continue;
            slots[i].start_ns = now_ns();
            int err = posix_spawnp(&slots[i].pid, cmd[0], &quiet, NULL, cmd, environ);
            if (err) {
                slots[i].pid = 0;
                fprintf(stderr, "spawnrate: %s: %s\n", cmd[0], strerror(err));
                kill_and_reap_all();
                return 1;
            }
            launched++;
            running++;
        }
        int status;
        pid_t pid = wait(&status);
        long long end = now_ns();
        if (pid < 0) { perror("spawnrate: wait"); kill_and_reap_all(); return 1; }
        int i = 0;
        while (i < k && slots[i].pid != pid) i++;
        if (i == k) continue; /* not ours (cannot happen: we have no other children) */
        slots[i].pid = 0;
        running--;
        latency[reaped++] = end - slots[i].start_ns;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != expected) {
            kill_and_reap_all();
            if (WIFSIGNALED(status))
                fprintf(stderr, "spawnrate: %s killed by signal %d (expected exit status %d)\n",
                        cmd[0], WTERMSIG(status), expected);
            else
                fprintf(stderr, "spawnrate: %s exited with status %d (expected %d)\n",
                        cmd[0], WEXITSTATUS(status), expected);
            return 1;
        }
    }
    long long wall = now_ns() - start;

    qsort(latency, n, sizeof *latency, compare);
    printf("{\"k\":%d,\"runs\":%d,\"wall_ns\":%lld,\"vms_per_second\":%.1f,"
           "\"latency_ns\":{\"min\":%lld,\"median\":%lld,\"p90\":%lld,\"max\":%lld}}\n",
           k, n, wall, n / (wall / 1e9), latency[0], rank(latency, n, 50),
           rank(latency, n, 90), latency[n - 1]);
    return 0;
}
