#define _GNU_SOURCE
#include "ckvm.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

const unsigned long CKVM_GET_API_VERSION = KVM_GET_API_VERSION;
const unsigned long CKVM_CREATE_VM = KVM_CREATE_VM;
const unsigned long CKVM_CHECK_EXTENSION = KVM_CHECK_EXTENSION;
const unsigned long CKVM_GET_VCPU_MMAP_SIZE = KVM_GET_VCPU_MMAP_SIZE;
const unsigned long CKVM_GET_SUPPORTED_CPUID = KVM_GET_SUPPORTED_CPUID;

const unsigned long CKVM_CREATE_VCPU = KVM_CREATE_VCPU;
const unsigned long CKVM_SET_USER_MEMORY_REGION = KVM_SET_USER_MEMORY_REGION;
const unsigned long CKVM_SET_TSS_ADDR = KVM_SET_TSS_ADDR;
const unsigned long CKVM_SET_IDENTITY_MAP_ADDR = KVM_SET_IDENTITY_MAP_ADDR;
const unsigned long CKVM_CREATE_IRQCHIP = KVM_CREATE_IRQCHIP;
const unsigned long CKVM_CREATE_PIT2 = KVM_CREATE_PIT2;
const unsigned long CKVM_IRQ_LINE = KVM_IRQ_LINE;
const unsigned long CKVM_IRQFD = KVM_IRQFD;
const unsigned long CKVM_GET_CLOCK = KVM_GET_CLOCK;
const unsigned long CKVM_SET_CLOCK = KVM_SET_CLOCK;
const unsigned long CKVM_IOEVENTFD = KVM_IOEVENTFD;

const unsigned int CKVM_IOEVENTFD_FLAG_DATAMATCH = KVM_IOEVENTFD_FLAG_DATAMATCH;
const unsigned int CKVM_IOEVENTFD_FLAG_PIO = KVM_IOEVENTFD_FLAG_PIO;

const unsigned long CKVM_RUN = KVM_RUN;
const unsigned long CKVM_GET_REGS = KVM_GET_REGS;
const unsigned long CKVM_SET_REGS = KVM_SET_REGS;
const unsigned long CKVM_GET_SREGS = KVM_GET_SREGS;
const unsigned long CKVM_SET_SREGS = KVM_SET_SREGS;
const unsigned long CKVM_SET_CPUID2 = KVM_SET_CPUID2;
const unsigned long CKVM_SET_MSRS = KVM_SET_MSRS;
const unsigned long CKVM_GET_MSRS = KVM_GET_MSRS;
const unsigned long CKVM_SET_FPU = KVM_SET_FPU;
const unsigned long CKVM_GET_LAPIC = KVM_GET_LAPIC;
const unsigned long CKVM_SET_LAPIC = KVM_SET_LAPIC;


int ckvm_ioctl_ptr(int fd, unsigned long request, void *argument) {
    return ioctl(fd, request, argument);
}

int ckvm_ioctl_val(int fd, unsigned long request, unsigned long argument) {
    return ioctl(fd, request, argument);
}

uint32_t ckvm_run_exit_reason(const struct kvm_run *run) { return run->exit_reason; }

ckvm_io_exit ckvm_run_io(const struct kvm_run *run) {
    ckvm_io_exit io = {
        .direction = run->io.direction,
        .size = run->io.size,
        .port = run->io.port,
        .count = run->io.count,
        .data_offset = run->io.data_offset,
    };
    return io;
}

ckvm_mmio_exit ckvm_run_mmio(const struct kvm_run *run) {
    ckvm_mmio_exit mmio = {
        .phys_addr = run->mmio.phys_addr,
        .len = run->mmio.len,
        .is_write = run->mmio.is_write,
    };
    return mmio;
}

uint8_t *ckvm_run_mmio_data(struct kvm_run *run) { return run->mmio.data; }

uint32_t ckvm_run_internal_suberror(const struct kvm_run *run) { return run->internal.suberror; }

uint32_t ckvm_run_internal_data(const struct kvm_run *run, uint64_t *out, uint32_t max) {
    uint32_t n = run->internal.ndata;
    uint32_t limit = sizeof(run->internal.data) / sizeof(run->internal.data[0]);
    if (n > limit) n = limit;  // ndata comes from the kernel; never trust it past the array
    for (uint32_t i = 0; i < n && i < max; i++) out[i] = run->internal.data[i];
    return n;
}

uint64_t ckvm_run_fail_entry_reason(const struct kvm_run *run) {
    return run->fail_entry.hardware_entry_failure_reason;
}

uint32_t ckvm_run_fail_entry_cpu(const struct kvm_run *run) { return run->fail_entry.cpu; }

uint32_t ckvm_run_system_event_type(const struct kvm_run *run) { return run->system_event.type; }

uint64_t ckvm_run_hardware_exit_reason(const struct kvm_run *run) { return run->hw.hardware_exit_reason; }

void ckvm_run_set_immediate_exit(struct kvm_run *run, uint8_t value) {
    __atomic_store_n(&run->immediate_exit, value, __ATOMIC_SEQ_CST);
}

struct kvm_cpuid2 *ckvm_cpuid2_alloc(uint32_t capacity) {
    size_t size = sizeof(struct kvm_cpuid2) + capacity * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *cpuid = calloc(1, size);
    if (cpuid) cpuid->nent = capacity;
    return cpuid;
}

struct kvm_cpuid_entry2 *ckvm_cpuid2_entry(struct kvm_cpuid2 *cpuid, uint32_t index) {
    return index < cpuid->nent ? &cpuid->entries[index] : NULL;
}

struct kvm_msrs *ckvm_msrs_alloc(uint32_t capacity) {
    size_t size = sizeof(struct kvm_msrs) + capacity * sizeof(struct kvm_msr_entry);
    struct kvm_msrs *msrs = calloc(1, size);
    if (msrs) msrs->nmsrs = capacity;
    return msrs;
}

struct kvm_msr_entry *ckvm_msrs_entry(struct kvm_msrs *msrs, uint32_t index) {
    return index < msrs->nmsrs ? &msrs->entries[index] : NULL;
}


void ckvm_host_cpuid(uint32_t leaf, uint32_t regs[4]) {
#if defined(__x86_64__)
    __asm__ volatile("cpuid" : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3]) : "a"(leaf), "c"(0));
#else
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
#endif
}
