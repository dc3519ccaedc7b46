/* The loopback device, always up so localhost works (eth0, when the host sends NETWORK, is network_apply's). */
#ifndef VMM_NET_H
#define VMM_NET_H

/* Sets lo up. 0, or -1 with errno (the caller logs it; nothing depends on it to start). */
int net_loopback_up(void);

#endif
