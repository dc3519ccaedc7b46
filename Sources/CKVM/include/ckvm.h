// C shim over <linux/kvm.h>: the parts Swift cannot import directly.
// ioctl(2) is variadic and the _IO* request macros are function-like, so
// both are re-exported here as plain functions and constants.
#ifndef CKVM_H
#define CKVM_H

#include <linux/kvm.h>
#include <stdint.h>
#include <stddef.h>

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
extern const unsigned long CKVM_GET_CLOCK;
extern const unsigned long CKVM_SET_CLOCK;

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
/* The host CPU's own CPUID leaf (subleaf 0): regs = eax, ebx, ecx, edx. */
void ckvm_host_cpuid(uint32_t leaf, uint32_t regs[4]);
/// Allocates a kvm_msrs with room for `capacity` entries (free with free()).
struct kvm_msrs *ckvm_msrs_alloc(uint32_t capacity);
struct kvm_msr_entry *ckvm_msrs_entry(struct kvm_msrs *msrs, uint32_t index);

#endif
