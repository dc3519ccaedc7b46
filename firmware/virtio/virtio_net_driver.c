#include "virtio_net_driver.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "virtio_mmio.h"

/* Config space: mac[6], status u16, max_virtqueue_pairs u16, mtu u16. */
#define NET_CONFIG_MAC 0
#define NET_CONFIG_MTU 10

struct net_card net;

static void put_hex_byte(uint8_t b)
{
    uart_putc("0123456789abcdef"[b >> 4]);
    uart_putc("0123456789abcdef"[b & 0xF]);
}

static void put_dec(uint32_t v)
{
    char digits[10];
    uint32_t i, n = fmt_dec(digits, v);
    for (i = 0; i < n; i++)
        uart_putc(digits[i]);
}

static void setup_queue(struct vq *q, uint16_t index)
{
    uint32_t ring = RING_BASE + index * RING_STRIDE;
    uint16_t size = vm_queue_setup(index, VQ_MAX_SIZE, ring + VQ_DESC_OFFSET, ring + VQ_AVAIL_OFFSET, ring + VQ_USED_OFFSET);
    if (size < 2 || (size & (size - 1)))
        fail_hex("queue size not a power of 2 >= 2:", size);
    vq_init(q, index, size, ring, BUF_BASE + index * BUF_STRIDE);
}

void net_init(int post_rx)
{
    const uint64_t want = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_MTU;
    int i;

    vm_init(NET_MMIO_BASE, VIRTIO_ID_NET); /* magic, version 2, id 1, or exit 99 */
    vm_negotiate(want);
    for (i = 0; i < ETH_ALEN; i++)
        net.mac[i] = (uint8_t)vm_config(NET_CONFIG_MAC + i, 1);
    net.mtu = (uint16_t)vm_config(NET_CONFIG_MTU, 2);
    setup_queue(&net.rx, NET_RX_QUEUE);
    setup_queue(&net.tx, NET_TX_QUEUE);
    if (post_rx) {
        int d;
        while ((d = vq_alloc(&net.rx)) >= 0) {
            vq_set(&net.rx, d, NET_RX_BUF_SIZE, VRING_DESC_F_WRITE, 0);
            vq_submit(&net.rx, d);
        }
    }
    vm_driver_ok();
    if (vm_status() & VIRTIO_STATUS_NEEDS_RESET)
        fail_hex("DEVICE_NEEDS_RESET after DRIVER_OK, status", vm_status());
    boot_mark(2);
    vq_kick(&net.rx);
}

void net_print_identity(void)
{
    int i;
    uart_puts(fw_name);
    uart_puts(": mac ");
    for (i = 0; i < ETH_ALEN; i++) {
        if (i)
            uart_putc(':');
        put_hex_byte(net.mac[i]);
    }
    uart_puts(" mtu ");
    put_dec(net.mtu);
    uart_putc('\n');
}

void net_send(const void *frame, uint32_t len)
{
    int d = vq_alloc(&net.tx);
    if (d < 0)
        fail("out of tx descriptors");
    if (NET_HDR_SIZE + len > VQ_BUF_SIZE)
        fail_hex("frame too long for a tx buffer:", len);
    memset(vq_buf(&net.tx, d), 0, NET_HDR_SIZE); /* no offloads: an all-zero header */
    memcpy(vq_buf(&net.tx, d) + NET_HDR_SIZE, frame, len);
    vq_set(&net.tx, d, NET_HDR_SIZE + len, 0, 0);
    vq_submit(&net.tx, d);
    vq_kick(&net.tx);
}

void net_broadcast(uint16_t ethertype, const char *payload)
{
    uint8_t frame[ETH_HDR_SIZE + 64];
    uint32_t n = (uint32_t)strlen(payload);
    if (n > sizeof frame - ETH_HDR_SIZE)
        fail_hex("broadcast payload too long:", n);
    memset(frame, 0xFF, ETH_ALEN); /* the host side has no MAC of ours yet */
    memcpy(frame + ETH_ALEN, net.mac, ETH_ALEN);
    frame[12] = (uint8_t)(ethertype >> 8);
    frame[13] = (uint8_t)ethertype;
    memcpy(frame + ETH_HDR_SIZE, payload, n);
    net_send(frame, ETH_HDR_SIZE + n);
}

uint32_t net_wait(uint32_t deadline)
{
    while ((int32_t)(irq_ticks - deadline) < 0) {
        int irq = irq_wait();
        if (irq == NET_GSI) {
            uint32_t status = vm_interrupt_ack(); /* quiet the device before the EOI */
            irq_eoi(NET_GSI);
            if (status)
                return status;
        } else if (irq != 0) {
            fail_hex("interrupt on an IRQ line never unmasked:", (uint32_t)irq);
        }
    }
    return 0;
}

/* Takes back every used tx buffer: the device sent those frames. */
static void reclaim_tx(void)
{
    uint32_t len;
    while (vq_peek(&net.tx, &len) >= 0)
        vq_pop(&net.tx);
}

/* A used rx buffer's frame: its payload if it is of `ethertype`, else -1. */
static int take_frame(int d, uint32_t len, uint16_t ethertype, uint8_t *out, uint32_t max)
{
    const uint8_t *buf = vq_buf(&net.rx, d), *eth = buf + NET_HDR_SIZE;
    uint32_t payload;
    if (len < NET_HDR_SIZE + ETH_HDR_SIZE || len > NET_RX_BUF_SIZE)
        fail_hex("rx used length is not a header and a frame in the buffer:", len);
    if ((buf[10] | buf[11] << 8) != 1)
        fail_hex("rx header's num_buffers is not 1:", (uint32_t)(buf[10] | buf[11] << 8));
    if ((uint16_t)(eth[12] << 8 | eth[13]) != ethertype)
        return -1;
    payload = len - NET_HDR_SIZE - ETH_HDR_SIZE;
    if (payload > max)
        payload = max;
    memcpy(out, eth + ETH_HDR_SIZE, payload);
    return (int)payload;
}

/* Used rx buffers up to the first frame of `ethertype`, each reposted. */
static int drain_rx(uint16_t ethertype, uint8_t *out, uint32_t max)
{
    uint32_t len;
    int d, got = -1;
    while (got < 0 && (d = vq_peek(&net.rx, &len)) >= 0) {
        got = take_frame(d, len, ethertype, out, max);
        vq_pop(&net.rx);
        vq_set(&net.rx, d, NET_RX_BUF_SIZE, VRING_DESC_F_WRITE, 0);
        vq_submit(&net.rx, d);
        vq_kick(&net.rx);
    }
    return got;
}

int net_receive(uint16_t ethertype, uint32_t deadline, uint8_t *out, uint32_t max)
{
    for (;;) {
        uint32_t status = net_wait(deadline);
        int got;
        if (status & VIRTIO_INT_CONFIG && vm_status() & VIRTIO_STATUS_NEEDS_RESET)
            fail_hex("device set DEVICE_NEEDS_RESET, status", vm_status());
        if (!status) {
            /* Looked at only after interrupts: one never raised is the irqfd path's bug. */
            if (vq_unseen(&net.rx))
                fail("used rx buffer but no interrupt (GSI 6 / irqfd)");
            return -1;
        }
        vq_note_seen(&net.rx);
        reclaim_tx();
        if ((got = drain_rx(ethertype, out, max)) >= 0)
            return got;
    }
}
