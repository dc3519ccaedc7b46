/* Boot-timer markers: a dword to I/O port 0x510 that the VMM timestamps (PROTOCOL.md section 4). */
#ifndef VMM_MARKERS_H
#define VMM_MARKERS_H

#include <stdint.h>

enum marker {
    MARKER_INIT_STARTED = 0x100,
    MARKER_ROOTFS_READY = 0x101,
    MARKER_READY_SENT = 0x102,
    MARKER_EXEC = 0x103,
};

/* Asks for the port (ioperm). Without CONFIG_X86_IOPL_IOPERM it is refused and markers are silently skipped. */
void markers_init(void);
void marker(enum marker m);
/* Gives the port up again, so the container's process does not inherit it across execve. */
void markers_release(void);

#endif
