#include "ports.h"

#include "devices.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SYSFS_PORTS "/sys/class/virtio-ports"

/* Reads a sysfs attribute, without the trailing newline. */
static bool read_attribute(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = 0;
    if (buf[n - 1] == '\n')
        buf[n - 1] = 0;
    return true;
}

int ports_find(const char *name, char *path, size_t cap)
{
    DIR *dir = opendir(SYSFS_PORTS);
    if (!dir)
        return -1;
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(dir)) != NULL) {
        if (strncmp(e->d_name, "vport", 5) != 0)
            continue;
        char attr[300], value[256];
        snprintf(attr, sizeof attr, SYSFS_PORTS "/%s/name", e->d_name);
        char device[300];
        if (read_attribute(attr, value, sizeof value) && strcmp(value, name) == 0 &&
            (size_t)snprintf(path, cap, "%s", devices_guest_path(e->d_name, device, sizeof device)) < cap)
            found = 0;
    }
    closedir(dir);
    return found;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Retries check until it succeeds or timeout_ms passes; short sleeps first, since the wait is usually brief. */
static int retry(int (*check)(const void *, char *, size_t), const void *arg, char *out, size_t cap,
                 int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    long delay_us = 100;
    for (;;) {
        if (check(arg, out, cap) == 0)
            return 0;
        if (now_ms() >= deadline)
            return -1;
        usleep((useconds_t)delay_us);
        if (delay_us < 10000)
            delay_us *= 2;
    }
}

static int check_port(const void *name, char *path, size_t cap) { return ports_find(name, path, cap); }

static int check_path(const void *path, char *out, size_t cap)
{
    (void)out;
    (void)cap;
    return access(path, F_OK);
}

int ports_wait(const char *name, char *path, size_t cap, int timeout_ms)
{
    return retry(check_port, name, path, cap, timeout_ms);
}

int path_wait(const char *path, int timeout_ms) { return retry(check_path, path, NULL, 0, timeout_ms); }
