// C shim over <linux/kvm.h>: the parts Swift cannot import directly.
// ioctl(2) is variadic and the _IO* request macros are function-like, so
// both are re-exported here as plain functions and constants.
#ifndef CKVM_H
#define CKVM_H

#include <linux/kvm.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/eventfd.h>  // eventfd(2) is not in Swift's Glibc module
#include <sys/signalfd.h>  // nor is signalfd(2)

// MARK: ioctl requests (system fd)
extern const unsigned long CKVM_GET_API_VERSION;
extern const unsigned long CKVM_CREATE_VM;
extern const unsigned long CKVM_CHECK_EXTENSION;
extern const unsigned long CKVM_GET_VCPU_MMAP_SIZE;
extern const unsigned long CKVM_GET_SUPPORTED_CPUID;

// MARK: ioctl requests (VM fd)
extern const unsigned long CKVM_CREATE_VCPU;
extern const unsigned long CKVM_SET_USER_MEMORY_REGION;
extern const unsigned long CKVM_SET_TSS_ADDR;
extern const unsigned long CKVM_SET_IDENTITY_MAP_ADDR;
extern const unsigned long CKVM_CREATE_IRQCHIP;
extern const unsigned long CKVM_CREATE_PIT2;
extern const unsigned long CKVM_IRQ_LINE;
extern const unsigned long CKVM_IRQFD;
extern const unsigned long CKVM_IOEVENTFD;

extern const unsigned int CKVM_IOEVENTFD_FLAG_DATAMATCH;
extern const unsigned int CKVM_IOEVENTFD_FLAG_PIO;

// MARK: ioctl requests (vCPU fd)
extern const unsigned long CKVM_RUN;
extern const unsigned long CKVM_GET_REGS;
extern const unsigned long CKVM_SET_REGS;
extern const unsigned long CKVM_GET_SREGS;
extern const unsigned long CKVM_SET_SREGS;
extern const unsigned long CKVM_SET_CPUID2;
extern const unsigned long CKVM_SET_MSRS;
extern const unsigned long CKVM_GET_MSRS;
extern const unsigned long CKVM_SET_FPU;
extern const unsigned long CKVM_GET_LAPIC;
extern const unsigned long CKVM_SET_LAPIC;

/// ioctl with a pointer argument. Returns -1 and leaves errno set on failure.
int ckvm_ioctl_ptr(int fd, unsigned long request, void *argument);
/// ioctl with an integer argument (or none: pass 0).
int ckvm_ioctl_val(int fd, unsigned long request, unsigned long argument);

// MARK: kvm_run accessors (the exit data lives in an anonymous union)

typedef struct {
    uint8_t direction;   // KVM_EXIT_IO_IN / KVM_EXIT_IO_OUT
    uint8_t size;        // bytes per access: 1, 2 or 4
    uint16_t port;
    uint32_t count;      // repetitions (string instructions)
    uint64_t data_offset; // from the start of the kvm_run mapping
} ckvm_io_exit;

typedef struct {
    uint64_t phys_addr;
    uint32_t len;
    uint8_t is_write;
} ckvm_mmio_exit;

uint32_t ckvm_run_exit_reason(const struct kvm_run *run);
ckvm_io_exit ckvm_run_io(const struct kvm_run *run);
ckvm_mmio_exit ckvm_run_mmio(const struct kvm_run *run);
/// The 8-byte buffer an MMIO exit reads from / writes into.
uint8_t *ckvm_run_mmio_data(struct kvm_run *run);
uint32_t ckvm_run_internal_suberror(const struct kvm_run *run);
/// Copies up to `max` words of internal-error data; returns how many exist.
uint32_t ckvm_run_internal_data(const struct kvm_run *run, uint64_t *out, uint32_t max);
uint64_t ckvm_run_fail_entry_reason(const struct kvm_run *run);
uint32_t ckvm_run_fail_entry_cpu(const struct kvm_run *run);
uint32_t ckvm_run_system_event_type(const struct kvm_run *run);
uint64_t ckvm_run_hardware_exit_reason(const struct kvm_run *run);
/// Makes the next (or current, once kicked) KVM_RUN return EINTR at once.
void ckvm_run_set_immediate_exit(struct kvm_run *run, uint8_t value);

// MARK: flexible-array structs

/// Allocates a kvm_cpuid2 with room for `capacity` entries (free with free()).
struct kvm_cpuid2 *ckvm_cpuid2_alloc(uint32_t capacity);
struct kvm_cpuid_entry2 *ckvm_cpuid2_entry(struct kvm_cpuid2 *cpuid, uint32_t index);
/// Allocates a kvm_msrs with room for `capacity` entries (free with free()).
struct kvm_msrs *ckvm_msrs_alloc(uint32_t capacity);
struct kvm_msr_entry *ckvm_msrs_entry(struct kvm_msrs *msrs, uint32_t index);

// MARK: host helpers glibc does not export to Swift

/// memfd_create(2): guest memory must be a shareable fd (virtiofsd maps it).
int ckvm_memfd_create(const char *name, unsigned int flags);
extern const unsigned int CKVM_MFD_CLOEXEC;

// MARK: Unix sockets

/// A connected (close-on-exec) stream socket to `path`; -1 with errno
/// (ENAMETOOLONG when the path does not fit sockaddr_un).
int ckvm_unix_connect(const char *path);
/// A listening (close-on-exec) stream socket bound at `path`; -1 with errno.
int ckvm_unix_listen(const char *path, int backlog);

// MARK: Unix sockets with file descriptors (vhost-user passes fds by SCM_RIGHTS)

/// sendmsg with up to `nfds` descriptors attached. Returns bytes sent or -1.
long ckvm_send_with_fds(int socket, const void *data, size_t length, const int *fds, int nfds);
/// recvmsg; stores up to `max_fds` received descriptors (close-on-exec) in
/// `fds` and their count in `*nfds`. Returns bytes received or -1.
long ckvm_recv_with_fds(int socket, void *data, size_t length, int *fds, int max_fds, int *nfds);

// MARK: helper processes

/// Starts `path` with `argv`/`envp` (NULL-terminated) as a child that gets
/// SIGKILL if the calling thread dies (PR_SET_PDEATHSIG), in a new process
/// group, with stdin on /dev/null and stdout/stderr on `output_fd` (-1:
/// /dev/null). With `readonly_dir`, the child gets its own mount namespace
/// in which that directory (and all below it) is read-only: for a helper
/// that has no read-only mode of its own. Returns the pid, or -1 with errno set.
int ckvm_spawn_tethered(const char *path, char *const argv[], char *const envp[], int output_fd, const char *readonly_dir);
/// Closes every descriptor from `lowest` up (close_range(2), else one by
/// one): a long-lived process must not hold its starter's pipes open.
void ckvm_close_from(int lowest);
/// A new pseudo-terminal: returns the master (close-on-exec) and writes the
/// slave's path into `name`; -1 with errno on failure.
int ckvm_open_pty(char *name, size_t length);
/// Makes `fd` (a terminal) the calling session leader's controlling terminal.
int ckvm_set_controlling_terminal(int fd);
/// pidfd_open(2): a descriptor that becomes readable when `pid` exits.
int ckvm_pidfd_open(int pid);
/// pidfd_send_signal(2): signals exactly that process, even if its pid was reused.
int ckvm_pidfd_send_signal(int pidfd, int signal);

/// Allows the calling thread only the syscalls listed (x86_64 numbers);
/// any other ends the process with a line naming it (exit status 125),
/// and any syscall of another ABI kills it with SIGSYS.
/// Sets PR_SET_NO_NEW_PRIVS first. Returns 0, or -1 with errno set.
int ckvm_seccomp_allow_only(const int *syscalls, int count);
/// The vCPU threads' allowlist (seccomp.c says why each is there); its
/// length goes to `count`.
const int *ckvm_vcpu_syscall_list(int *count);

#endif
