#include "copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st)
{
    int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
    if (out < 0) {
        int saved = errno;
        close(in);
        errno = saved;
        return -1;
    }
    char buffer[65536];
    ssize_t n;
    int r = 0;
    while ((n = read(in, buffer, sizeof buffer)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -1;
            break;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buffer + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                r = -1;
                break;
            }
            done += w;
        }
        if (r < 0)
            break;
    }
    int saved = errno;
    close(in);
    close(out);
    errno = saved;
    return r;
}

/* Owner, then mode (chown clears set-id bits), then times; not for symlinks' modes. */
static int copy_metadata(int dst_dir, const char *name, const struct stat *st)
{
    if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (!S_ISLNK(st->st_mode) && fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0)
        return -1;
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    return utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
}

static int copy_entry(int src_dir, int dst_dir, const char *name)
{
    struct stat st;
    if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(dst_dir, name, 0700) < 0)
            return -1;
        int src = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int dst = src < 0 ? -1 : openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r = dst < 0 ? -1 : copy_tree(src, dst);
        int saved = errno;
        if (src >= 0)
            close(src);
        if (dst >= 0)
            close(dst);
        errno = saved;
        if (r < 0)
            return -1;
    } else if (S_ISREG(st.st_mode)) {
        if (copy_file(src_dir, dst_dir, name, &st) < 0)
            return -1;
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlinkat(src_dir, name, target, sizeof target - 1);
        if (n < 0)
            return -1;
        target[n] = 0;
        if (symlinkat(target, dst_dir, name) < 0)
            return -1;
    } else if (mknodat(dst_dir, name, st.st_mode, st.st_rdev) < 0) {
        return -1;
    }
    return copy_metadata(dst_dir, name, &st);
}

int copy_tree(int src_fd, int dst_fd)
{
    int listing = dup(src_fd);
    DIR *dir = listing < 0 ? NULL : fdopendir(listing);
    if (!dir) {
        if (listing >= 0)
            close(listing);
        return -1;
    }
    int r = 0;
    struct dirent *entry;
    errno = 0;
    while (r == 0 && (entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        r = copy_entry(src_fd, dst_fd, entry->d_name);
    }
    int saved = errno;
    closedir(dir);
    errno = saved;
    return r;
}
