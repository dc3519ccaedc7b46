// A seccomp allowlist for the calling thread: the syscalls listed are
// allowed; any other ends the whole process with one line naming it
// (SIGSYS, caught only to say which syscall, then exit 125); a syscall made
// in another ABI (x32, i386 int 0x80), which the numbers below would not
// describe, kills it outright.
#include "cos_seccomp.h"

#include <errno.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// Runs on the offending thread, under its filter: write and exit_group only.
static void report_forbidden_syscall(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    (void)context;
    static const char prefix[] = "vmm: syscall ";
    static const char suffix[] = " is outside this thread's seccomp filter: a bug in vmm, please report it\n";
    char line[160];
    size_t length = sizeof prefix - 1;
    memcpy(line, prefix, length);
    char digits[12];
    int count = 0;
    unsigned number = (unsigned)info->si_syscall;
    do { digits[count++] = (char)('0' + number % 10); number /= 10; } while (number && count < 11);
    while (count) line[length++] = digits[--count];
    memcpy(line + length, suffix, sizeof suffix - 1);
    length += sizeof suffix - 1;
    ssize_t ignored = write(2, line, length);
    (void)ignored;
    _exit(125);
}

int cos_seccomp_allow_only(const int *syscalls, int count)
{
    if (count < 0 || count > 200) { errno = EINVAL; return -1; }
    // arch check (3) + load nr (1) + one jump per syscall
    // + open/openat refused (4) + kill + allow
    int length = 3 + 1 + count + 4 + 2;
    struct sock_filter *program = calloc((size_t)length, sizeof *program);
    if (!program) return -1;
    int at = 0;
    program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (int i = 0; i < count; i++) {
        // Jump to the final ALLOW on a match: it sits (count - i + 4) further on.
        program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)syscalls[i], (unsigned char)(count - i + 4), 0);
    }
    // glibc opens /proc/sys/vm/overcommit_memory the first time it trims a
    // heap, which can happen on any thread: refused, it just does not trim.
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 2, 0);
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 1, 0);
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    // The thread cannot change this handler afterwards (rt_sigaction is not
    // on any list), and a blocked SIGSYS is forced through by the kernel.
    struct sigaction action = { .sa_sigaction = report_forbidden_syscall, .sa_flags = SA_SIGINFO };
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSYS, &action, NULL) < 0) { free(program); return -1; }
    struct sock_fprog fprog = { .len = (unsigned short)length, .filter = program };
    int result = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (result == 0) result = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
    int saved = errno;
    free(program);
    errno = saved;
    return result;
}

// What a vCPU thread may ask of the kernel once it runs the guest. Found
// with `strace -f` over every firmware guest and the Linux boot path, and
// kept to what the exit path does (docs/security.md).
static const int vcpu_syscalls[] = {
    // KVM_RUN and the register reads of a crash report.
    SYS_ioctl,
    // Device output (the UART to stdout), eventfds (stop latch, irqfds),
    // waiting on the vhost-user connector at DRIVER_OK, the pause gate.
    SYS_read, SYS_write, SYS_poll, SYS_ppoll,
    // vhost-user messages when the guest starts or resets virtio-fs queues.
    SYS_sendmsg, SYS_recvmsg, SYS_close,
    // The allocator, locks, clocks and Swift's hashing seed.
    SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_brk, SYS_mremap,
    SYS_futex, SYS_clock_gettime, SYS_gettimeofday, SYS_getrandom, SYS_sched_yield,
    SYS_gettid, SYS_getpid, SYS_clock_nanosleep, SYS_nanosleep,
    // The kick signal, a wait resumed after SIGSTOP/SIGCONT or a debugger,
    // and the thread's own end.
    SYS_rt_sigreturn, SYS_restart_syscall, SYS_rt_sigprocmask, SYS_exit, SYS_exit_group,
};
const int *cos_vcpu_syscall_list(int *count)
{
    *count = (int)(sizeof vcpu_syscalls / sizeof vcpu_syscalls[0]);
    return vcpu_syscalls;
}
