#include "irq.h"
#include "io.h"
#include "lib.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define VECTOR_BASE 0x20
#define NVECTORS 48
#define CODE_SELECTOR 0x08 /* from the GDT the VMM writes at 0x500 */

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type; /* 0x8E: present, ring 0, 32-bit interrupt gate (clears IF) */
    uint16_t offset_high;
} __attribute__((packed));

struct idt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const uint32_t irq_stubs[NVECTORS];
int irq_halt(void);

static struct idt_entry idt[NVECTORS] __attribute__((aligned(8)));
static uint8_t master_mask = 0xFF;
uint32_t irq_ticks;

void irq_init(void)
{
    struct idt_pointer idtr = { sizeof idt - 1, (uint32_t)idt };
    int i;

    for (i = 0; i < NVECTORS; i++) {
        idt[i].offset_low = (uint16_t)irq_stubs[i];
        idt[i].selector = CODE_SELECTOR;
        idt[i].type = 0x8E;
        idt[i].offset_high = (uint16_t)(irq_stubs[i] >> 16);
    }
    __asm__ volatile("lidt %0" : : "m"(idtr));

    /* ICW1-4: edge, cascade, vectors 0x20/0x28 (above the exceptions), 8086 mode. */
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VECTOR_BASE);
    outb(PIC2_DATA, VECTOR_BASE + 8);
    outb(PIC1_DATA, 4);
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 1);
    outb(PIC2_DATA, 1);
    outb(PIC2_DATA, 0xFF);
    irq_unmask(0);

    /* Channel 0, lobyte/hibyte, mode 2 (rate generator), divisor 65536. */
    outb(PIT_MODE, 0x34);
    outb(PIT_CH0, 0);
    outb(PIT_CH0, 0);
}

void irq_unmask(int irq)
{
    master_mask &= (uint8_t)~(1u << irq);
    outb(PIC1_DATA, master_mask);
}

void irq_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

int irq_wait(void)
{
    for (;;) {
        int irq = irq_halt() - VECTOR_BASE;
        if (irq == 0) {
            irq_ticks++;
            irq_eoi(0);
            return 0;
        }
        /* IRQ7/15 with nothing unmasked there: spurious, no EOI due. */
        if (irq == 7 || irq == 15)
            continue;
        if (irq < 0 || irq >= 16)
            fail_hex("unexpected interrupt vector", (uint32_t)(irq + VECTOR_BASE));
        return irq;
    }
}

/* Called from entry32.S for vectors 0-31 with the exception frame. */
__attribute__((noreturn)) void fw_exception(uint32_t vector, const uint32_t *frame)
{
    /* These push an error code before eip. */
    int has_error = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
    uart_puts(fw_name);
    uart_puts(": exception ");
    uart_hex(vector);
    uart_puts(" at eip ");
    uart_hex(frame[has_error]);
    if (has_error) {
        uart_puts(" error ");
        uart_hex(frame[0]);
    }
    uart_putc('\n');
    debug_exit(FAIL_STATUS);
}
