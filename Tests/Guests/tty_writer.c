/* A /init that writes through the kernel's tty layer to the serial console
 * (not by port I/O): the 8250 driver sends byte by byte on "transmitter
 * empty" interrupts, so the text only gets out whole if the UART raises
 * IRQ 4. An alarm ends a stuck write (init's death panics; panic=-1 resets). */
#include <string.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

int main(void) {
    static const char text[] = "vmm-tty: one line through the tty layer\n";
    alarm(20);
    if (write(1, text, strlen(text)) == (ssize_t)strlen(text))
        tcdrain(1);
    reboot(RB_AUTOBOOT);
    return 0;
}
