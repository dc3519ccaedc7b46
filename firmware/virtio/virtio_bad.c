/* virtio_bad_*: the normal handshake up to START, then one malformed
   buffer on vmm.stdout's transmit queue (queue 7). The host must mark the
   device DEVICE_NEEDS_RESET and end the VM with a non-zero status. If it
   is still running 5 s later the guest says so on the UART and exits 0,
   which a test reads as the host's failure. Build with -DVARIANT=...: */
#define BAD_ADDRESS 1 /* descriptor addr beyond RAM */
#define BAD_LENGTH 2  /* addr in RAM, addr + len beyond it */
#define BAD_WRAP 3    /* addr + len wraps past 2^64 */
#define DESC_LOOP 4   /* two descriptors chained to each other */
#define AVAIL_JUMP 5  /* avail->idx ahead by queue size + 5 */

#include "console.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "protocol.h"
#include "virtio_mmio.h"

#ifndef VARIANT
#error "build with -DVARIANT=BAD_ADDRESS (or BAD_LENGTH, BAD_WRAP, DESC_LOOP, AVAIL_JUMP)"
#endif

#if VARIANT == BAD_ADDRESS
const char fw_name[] = "virtio_bad_address";
#elif VARIANT == BAD_LENGTH
const char fw_name[] = "virtio_bad_length";
#elif VARIANT == BAD_WRAP
const char fw_name[] = "virtio_bad_wrap";
#elif VARIANT == DESC_LOOP
const char fw_name[] = "virtio_desc_loop";
#elif VARIANT == AVAIL_JUMP
const char fw_name[] = "virtio_avail_jump";
#else
#error "unknown VARIANT"
#endif

#define GRACE_MS 5000

static __attribute__((unused)) void set_desc(struct vq *q, int d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    q->desc[d].addr = addr;
    q->desc[d].len = len;
    q->desc[d].flags = flags;
    q->desc[d].next = next;
}

static void inject(struct vq *q)
{
#if VARIANT == AVAIL_JUMP
    q->avail_idx = (uint16_t)(q->avail_idx + q->size + 5);
    q->avail->idx = q->avail_idx;
#else
    int d = vq_alloc(q);
#if VARIANT == BAD_ADDRESS
    set_desc(q, d, 0xF0000000u, 16, 0, 0);
#elif VARIANT == BAD_LENGTH
    set_desc(q, d, RAM_MIN - 0x1000, 0xFFFFFFFFu, 0, 0);
#elif VARIANT == BAD_WRAP
    set_desc(q, d, 0xFFFFFFFFFFFFF000ull, 0xFFFFFFFFu, 0, 0);
#elif VARIANT == DESC_LOOP
    int e = vq_alloc(q);
    set_desc(q, d, (uint32_t)vq_buf(q, d), 16, VRING_DESC_F_NEXT, (uint16_t)e);
    set_desc(q, e, (uint32_t)vq_buf(q, e), 16, VRING_DESC_F_NEXT, (uint16_t)d);
#endif
    vq_submit(q, d);
#endif
}

void fw_main(void)
{
    struct vq *q;
    uint32_t deadline;

    proto_start(10000);

    q = ports[PORT_STDOUT].tx;
    console_expect_reset = 1;
    inject(q);
    mb();
    vm_notify(q->index); /* whatever used->flags says */

    deadline = irq_ticks + TICKS(GRACE_MS);
    while (console_wait(deadline))
        ;
    uart_puts(fw_name);
    uart_puts(": host still running 5 s after the malformed buffer; device status ");
    uart_hex(vm_status());
    uart_putc('\n');
    debug_exit(0);
}
