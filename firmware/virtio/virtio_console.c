/* virtio_console: the guest half of `vmm run` without Linux. Handshake,
   READY, START, then stdin -> stdout unchanged until stdin EOF, a byte
   count on stderr, EXITED (7, 0); an EXEC meanwhile gets one line of
   output and status 5 (protocol.c). Markers: 1 entry, 2 DRIVER_OK, 3 READY
   sent, 4 START, 5 stdin EOF, 6 EXITED sent. */
#include "console.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "protocol.h"

#define EXIT_CODE 7
#define HANDSHAKE_TIMEOUT_MS 60000  /* the host may be busy (tests run VMs side by side) */

const char fw_name[] = "virtio_console";

static uint32_t copy_stdin(void)
{
    uint32_t total = 0;
    for (;;) {
        const uint8_t *data;
        int n;
        console_poll();
        proto_poll();
        if (proto.fatal_signal)
            proto_exit(-1, proto.fatal_signal);
        while ((n = console_peek(PORT_STDIN, &data)) >= 0) {
            console_write(PORT_STDOUT, data, (uint32_t)n);
            total += (uint32_t)n;
            console_release(PORT_STDIN);
        }
        /* The host closes stdin after its last data, and that data was
           used before the close was seen: the drain above got all of it.
           A port the host never opened reads as empty, as in Linux. */
        if (!ports[PORT_STDIN].host_open)
            return total;
        console_wait(0);
    }
}

void fw_main(void)
{
    static const char prefix[] = "stderr: ";
    char line[24];
    uint32_t total, n;

    proto_start(HANDSHAKE_TIMEOUT_MS);

    total = copy_stdin();
    boot_mark(5);

    /* Two descriptors in one chain: the host must gather them. */
    n = fmt_dec(line, total);
    memcpy(line + n, " bytes\n", 7);
    console_write2(PORT_STDERR, prefix, sizeof prefix - 1, line, n + 7);
    proto_exit(EXIT_CODE, 0);
}
