// A network interface's up flag (SIOCSIFFLAGS on a struct ifreq).
#ifndef COS_LINK_H
#define COS_LINK_H

#include <stddef.h>

/// Sets IFF_UP on the interface `ifindex` of the calling thread's
/// namespace; 0, or -1 with the reason in `err`.
int cos_link_set_up(int ifindex, char *err, size_t errlen);

#endif
