/* The /init of the boot-time harness's initramfs (benchmarks/boot_time.py):
 * the same few instructions under every kernel and VMM compared, so that
 * "kernel entry → init" measures the kernel and the VMM, not an init.
 * It writes vmm's init_started marker (port 0x510, guest/PROTOCOL.md),
 * prints the guest clock at its start, with the word "dmesg" on the
 * kernel command line also the kernel's log (printk times, initcall_debug),
 * then ends the VM through port 0x501 (vmm's debug exit; QEMU's
 * isa-debug-exit). Text goes straight to COM1's registers, polled as the
 * kernel's console does: no tty, so no wait for the UART's transmit
 * interrupt, which vmm's UART does not raise. No libc: a static binary of
 * a few KiB loads at once. */
#define SYS_ioperm 173
#define SYS_syslog 103
#define SYS_clock_gettime 228
#define SYS_exit 60
#define CLOCK_BOOTTIME 7
#define SYSLOG_ACTION_READ_ALL 3
#define MARKER_PORT 0x510
#define MARKER_INIT_STARTED 0x100
#define DEBUG_EXIT_PORT 0x501
#define COM1 0x3f8
#define LINE_STATUS 5
#define TRANSMIT_EMPTY 0x20

struct timespec { long tv_sec, tv_nsec; };

static long syscall3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static void outl(unsigned value, unsigned short port) { __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }
static void outb(unsigned char value, unsigned short port) { __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
static unsigned char inb(unsigned short port) { unsigned char v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static int ports;

static void put(const char *s, long n)
{
    if (!ports)
        return;
    for (long i = 0; i < n; i++) {
        while (!(inb(COM1 + LINE_STATUS) & TRANSMIT_EMPTY))
            ;
        outb((unsigned char)s[i], COM1);
    }
}

static unsigned long length(const char *s) { unsigned long n = 0; while (s[n]) n++; return n; }
static void say(const char *s) { put(s, (long)length(s)); }

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

/* Decimal, right to left. */
static char *decimal(char *end, unsigned long value)
{
    *--end = 0;
    do *--end = (char)('0' + value % 10); while (value /= 10);
    return end;
}

static char log_buffer[1 << 17];

void start(long *stack)
{
    ports = syscall3(SYS_ioperm, MARKER_PORT, 4, 1) == 0 && syscall3(SYS_ioperm, DEBUG_EXIT_PORT, 1, 1) == 0 &&
            syscall3(SYS_ioperm, COM1, 8, 1) == 0;
    if (ports)
        outl(MARKER_INIT_STARTED, MARKER_PORT);
    struct timespec now;
    syscall3(SYS_clock_gettime, CLOCK_BOOTTIME, (long)&now, 0);
    char digits[32];
    say("vmm-boot-marker: init at ");
    say(decimal(digits + sizeof digits, (unsigned long)now.tv_sec * 1000000 + (unsigned long)now.tv_nsec / 1000));
    say(" us\n");
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    for (long i = 1; i < argc; i++) {
        if (same(argv[i], "dmesg")) {
            long n = syscall3(SYS_syslog, SYSLOG_ACTION_READ_ALL, (long)log_buffer, sizeof log_buffer);
            if (n > 0)
                put(log_buffer, n);
            say("vmm-boot-marker: end of log\n");
        }
    }
    if (ports)
        outb(0, DEBUG_EXIT_PORT);
    /* No I/O ports (no CONFIG_X86_IOPL_IOPERM): the kernel panics when init exits and reboots (panic=-1). */
    for (;;)
        syscall3(SYS_exit, 0, 0, 0);
}

/* The kernel enters with argc at the stack pointer; keep it and call start. */
__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call start\n hlt\n");
