/* A one-job /init for the full-boot test: print a marker on COM1 by port
 * I/O (no drivers, no /dev needed), record it on the boot timer, reboot. */
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

static void serial_puts(const char *text) {
    for (; *text; text++) {
        while (!(inb(0x3fd) & 0x20)) {}
        outb(*text, 0x3f8);
    }
}

int main(void) {
    if (ioperm(0x3f8, 8, 1) == 0) serial_puts("vmm-boot-marker: init ran\n");
    if (ioperm(0x510, 4, 1) == 0) outl(0x100, 0x510);
    reboot(RB_AUTOBOOT);
    return 0;
}
