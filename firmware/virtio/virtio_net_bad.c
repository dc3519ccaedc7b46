/* virtio_net_*: the virtio-net handshake, then one malformed buffer on
   the card's queues. The host must mark the device DEVICE_NEEDS_RESET
   and end the VM with a non-zero status. If it is still running 5 s
   later the guest says so on the UART and exits 0, which a test reads as
   the host's failure. Build with -DVARIANT=...: */
#define BAD_ADDRESS 1 /* tx descriptor addr beyond RAM */
#define DESC_LOOP 2   /* two tx descriptors chained to each other */
#define AVAIL_JUMP 3  /* tx avail->idx ahead by queue size + 5 */
#define GIANT_FRAME 4 /* a tx chain of 70000 readable bytes, all in RAM */
#define RX_WILD 5     /* an rx buffer beyond RAM, then a frame the host answers */

#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "virtio_mmio.h"
#include "virtio_net_driver.h"

#ifndef VARIANT
#error "build with -DVARIANT=BAD_ADDRESS (or DESC_LOOP, AVAIL_JUMP, GIANT_FRAME, RX_WILD)"
#endif

#if VARIANT == BAD_ADDRESS
const char fw_name[] = "virtio_net_bad_address";
#elif VARIANT == DESC_LOOP
const char fw_name[] = "virtio_net_desc_loop";
#elif VARIANT == AVAIL_JUMP
const char fw_name[] = "virtio_net_avail_jump";
#elif VARIANT == GIANT_FRAME
const char fw_name[] = "virtio_net_giant_frame";
#elif VARIANT == RX_WILD
const char fw_name[] = "virtio_net_rx_wild";
#else
#error "unknown VARIANT"
#endif

#define GRACE_MS 5000
#define WILD_ADDRESS 0xF0000000u
/* Past the queues' buffers (layout.h), below RAM_MIN. */
#define GIANT_BUFFER 0x00400000u
#define GIANT_LENGTH 70000u
#define PAYLOAD "vmm-net-firmware"

static __attribute__((unused)) void set_desc(struct vq *q, int d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    q->desc[d].addr = addr;
    q->desc[d].len = len;
    q->desc[d].flags = flags;
    q->desc[d].next = next;
}

/* The bad buffer, on the queue it is returned for (to notify). */
static struct vq *inject(void)
{
#if VARIANT == RX_WILD
    int d = vq_alloc(&net.rx);
    set_desc(&net.rx, d, WILD_ADDRESS, NET_RX_BUF_SIZE, VRING_DESC_F_WRITE, 0);
    vq_submit(&net.rx, d);
    mb();
    vm_notify(net.rx.index);
    net_broadcast(NET_TEST_ETHERTYPE, PAYLOAD); /* the host's answer lands in the wild buffer */
    return &net.tx;
#else
    struct vq *q = &net.tx;
#if VARIANT == AVAIL_JUMP
    q->avail_idx = (uint16_t)(q->avail_idx + q->size + 5);
    q->avail->idx = q->avail_idx;
#else
    int d = vq_alloc(q);
#if VARIANT == BAD_ADDRESS
    set_desc(q, d, WILD_ADDRESS, 16, 0, 0);
#elif VARIANT == DESC_LOOP
    int e = vq_alloc(q);
    set_desc(q, d, (uint32_t)vq_buf(q, d), 16, VRING_DESC_F_NEXT, (uint16_t)e);
    set_desc(q, e, (uint32_t)vq_buf(q, e), 16, VRING_DESC_F_NEXT, (uint16_t)d);
#elif VARIANT == GIANT_FRAME
    memset((void *)GIANT_BUFFER, 0, NET_HDR_SIZE);
    set_desc(q, d, GIANT_BUFFER, GIANT_LENGTH, 0, 0);
#endif
    vq_submit(q, d);
#endif
    return q;
#endif
}

void fw_main(void)
{
    struct vq *q;
    uint32_t deadline;

    boot_mark(1);
    irq_init();
    irq_unmask(NET_GSI);
    net_init(VARIANT != RX_WILD);

    q = inject();
    mb();
    vm_notify(q->index); /* whatever used->flags says */

    /* The device's interrupts (its NEEDS_RESET one too) are acked and waited past. */
    deadline = irq_ticks + TICKS(GRACE_MS);
    while (net_wait(deadline))
        ;
    uart_puts(fw_name);
    uart_puts(": host still running 5 s after the malformed buffer; device status ");
    uart_hex(vm_status());
    uart_putc('\n');
    debug_exit(0);
}
