// Seccomp allowlists, one per thread kind.
#ifndef COS_SECCOMP_H
#define COS_SECCOMP_H

#include <stddef.h>

/// Allows the calling thread only the syscalls listed (x86_64 numbers);
/// any other ends the process with a line naming it (exit status 125),
/// and any syscall of another ABI kills it with SIGSYS.
/// Sets PR_SET_NO_NEW_PRIVS first. Returns 0, or -1 with errno set.
int cos_seccomp_allow_only(const int *syscalls, int count);
/// The vCPU threads' allowlist (seccomp.c says why each is there); its
/// length goes to `count`.
const int *cos_vcpu_syscall_list(int *count);

#endif
