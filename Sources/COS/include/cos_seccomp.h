// Seccomp allowlists, one per thread kind.
#ifndef COS_SECCOMP_H
#define COS_SECCOMP_H

enum cos_thread_kind {
    COS_THREAD_VCPU = 0,
    COS_THREAD_OUTPUT_WRITER = 1,
    COS_THREAD_EVENT_LOOP = 2,
};

/// Allows the calling thread only its kind's syscalls (seccomp.c lists
/// them, with why); any other ends the process with a line naming it
/// (exit status 125), and any syscall of another ABI kills it with SIGSYS.
/// Drops the thread's capabilities and sets PR_SET_NO_NEW_PRIVS first
/// (cos_drop_capabilities). Returns 0, or -1 with errno set.
int cos_seccomp_install(enum cos_thread_kind kind);

#endif
