/* copy_tree in a scratch directory: what tmpcopyup must carry over. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"
#include "copyup.h"

static void put_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    chmod(path, mode);
}

static int same_text(const char *path, const char *text)
{
    char buffer[256] = "";
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    return n == (ssize_t)strlen(text) && memcmp(buffer, text, (size_t)n) == 0;
}

void test_copyup(void)
{
    char root[] = "/tmp/vmm-copyup-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char src[512], dst[512], path[600];
    snprintf(src, sizeof src, "%s/src", root);
    snprintf(dst, sizeof dst, "%s/dst", root);
    CHECK(mkdir(src, 0755) == 0 && mkdir(dst, 0755) == 0);
    snprintf(path, sizeof path, "%s/hosts", src);
    put_file(path, "127.0.0.1 localhost\n", 0640);
    snprintf(path, sizeof path, "%s/sub", src);
    CHECK(mkdir(path, 0750) == 0);
    snprintf(path, sizeof path, "%s/sub/deep", src);
    put_file(path, "deep\n", 0755);
    snprintf(path, sizeof path, "%s/link", src);
    CHECK(symlink("sub/deep", path) == 0);
    snprintf(path, sizeof path, "%s/fifo", src);
    CHECK(mkfifo(path, 0600) == 0);

    int s = open(src, O_RDONLY | O_DIRECTORY), d = open(dst, O_RDONLY | O_DIRECTORY);
    CHECK(copy_tree(s, d) == 0);
    close(s);
    close(d);

    struct stat st;
    snprintf(path, sizeof path, "%s/hosts", dst);
    CHECK(same_text(path, "127.0.0.1 localhost\n") && stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
    snprintf(path, sizeof path, "%s/sub", dst);
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750);
    snprintf(path, sizeof path, "%s/sub/deep", dst);
    CHECK(same_text(path, "deep\n") && stat(path, &st) == 0 && (st.st_mode & 07777) == 0755);
    char target[64] = "";
    snprintf(path, sizeof path, "%s/link", dst);
    CHECK(readlink(path, target, sizeof target - 1) == 8 && strcmp(target, "sub/deep") == 0);
    snprintf(path, sizeof path, "%s/fifo", dst);
    CHECK(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    /* A second copy onto the same tree fails: nothing is silently overwritten. */
    s = open(src, O_RDONLY | O_DIRECTORY);
    d = open(dst, O_RDONLY | O_DIRECTORY);
    CHECK(copy_tree(s, d) < 0);
    close(s);
    close(d);
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK(system(command) == 0);
}
