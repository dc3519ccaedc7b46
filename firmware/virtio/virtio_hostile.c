/* virtio_hostile_*: guests that attack the host side on purpose
   (docs/security.md, issue "hostile guests"). Build with -DVARIANT=...: */
#define REGISTER_STORM 1 /* pseudo-random accesses to every port and the device windows */
#define NOTIFY_STORM 2   /* QueueNotify hammered, valid queues and not */
#define CONSOLE_FLOOD 3  /* FLOOD_MIB of output as fast as the host takes it */

#include "console.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "protocol.h"
#include "virtio_mmio.h"

#if !defined(VARIANT) || !defined(FW_NAME)
#error "build with -DVARIANT=REGISTER_STORM (or NOTIFY_STORM, CONSOLE_FLOOD) and -DFW_NAME='\"name\"'"
#endif

const char fw_name[] = FW_NAME;

/* xorshift32 from a fixed seed: every run attacks the same way. */
static uint32_t random_state = 0x2545F491u;
static __attribute__((unused)) uint32_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 17;
    random_state ^= random_state << 5;
    return random_state;
}

#if VARIANT == REGISTER_STORM
#define MMIO_WINDOWS_BASE 0xD0000000u /* the null page, the console, then empty slots */
#define MMIO_WINDOWS 8
#define I8042_COMMAND 0x64

/* Every port once, a random width each way; the debug-exit port and the
   i8042's reset would only end the VM the normal way, so they are left out. */
static void storm_ports(void)
{
    for (uint32_t port = 0; port <= 0xFFFF; port++) {
        uint32_t value = next_random();
        if (port == PORT_DEBUG_EXIT || port == I8042_COMMAND)
            continue;
        switch (value % 3) {
        case 0: outb((uint16_t)port, (uint8_t)(value >> 8)); (void)inb((uint16_t)port); break;
        case 1: outw((uint16_t)port, (uint16_t)(value >> 8)); (void)inw((uint16_t)port); break;
        default: outl((uint16_t)port, value); (void)inl((uint16_t)port); break;
        }
    }
}

/* Every register of every window, twice over: writes and reads of each
   width at every offset, the queue and status registers included. */
static void storm_windows(void)
{
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t window = 0; window < MMIO_WINDOWS; window++)
            for (uint32_t offset = 0; offset < 0x1000; offset += 2) {
                uint32_t address = MMIO_WINDOWS_BASE + window * 0x1000 + offset, value = next_random();
                switch (value % 4) {
                case 0: mmio_write8(address, (uint8_t)(value >> 8)); break;
                case 1: mmio_write16(address, (uint16_t)(value >> 8)); break;
                case 2: if (!(offset & 3)) mmio_write32(address, value); break;
                default: (void)mmio_read32(address & ~3u); (void)mmio_read16(address); (void)mmio_read8(address + 1); break;
                }
            }
}

void fw_main(void)
{
    boot_mark(1);
    storm_ports();
    boot_mark(2);
    storm_windows();
    boot_mark(3);
    /* The storm left the UART in some mode: back to 8N1, no loopback, no interrupts. */
    outb(UART_THR + 3, 0x03);
    outb(UART_THR + 4, 0x00);
    outb(UART_THR + 1, 0x00);
    uart_puts(fw_name);
    uart_puts(": survived\n");
    debug_exit(0);
}

#else

#define NOTIFIES 50000u
#define FLOOD_MIB 32u

void fw_main(void)
{
    proto_start(10000);
#if VARIANT == NOTIFY_STORM
    /* Indices past the device's queues, and ready ones with nothing new. */
    for (uint32_t i = 0; i < NOTIFIES; i++)
        vm_notify((uint16_t)(next_random() % 80));
    console_write(PORT_STDOUT, "notify storm: survived\n", 23);
#else
    /* Each transmit buffer filled once; then FLOOD_MIB of them, back to back. */
    for (int d = 0; d < ports[PORT_STDOUT].tx->size; d++)
        memset(vq_buf(ports[PORT_STDOUT].tx, d), 'x', VQ_BUF_SIZE);
    for (uint32_t n = 0; n < FLOOD_MIB * (1024 * 1024 / VQ_BUF_SIZE); n++)
        console_write_in_place(PORT_STDOUT, VQ_BUF_SIZE);
#endif
    proto_exit(0, 0);
}

#endif
