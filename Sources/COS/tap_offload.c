// See cos_tap_offload.h.
#include "cos_tap_offload.h"

#include <linux/if_tun.h>
#include <sys/ioctl.h>

_Static_assert(COS_TAP_CSUM == TUN_F_CSUM && COS_TAP_TSO4 == TUN_F_TSO4 && COS_TAP_TSO6 == TUN_F_TSO6, "TUN_F_* values");

int cos_tap_set_header_size(int fd, int size) { return ioctl(fd, TUNSETVNETHDRSZ, &size); }

int cos_tap_set_offload(int fd, unsigned offloads) { return ioctl(fd, TUNSETOFFLOAD, (unsigned long)offloads); }
