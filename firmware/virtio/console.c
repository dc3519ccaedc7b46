#include "console.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "virtio_mmio.h"

#define CONTROL_RX 2
#define CONTROL_TX 3
/* Used buffers this long without an interrupt: the irqfd path is broken. */
#define STALL_TICKS TICKS(30000)  /* generous: a loaded 2-core CI host can starve the VMM for seconds */

struct control_msg {
    uint32_t id;
    uint16_t event;
    uint16_t value;
} __attribute__((packed));

struct port ports[CONSOLE_MAX_PORTS];
int console_expect_reset;
static struct vq queues[MAX_QUEUES];
static uint32_t nqueues, max_ports, stall_ticks;

static const char *const port_names[NPORTS] = { "", "vmm.stdin", "vmm.stdout", "vmm.stderr", "vmm.control" };

/* Port 0 has queues 0/1, the control queues are 2/3, port p>0 has 2+2p/3+2p. */
static uint32_t rx_queue(uint32_t p) { return p == 0 ? 0 : 2 + 2 * p; }

static void reclaim(struct vq *q)
{
    uint32_t len;
    while (vq_peek(q, &len) >= 0)
        vq_pop(q);
}

/* Waits until n descriptors are free; the host returns sent buffers. */
static void tx_reserve(struct vq *q, int n)
{
    for (;;) {
        reclaim(q);
        if (q->num_free >= n)
            return;
        console_wait(0);
    }
}

static void repost_rx(struct vq *q)
{
    int d = vq_alloc(q);
    vq_set(q, d, VQ_BUF_SIZE, VRING_DESC_F_WRITE, 0);
    vq_submit(q, d);
}

void console_init(void)
{
    uint32_t q, p;

    vm_init(CONSOLE_MMIO_BASE, VIRTIO_ID_CONSOLE);
    vm_negotiate(1ull << VIRTIO_F_VERSION_1 | 1u << VIRTIO_CONSOLE_F_MULTIPORT);
    max_ports = vm_config(4, 4); /* after cols u16, rows u16 */
    if (max_ports < NPORTS || max_ports > CONSOLE_MAX_PORTS)
        fail_hex("config max_nr_ports out of range:", max_ports);

    /* Every queue, as Linux sets them all up at probe. */
    nqueues = 2 * (max_ports + 1);
    for (q = 0; q < nqueues; q++) {
        uint32_t ring = RING_BASE + q * RING_STRIDE;
        uint16_t size = vm_queue_setup((uint16_t)q, VQ_MAX_SIZE, ring + VQ_DESC_OFFSET,
                                       ring + VQ_AVAIL_OFFSET, ring + VQ_USED_OFFSET);
        if (size & (size - 1))
            fail_hex("queue size is not a power of 2:", size);
        vq_init(&queues[q], (uint16_t)q, size, ring, BUF_BASE + q * BUF_STRIDE);
    }
    for (p = 0; p < max_ports; p++) {
        ports[p].rx = &queues[rx_queue(p)];
        ports[p].tx = &queues[rx_queue(p) + 1];
    }

    /* Control buffers go in before DRIVER_OK; notifying must wait for it. */
    vq_fill_rx(&queues[CONTROL_RX]);
    vm_driver_ok();
    boot_mark(2);
    vq_kick(&queues[CONTROL_RX]);
    console_control(0, VIRTIO_CONSOLE_DEVICE_READY, 1);
}

void console_control(uint32_t id, uint16_t event, uint16_t value)
{
    struct vq *q = &queues[CONTROL_TX];
    struct control_msg m = { id, event, value };
    int d;
    tx_reserve(q, 1);
    d = vq_alloc(q);
    memcpy(vq_buf(q, d), &m, sizeof m);
    vq_set(q, d, sizeof m, 0, 0);
    vq_submit(q, d);
    vq_kick(q);
}

/* One message per buffer, a PORT_NAME's name right after it (as Linux reads them). */
static void handle_control(const uint8_t *buf, uint32_t len)
{
    struct control_msg m;
    struct port *p;
    uint32_t n;

    if (len < sizeof m)
        fail_hex("control message shorter than 8 bytes:", len);
    memcpy(&m, buf, sizeof m);
    if (m.id >= max_ports)
        fail_hex("control message for a port beyond max_nr_ports:", m.id);
    p = &ports[m.id];
    if (m.event != VIRTIO_CONSOLE_DEVICE_ADD && !p->added)
        fail_hex("control message before DEVICE_ADD, port<<16|event", m.id << 16 | m.event);

    switch (m.event) {
    case VIRTIO_CONSOLE_DEVICE_ADD:
        if (!p->added) {
            p->added = 1;
            if (vq_fill_rx(p->rx))
                vq_kick(p->rx);
        }
        console_control(m.id, VIRTIO_CONSOLE_PORT_READY, 1);
        break;
    case VIRTIO_CONSOLE_DEVICE_REMOVE:
        fail_hex("host removed port", m.id);
    case VIRTIO_CONSOLE_CONSOLE_PORT:
        /* Linux makes it hvc0 and opens it. */
        if (m.value && !p->is_console) {
            p->is_console = 1;
            p->guest_open = 1;
            console_control(m.id, VIRTIO_CONSOLE_PORT_OPEN, 1);
        }
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        p->host_open = m.value != 0;
        break;
    case VIRTIO_CONSOLE_PORT_NAME:
        n = len - sizeof m;
        if (n == 0 || n > PORT_NAME_MAX)
            fail_hex("PORT_NAME length out of range:", n);
        if (!p->name[0]) {
            memcpy(p->name, buf + sizeof m, n);
            p->name[n] = 0;
        }
        break;
    default: /* RESIZE and unknown events: nothing to do */
        break;
    }
}

void console_poll(void)
{
    struct vq *c = &queues[CONTROL_RX];
    uint32_t len, q;
    int d, reposted = 0;

    while ((d = vq_peek(c, &len)) >= 0) {
        if (len > VQ_BUF_SIZE)
            fail_hex("used length beyond the control buffer:", len);
        handle_control(vq_buf(c, d), len);
        vq_pop(c);
        repost_rx(c);
        reposted = 1;
    }
    if (reposted)
        vq_kick(c);
    for (q = 1; q < nqueues; q += 2)
        reclaim(&queues[q]);
}

static int any_unseen(void)
{
    uint32_t q;
    for (q = 0; q < nqueues; q++)
        if (vq_unseen(&queues[q]))
            return 1;
    return 0;
}

int console_wait(uint32_t deadline)
{
    for (;;) {
        uint32_t q, status;
        if (deadline && (int32_t)(irq_ticks - deadline) >= 0)
            return 0;
        if (irq_wait() == CONSOLE_GSI) {
            /* Quiet the device before the EOI; the interrupt covers all used so far. */
            status = vm_interrupt_ack();
            irq_eoi(CONSOLE_GSI);
            for (q = 0; q < nqueues; q++)
                vq_note_seen(&queues[q]);
            stall_ticks = 0;
            if ((status & VIRTIO_INT_CONFIG) && (vm_status() & VIRTIO_STATUS_NEEDS_RESET) &&
                !console_expect_reset)
                fail("device set DEVICE_NEEDS_RESET");
            return 1;
        }
        /* A timer tick. */
        if (!console_expect_reset && any_unseen()) {
            if (++stall_ticks > STALL_TICKS)
                fail("used buffers but no interrupt for 2 s (GSI 5 / irqfd path)");
        } else {
            stall_ticks = 0;
        }
    }
}

static int handshake_missing(uint32_t *port)
{
    uint32_t p;
    for (p = 0; p < NPORTS; p++) {
        *port = p;
        if (!ports[p].added)
            return 1;
        if (p > 0 && !ports[p].name[0])
            return 2;
    }
    return ports[0].is_console ? 0 : 3;
}

void console_handshake(uint32_t timeout_ms)
{
    uint32_t deadline = irq_ticks + TICKS(timeout_ms), p;
    int missing;

    for (;;) {
        console_poll();
        if (!(missing = handshake_missing(&p)))
            break;
        if (!console_wait(deadline)) {
            if (missing == 1)
                fail_hex("handshake timed out: no DEVICE_ADD for port", p);
            if (missing == 2)
                fail_hex("handshake timed out: no PORT_NAME for port", p);
            fail("handshake timed out: no CONSOLE_PORT for port 0");
        }
    }
    for (p = 1; p < NPORTS; p++)
        if (strlen(ports[p].name) != strlen(port_names[p]) ||
            memcmp(ports[p].name, port_names[p], strlen(port_names[p])))
            fail_hex("a port has another name than PROTOCOL.md gives it: port", p);

    /* init opens the control port first, then the stdio ports. */
    console_control(PORT_CONTROL, VIRTIO_CONSOLE_PORT_OPEN, 1);
    ports[PORT_CONTROL].guest_open = 1;
    for (p = PORT_STDIN; p <= PORT_STDERR; p++) {
        console_control(p, VIRTIO_CONSOLE_PORT_OPEN, 1);
        ports[p].guest_open = 1;
    }
}

static void wait_host_open(struct port *p)
{
    for (;;) {
        console_poll();
        if (p->host_open)
            return;
        console_wait(0);
    }
}

void console_write(int port, const void *data, uint32_t len)
{
    struct port *p = &ports[port];
    const uint8_t *src = data;
    wait_host_open(p);
    while (len) {
        uint32_t n = len < VQ_BUF_SIZE ? len : VQ_BUF_SIZE;
        int d;
        tx_reserve(p->tx, 1);
        d = vq_alloc(p->tx);
        memcpy(vq_buf(p->tx, d), src, n);
        vq_set(p->tx, d, n, 0, 0);
        vq_submit(p->tx, d);
        vq_kick(p->tx);
        src += n;
        len -= n;
    }
}

void console_write_in_place(int port, uint32_t len)
{
    struct port *p = &ports[port];
    int d;
    wait_host_open(p);
    tx_reserve(p->tx, 1);
    d = vq_alloc(p->tx);
    vq_set(p->tx, d, len < VQ_BUF_SIZE ? len : VQ_BUF_SIZE, 0, 0);
    vq_submit(p->tx, d);
    vq_kick(p->tx);
}

void console_write2(int port, const void *a, uint32_t alen, const void *b, uint32_t blen)
{
    struct port *p = &ports[port];
    int d0, d1;
    wait_host_open(p);
    tx_reserve(p->tx, 2);
    d0 = vq_alloc(p->tx);
    d1 = vq_alloc(p->tx);
    memcpy(vq_buf(p->tx, d0), a, alen);
    memcpy(vq_buf(p->tx, d1), b, blen);
    vq_set(p->tx, d0, alen, VRING_DESC_F_NEXT, (uint16_t)d1);
    vq_set(p->tx, d1, blen, 0, 0);
    vq_submit(p->tx, d0);
    vq_kick(p->tx);
}

int console_peek(int port, const uint8_t **data)
{
    struct vq *q = ports[port].rx;
    uint32_t len;
    int d;
    if (!ports[port].added || (d = vq_peek(q, &len)) < 0)
        return -1;
    if (len > VQ_BUF_SIZE)
        fail_hex("used length beyond the receive buffer:", len);
    *data = vq_buf(q, d);
    return (int)len;
}

void console_release(int port)
{
    struct vq *q = ports[port].rx;
    vq_pop(q);
    repost_rx(q);
    vq_kick(q);
}
