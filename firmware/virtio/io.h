/* Port and MMIO accessors plus the VMM's debug ports (firmware/README.md). */
#ifndef IO_H
#define IO_H

#include <stdint.h>

#define UART_THR 0x3F8
#define UART_LSR 0x3FD
#define LSR_THRE 0x20
#define PORT_DEBUG_EXIT 0x501
#define PORT_BOOT_TIMER 0x510

/* Compiler barrier: x86 keeps stores (and loads) in order, the compiler need not. */
#define barrier() __asm__ volatile("" ::: "memory")
/* Full fence: a store (avail idx) must be visible before a later load (used flags). */
#define mb() __asm__ volatile("lock; addl $0, (%%esp)" ::: "memory", "cc")

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Device registers want exactly one access of their width: volatile. */
static inline uint32_t mmio_read32(uint32_t a) { return *(volatile uint32_t *)a; }
static inline uint16_t mmio_read16(uint32_t a) { return *(volatile uint16_t *)a; }
static inline uint8_t mmio_read8(uint32_t a) { return *(volatile uint8_t *)a; }
static inline void mmio_write32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void mmio_write16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline void mmio_write8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* Boot-timeline marker (guest/PROTOCOL.md section 4: 1-9 are ours). */
static inline void boot_mark(uint32_t m) { outl(PORT_BOOT_TIMER, m); }

static inline void uart_putc(char c)
{
    while (!(inb(UART_LSR) & LSR_THRE))
        ;
    outb(UART_THR, (uint8_t)c);
}

/* With the irqchip, hlt with IF clear waits inside KVM for good. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

static inline __attribute__((noreturn)) void debug_exit(uint8_t status)
{
    outb(PORT_DEBUG_EXIT, status);
    halt_forever();
}

#endif
