/* NETWORK (PROTOCOL.md section 3): eth0 set up as the host says, through rtnetlink. */
#ifndef VMM_NETWORK_APPLY_H
#define VMM_NETWORK_APPLY_H

#include <stddef.h>
#include <stdint.h>

/* Parses NETWORK's payload and applies it: eth0's MAC and MTU, up, then
 * each address and route in order. 0, or -1 with the step that failed in err. */
int network_apply(const uint8_t *payload, size_t n, char *err, size_t errlen);

#endif
