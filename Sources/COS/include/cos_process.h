// Helper processes tethered to vmm, inherited descriptors, pidfds.
#ifndef COS_PROCESS_H
#define COS_PROCESS_H

#include <stddef.h>

/// Starts `path` with `argv`/`envp` (NULL-terminated) as a child that gets
/// SIGKILL if the calling thread dies (PR_SET_PDEATHSIG), in a new process
/// group, with stdin on /dev/null and stdout/stderr on `output_fd` (-1:
/// /dev/null). With `readonly_dir`, the child gets its own mount namespace
/// in which that directory (and all below it) is read-only: for a helper
/// that has no read-only mode of its own. Returns the pid, or -1 with errno set.
int cos_spawn_tethered(const char *path, char *const argv[], char *const envp[], int output_fd, const char *readonly_dir);
/// Closes every descriptor from `lowest` up (close_range(2), else one by
/// one): a long-lived process must not hold its starter's pipes open.
void cos_close_from(int lowest);
/// pidfd_open(2): a descriptor that becomes readable when `pid` exits.
int cos_pidfd_open(int pid);
/// pidfd_send_signal(2): signals exactly that process, even if its pid was reused.
int cos_pidfd_send_signal(int pidfd, int signal);

#endif
