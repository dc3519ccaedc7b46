// Seccomp allowlists, one per thread kind: the syscalls listed are allowed
// (ioctl only with the requests listed, where the kind's set is closed);
// any other ends the whole process with one line naming it (SIGSYS, caught
// only to say which, then exit 125); a syscall made in another ABI (x32,
// i386 int 0x80), which the numbers below would not describe, kills it
// outright.
#define _GNU_SOURCE  // REG_RSI
#include "cos_seccomp.h"
#include "cos_sandbox.h"

#include <errno.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vhost.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static size_t append_text(char *line, size_t length, const char *text)
{
    size_t n = strlen(text);
    memcpy(line + length, text, n);
    return length + n;
}

static size_t append_number(char *line, size_t length, unsigned long number, unsigned base)
{
    char digits[24];
    int count = 0;
    do { digits[count++] = "0123456789abcdef"[number % base]; number /= base; } while (number && count < 23);
    while (count) line[length++] = digits[--count];
    return length;
}

// Runs on the offending thread, under its filter: write and exit_group only.
static void report_forbidden_syscall(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    char line[192];
    size_t length = append_text(line, 0, "vmm: ");
    if (info->si_syscall == SYS_ioctl) {
        // The request is the second argument, in rsi at the syscall.
        const ucontext_t *registers = context;
        length = append_text(line, length, "ioctl 0x");
        length = append_number(line, length, (unsigned long)registers->uc_mcontext.gregs[REG_RSI], 16);
    } else {
        length = append_text(line, length, "syscall ");
        length = append_number(line, length, (unsigned)info->si_syscall, 10);
    }
    length = append_text(line, length, " is outside this thread's seccomp filter: a bug in vmm, please report it\n");
    ssize_t ignored = write(2, line, length);
    (void)ignored;
    _exit(125);
}

// A syscall allowed only when (args[argument] & mask) == value, on the
// argument's lower 32 bits (flags, a family, a pid).
struct argument_rule {
    int syscall;
    int argument;
    unsigned mask;
    unsigned value;
};

struct thread_filter {
    const int *syscalls;
    int count;
    // With ioctl among the syscalls: the only requests allowed (NULL: any).
    const unsigned long *ioctls;
    int ioctl_count;
    const struct argument_rule *rules;
    int rule_count;
    // Answered ENOSYS, so that glibc falls back to a call the rules can
    // check (clone3's flags sit behind a pointer; clone's do not).
    const int *unsupported;
    int unsupported_count;
};

#define MAXIMUM_PROGRAM 256

// The program, in order: the ABI check; the ioctl request check (when the
// kind's requests are closed); the argument rules; the ENOSYS answers; one
// jump per syscall; open/openat refused with EACCES; TRAP; ALLOW. BPF
// jumps only forward, 255 at most.
static int install(const struct thread_filter *filter)
{
    struct sock_filter program[MAXIMUM_PROGRAM];
    int ioctl_block = filter->ioctls ? 5 + filter->ioctl_count : 0;
    int length = 3 + 1 + ioctl_block + 4 * filter->rule_count + 2 * filter->unsupported_count + filter->count + 4 + 2;
    if (length > MAXIMUM_PROGRAM) { errno = EINVAL; return -1; }
    const int trap = length - 2, allow = length - 1;
    int at = 0;
#define JUMP_TO(target) ((unsigned char)((target) - at - 1))
    program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    if (filter->ioctls) {
        const int after = at + ioctl_block;  // A still holds nr there
        program[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, JUMP_TO(after)); at++;
        // The request's upper half must be zero, its lower half on the list.
        program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]) + 4);
        program[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, JUMP_TO(trap)); at++;
        program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
        for (int i = 0; i < filter->ioctl_count; i++) {
            program[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)filter->ioctls[i], JUMP_TO(allow), 0); at++;
        }
        program[at] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, (unsigned)(trap - at - 1)); at++;
    }
    for (int i = 0; i < filter->rule_count; i++) {
        const struct argument_rule *rule = &filter->rules[i];
        // Not this syscall: on, with A still holding nr. This one: its argument decides.
        program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)rule->syscall, 0, 3);
        program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 8 * rule->argument);
        program[at++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, rule->mask);
        program[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, rule->value, JUMP_TO(allow), JUMP_TO(trap)); at++;
    }
    for (int i = 0; i < filter->unsupported_count; i++) {
        program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)filter->unsupported[i], 0, 1);
        program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    }
    for (int i = 0; i < filter->count; i++) {
        program[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)filter->syscalls[i], JUMP_TO(allow), 0); at++;
    }
    // glibc opens /proc/sys/vm/overcommit_memory the first time it trims a
    // heap, which can happen on any thread: refused, it just does not trim.
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 2, 0);
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 1, 0);
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
#undef JUMP_TO
    // The thread cannot change this handler afterwards (rt_sigaction is not
    // on any list), and a blocked SIGSYS is forced through by the kernel.
    struct sigaction action = { .sa_sigaction = report_forbidden_syscall, .sa_flags = SA_SIGINFO };
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSYS, &action, NULL) < 0) return -1;
    struct sock_fprog fprog = { .len = (unsigned short)at, .filter = program };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
}

// Every thread: the allocator, locks, clocks, Swift's hashing seed, and
// the thread's own end (or a wait resumed after SIGSTOP/SIGCONT).
#define COMMON_SYSCALLS \
    SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_brk, SYS_mremap, \
    SYS_futex, SYS_clock_gettime, SYS_gettimeofday, SYS_getrandom, SYS_sched_yield, \
    SYS_gettid, SYS_getpid, SYS_rt_sigreturn, SYS_restart_syscall, SYS_rt_sigprocmask, \
    SYS_exit, SYS_exit_group

// What a vCPU thread may ask of the kernel once it runs the guest. Found
// with `strace -f` over every firmware guest and the Linux boot path, and
// kept to what the exit path does (docs/security.md).
static const int vcpu_syscalls[] = {
    // KVM_RUN and the register reads of a crash report (requests below).
    SYS_ioctl,
    // Device output (the UART to stdout), eventfds (stop latch, irqfds),
    // waiting on the vhost-user connector at DRIVER_OK, the pause gate.
    SYS_read, SYS_write, SYS_poll, SYS_ppoll,
    // vhost-user messages when the guest starts or resets virtio-fs queues.
    SYS_sendmsg, SYS_recvmsg, SYS_close,
    // The kick signal's waits.
    SYS_clock_nanosleep, SYS_nanosleep,
    COMMON_SYSCALLS,
};
// The virtio-net device's DRIVER_OK and reset run on the vCPU thread that
// writes the status: the TAP takes the header size and offloads, vhost-net
// the features, memory table and rings (and gives them back). Nothing
// else: no terminal request (TIOCSTI would type into the user's terminal
// under --tty), no VM-wide request (memory slots, irqfds).
static const unsigned long vcpu_ioctls[] = {
    KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS,
    TUNSETVNETHDRSZ, TUNSETOFFLOAD,
    VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE, VHOST_SET_VRING_NUM, VHOST_SET_VRING_BASE, VHOST_SET_VRING_ADDR,
    VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL, VHOST_NET_SET_BACKEND, VHOST_GET_VRING_BASE,
};

// An output writer (BufferedFileOutput): waits on its eventfd, writes to
// its descriptor (poll when it is non-blocking and full), rings the event
// loop's eventfd. No ioctl at all.
static const int output_writer_syscalls[] = {
    SYS_read, SYS_write, SYS_poll, SYS_ppoll,
    COMMON_SYSCALLS,
};

// The event loop once the monitor is sandboxed (ProcessSandbox, at
// START): found with `strace -f` over the OCI verbs (start, exec, exec -t,
// pause, resume, kill, the end) and the full-boot suites. Its filter is
// inherited by the exec writers it starts later, which install their own.
static const int event_loop_syscalls[] = {
    // Its descriptors: eventfds, signalfd, the virtqueues' kicks, stdio,
    // the monitor socket's connections (accept, their timeout), exec relays.
    SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_poll, SYS_ppoll,
    SYS_accept, SYS_accept4, SYS_close, SYS_setsockopt, SYS_getsockopt, SYS_shutdown,
    SYS_sendmsg, SYS_recvmsg, SYS_fcntl, SYS_dup, SYS_dup3, SYS_eventfd2,
    // Requests checked below.
    SYS_ioctl,
    // state.json, written whole and renamed; virtiofsd's runtime directory
    // removed at the end (the sandbox shows nothing else to open).
    SYS_openat, SYS_rename, SYS_unlink, SYS_rmdir, SYS_fsync, SYS_lseek, SYS_fstat, SYS_newfstatat, SYS_statx,
    SYS_getdents64,
    // The tc redirect undone at the end (netlink; socket is checked below).
    SYS_sendto, SYS_recvfrom, SYS_bind, SYS_getsockname,
    // virtiofsd (its pidfd) and the end of its children.
    SYS_pidfd_send_signal, SYS_wait4, SYS_waitid,
    // An exec's writer thread: its start, and the capability drop and
    // filter it installs on itself.
    SYS_set_robust_list, SYS_rseq, SYS_rt_sigaction, SYS_sigaltstack, SYS_seccomp, SYS_prctl, SYS_capget, SYS_capset,
    SYS_sched_getaffinity,
    // Waits (a helper's exit, the pause gate).
    SYS_clock_nanosleep, SYS_nanosleep,
    SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
    COMMON_SYSCALLS,
};
// Pause and resume hold the guest's clock; terminal sizes; the vCPU
// thread's device requests (a device may also be stopped from here at
// the end). No TIOCSTI, no memory slots, no new vCPUs or devices.
static const unsigned long event_loop_ioctls[] = {
    KVM_GET_CLOCK, KVM_SET_CLOCK, KVM_IRQ_LINE, KVM_SIGNAL_MSI, KVM_GET_REGS, KVM_GET_SREGS,
    TIOCGWINSZ, TIOCSWINSZ, TCGETS, TCSETS, TCSETSW, FIONREAD, FIONBIO,
    TUNSETVNETHDRSZ, TUNSETOFFLOAD,
    VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE, VHOST_SET_VRING_NUM, VHOST_SET_VRING_BASE, VHOST_SET_VRING_ADDR,
    VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL, VHOST_NET_SET_BACKEND, VHOST_GET_VRING_BASE,
};
// New threads only (no fork: a process started here would run unconfined
// by what the sandbox cannot give a child), signals only within this
// process (value filled in at install), netlink sockets only.
static struct argument_rule event_loop_rules[] = {
    { SYS_tgkill, 0, 0xffffffffu, 0 },
    { SYS_clone, 0, CLONE_THREAD, CLONE_THREAD },
    { SYS_socket, 0, 0xffffffffu, AF_NETLINK },
};
static const int event_loop_unsupported[] = { SYS_clone3 };

int cos_seccomp_install(enum cos_thread_kind kind)
{
    struct thread_filter filter;
    switch (kind) {
    case COS_THREAD_VCPU:
        filter = (struct thread_filter){ vcpu_syscalls, sizeof vcpu_syscalls / sizeof *vcpu_syscalls,
                                         vcpu_ioctls, sizeof vcpu_ioctls / sizeof *vcpu_ioctls };
        break;
    case COS_THREAD_OUTPUT_WRITER:
        filter = (struct thread_filter){ output_writer_syscalls, sizeof output_writer_syscalls / sizeof *output_writer_syscalls, NULL, 0 };
        break;
    case COS_THREAD_EVENT_LOOP:
        // tgkill only within this process (the pause gate's and teardown's kicks).
        event_loop_rules[0].value = (unsigned)getpid();
        filter = (struct thread_filter){
            event_loop_syscalls, sizeof event_loop_syscalls / sizeof *event_loop_syscalls,
            event_loop_ioctls, sizeof event_loop_ioctls / sizeof *event_loop_ioctls,
            event_loop_rules, sizeof event_loop_rules / sizeof *event_loop_rules,
            event_loop_unsupported, sizeof event_loop_unsupported / sizeof *event_loop_unsupported,
        };
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    // A thread that runs the guest or carries its bytes holds no
    // capability; the event loop has dropped what it drops (ProcessSandbox).
    if (kind != COS_THREAD_EVENT_LOOP && cos_drop_capabilities(0) != 0) return -1;
    return install(&filter);
}
