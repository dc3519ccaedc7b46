/* Messages to the kernel console, and the ways init ends the VM. */
#ifndef VMM_LOG_H
#define VMM_LOG_H

#include <stdnoreturn.h>

/* One line on /dev/console (the kernel's console: hvc0), "vmm-init: " first. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sync + reboot(RB_AUTOBOOT): with reboot=k the kernel resets through the i8042, which ends the VM. */
noreturn void power_off(void);

/* init could not start the process: ERROR on the control port (when open), the console, then power_off. */
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
