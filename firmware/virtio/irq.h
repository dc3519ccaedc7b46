/* Interrupts: IDT, 8259 PIC remapped to vectors 0x20-0x2F, PIT tick. */
#ifndef IRQ_H
#define IRQ_H

#include <stdint.h>

/* The PIT at its slowest rate, 1193182 Hz / 65536: enough for timeouts. */
#define TICK_HZ 18
#define TICKS(ms) ((uint32_t)(ms) * TICK_HZ / 1000 + 1)

extern uint32_t irq_ticks;

/* IDT for vectors 0-47, PIC remapped, PIT running; only IRQ0 unmasked. */
void irq_init(void);
void irq_unmask(int irq);
/* sti; hlt until an interrupt; returns its IRQ line (0-15). The timer is
   counted and acknowledged here; for others the caller quiets the device
   first, then calls irq_eoi (a level source would otherwise fire again). */
int irq_wait(void);
void irq_eoi(int irq);

#endif
