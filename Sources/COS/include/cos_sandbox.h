// The monitor's sandbox after set-up (docs/security.md): no capabilities,
// no new privileges, and a mount namespace holding only its state directory.
#ifndef COS_SANDBOX_H
#define COS_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/// Drops every capability of the calling thread but those in `keep` (a
/// mask of 1 << CAP_*): effective, permitted, inheritable, ambient, and
/// the bounding set where it may. Sets
/// PR_SET_NO_NEW_PRIVS: no execve can give them back. Per thread, as
/// Linux keeps them; threads started later inherit the result.
/// Returns 0, or -1 with errno set.
int cos_drop_capabilities(uint64_t keep);

/// Gives the calling thread (and threads it starts later) a private mount
/// namespace whose root is an empty read-only tmpfs holding nothing but
/// `keep` (an absolute, canonical directory path), bind-mounted read-write
/// at its own path, except its file `read_only` (a name; NULL: none),
/// bound read-only over itself, which then cannot be written, replaced or
/// removed from inside. Returns 0; 1 when the thread may not make a mount
/// namespace (no CAP_SYS_ADMIN: nothing changed); -1 with a reason in `err`.
int cos_confine_mounts(const char *keep, const char *read_only, char *err, size_t errlen);

#endif
