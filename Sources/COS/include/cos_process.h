// Helper processes tethered to vmm, inherited descriptors, pidfds.
#ifndef COS_PROCESS_H
#define COS_PROCESS_H

#include <spawn.h>
#include <stddef.h>

/// A bind mount made for one helper only, inside its own mount namespace:
/// `source` (a host file or directory) appears at `target`, read-only
/// (recursively) when asked, with its submounts when `recursive`.
struct cos_bind {
    const char *source;
    const char *target;
    int readonly;
    int recursive;
};

/// Starts `path` with `argv`/`envp` (NULL-terminated) as a child that gets
/// SIGKILL if the calling thread dies (PR_SET_PDEATHSIG), in a new process
/// group, with stdin on /dev/null and stdout/stderr on `output_fd` (-1:
/// /dev/null). With `readonly_dir` or binds, the child gets its own mount
/// namespace (nothing propagates back: the mounts vanish with the child):
/// in it the `binds` are made, in order, then `readonly_dir` (and all below
/// it) becomes read-only, for a helper that has no read-only mode of its
/// own. `pass_fd` (-1: none) becomes the child's fd 3. Returns the pid, or
/// -1 with errno set; 126 is the child's exit status when a mount failed.
int cos_spawn_tethered(const char *path, char *const argv[], char *const envp[], int output_fd, int pass_fd,
                       const char *readonly_dir, const struct cos_bind *binds, size_t bind_count);
/// Closes every descriptor from `lowest` up (close_range(2), else one by
/// one): a long-lived process must not hold its starter's pipes open.
void cos_close_from(int lowest);
/// posix_spawn_file_actions_addchdir_np: the child starts in `directory`
/// (a GNU extension Swift's Glibc module does not show).
int cos_spawn_actions_chdir(posix_spawn_file_actions_t *actions, const char *directory);
/// The calling thread's name (PR_SET_NAME, cut to 15 bytes).
void cos_set_thread_name(const char *name);
/// pidfd_open(2): a descriptor that becomes readable when `pid` exits.
int cos_pidfd_open(int pid);
/// pidfd_send_signal(2): signals exactly that process, even if its pid was reused.
int cos_pidfd_send_signal(int pidfd, int signal);

#endif
