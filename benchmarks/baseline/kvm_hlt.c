/*
 * Baseline for `vmm run --firmware`: the same KVM calls the VMM makes,
 * with nothing else, so the benchmark can say what the VMM costs on top.
 *
 *   kvm_hlt IMAGE   → exits 0 on KVM_EXIT_HLT, S on a write of S to 0x501,
 *                     1 on anything else (reason on stderr), after tearing
 *                     the VM down the way vmm does.
 *
 * It also plays the UART/boot-timer/null devices just well enough to run
 * every guest in firmware/, which is how the images are checked here.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE   (16u << 20)
#define IMAGE_GPA  0x10000u
#define GDT_GPA    0x500u
#define TSS_GPA    0xfffbd000u

static int die(const char *what) { perror(what); return 1; }

struct fw_header { char magic[4]; uint16_t version, mode; uint32_t entry, flags; };

/* Flat 4 GiB code (0x08) and data (0x10) segments, as the README promises. */
static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
    *s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
        .type = type, .present = 1, .s = 1, .db = 1, .g = 1 };
}

static int setup_cpu(int vcpu, uint8_t *mem, const struct fw_header *h)
{
    struct kvm_sregs sr;
    struct kvm_regs r = { .rflags = 2 };
    if (ioctl(vcpu, KVM_GET_SREGS, &sr) < 0) return die("KVM_GET_SREGS");
    if (h->mode == 16) {
        struct kvm_segment *seg[] = { &sr.cs, &sr.ds, &sr.es, &sr.fs, &sr.gs, &sr.ss };
        for (unsigned i = 0; i < 6; i++) {
            seg[i]->selector = IMAGE_GPA >> 4;
            seg[i]->base = IMAGE_GPA;
        }
        r.rip = h->entry;
        r.rsp = 0xfff0;
    } else if (h->mode == 32) {
        uint64_t gdt[3] = { 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull };
        memcpy(mem + GDT_GPA, gdt, sizeof gdt);
        sr.gdt.base = GDT_GPA;
        sr.gdt.limit = sizeof gdt - 1;
        sr.idt.base = 0;
        sr.idt.limit = 0;
        flat_segment(&sr.cs, 0x08, 11);
        flat_segment(&sr.ds, 0x10, 3);
        sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
        sr.cr0 |= 1; /* PE */
        r.rip = IMAGE_GPA + h->entry;
        r.rsp = IMAGE_GPA;
    } else {
        fprintf(stderr, "unsupported mode %u\n", h->mode);
        return 1;
    }
    if (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0) return die("KVM_SET_SREGS");
    if (ioctl(vcpu, KVM_SET_REGS, &r) < 0) return die("KVM_SET_REGS");
    return 0;
}

static int load_image(const char *path, uint8_t *mem, struct fw_header *h)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return die(path);
    ssize_t n = read(fd, mem + IMAGE_GPA, 0xe000);
    close(fd);
    if (n < (ssize_t)sizeof *h) { fprintf(stderr, "%s: short image\n", path); return 1; }
    memcpy(h, mem + IMAGE_GPA, sizeof *h);
    if (memcmp(h->magic, "VMFW", 4) || h->version != 1 || h->entry >= (uint32_t)n) {
        fprintf(stderr, "%s: bad header\n", path);
        return 1;
    }
    return 0;
}

/* Returns -1 to keep running, else the process exit status. */
static int handle_io(struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    if (run->io.direction == KVM_EXIT_IO_OUT) {
        switch (run->io.port) {
        case 0x501: return data[0];
        case 0x3f8: fputc(data[0], stdout); return -1;
        case 0x510: {
            /* The time of each marker, for the exit-cost benchmark. */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            fprintf(stderr, "marker %u %lld\n", *(uint32_t *)data, (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
            return -1;
        }
        case 0x520: return -1;
        }
    } else if (run->io.port == 0x3fd) {
        data[0] = 0x60; /* THRE | TEMT: always ready to send */
        return -1;
    }
    fprintf(stderr, "unhandled io %s port 0x%x\n",
            run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: %s IMAGE\n", argv[0]); return 2; }

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) return die("/dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) return die("KVM_GET_API_VERSION");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) return die("KVM_CREATE_VM");
    if (ioctl(vm, KVM_SET_TSS_ADDR, TSS_GPA) < 0) return die("KVM_SET_TSS_ADDR");

    /* memfd like the VMM, so the timing includes the same kind of memory. */
    int memfd = memfd_create("guest", MFD_CLOEXEC);
    if (memfd < 0 || ftruncate(memfd, MEM_SIZE) < 0) return die("memfd");
    uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (mem == MAP_FAILED) return die("mmap guest memory");
    madvise(mem, MEM_SIZE, MADV_DONTFORK);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
        .userspace_addr = (uintptr_t)mem };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) return die("KVM_SET_USER_MEMORY_REGION");

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) return die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0) return die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) return die("mmap kvm_run");

    struct fw_header h;
    if (load_image(argv[1], mem, &h) || setup_cpu(vcpu, mem, &h)) return 1;

    int status = -1;
    while (status < 0) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) return die("KVM_RUN");
        switch (run->exit_reason) {
        case KVM_EXIT_HLT:
            status = 0;
            break;
        case KVM_EXIT_IO:
            status = handle_io(run);
            break;
        case KVM_EXIT_MMIO:
            if ((run->mmio.phys_addr >> 12) == 0xd0000) break; /* null page */
            fprintf(stderr, "unhandled mmio 0x%llx\n", run->mmio.phys_addr);
            status = 1;
            break;
        default:
            fprintf(stderr, "exit reason %u\n", run->exit_reason);
            status = 1;
        }
    }

    /*
     * The VM goes before its memory, as in vmm. Left to exit(), the kernel
     * unmaps guest memory while the VM still lives (the kvm_run mapping
     * holds the vCPU); on PVM, with another VM running on the other core,
     * that cost 10-30 ms in about one run of ten (parallel.py, K = 2).
     */
    munmap(run, run_size);
    close(vcpu);
    close(vm);
    munmap(mem, MEM_SIZE);
    close(memfd);
    close(kvm);
    return status;
}
