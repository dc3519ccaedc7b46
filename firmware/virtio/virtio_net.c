/* virtio_net: the virtio-net card (run with --network tap:NAME), no
   console driver. Handshake (VERSION_1 | MAC | MTU), prints
   "virtio_net: mac M mtu N", posts its rx buffers, sends one broadcast
   frame of ethertype 0x88b5 carrying "vmm-net-firmware", then waits up
   to 10 s for a 0x88b5 frame and prints "virtio_net: received <payload>",
   exit 0. No answer: a failure line and 99. Markers: 1 entry, 2
   DRIVER_OK, 3 frame sent, 4 frame received. */
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "virtio_net_driver.h"

#define ANSWER_TIMEOUT_MS 10000
#define PAYLOAD "vmm-net-firmware"

const char fw_name[] = "virtio_net";

/* The payload as text: up to the padding a short frame may carry. */
static void print_payload(const uint8_t *payload, int len)
{
    int i;
    uart_puts(fw_name);
    uart_puts(": received ");
    for (i = 0; i < len && payload[i]; i++)
        uart_putc(payload[i] >= 0x20 && payload[i] < 0x7F ? (char)payload[i] : '?');
    uart_putc('\n');
}

void fw_main(void)
{
    uint8_t payload[NET_RX_BUF_SIZE];
    int len;

    boot_mark(1);
    irq_init();
    irq_unmask(NET_GSI);
    net_init(1);
    net_print_identity();

    net_broadcast(NET_TEST_ETHERTYPE, PAYLOAD);
    boot_mark(3);
    len = net_receive(NET_TEST_ETHERTYPE, irq_ticks + TICKS(ANSWER_TIMEOUT_MS), payload, sizeof payload);
    if (len < 0)
        fail("no frame of ethertype 0x88b5 within 10 s");
    boot_mark(4);
    print_payload(payload, len);
    debug_exit(0);
}
