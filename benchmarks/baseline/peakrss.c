/*
 * peakrss RESULT CMD [ARG...]: run CMD, exit with its status (128+signal
 * if killed), and write "WALL_NS MAXRSS_KIB" to the file RESULT.
 *
 * Why not just os.wait4 from Python: a child's ru_maxrss includes the
 * memory of the process it was forked from (fork copies the parent's
 * resident pages; vfork+exec counts the parent's peak outright), so
 * every command spawned by Python reads at least ~10 MiB. Forking from
 * this small static program keeps that floor well under 1 MiB.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s RESULT CMD [ARG...]\n", argv[0]); return 2; }
    long long start = now_ns();
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) { perror("wait4"); return 2; }
    long long wall = now_ns() - start;

    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%lld %ld\n", wall, ru.ru_maxrss) < 0 || fclose(out)) {
        perror(argv[1]);
        return 2;
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
