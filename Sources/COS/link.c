// See cos_link.h.
#include "cos_link.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int cos_link_set_up(int ifindex, char *err, size_t errlen)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (!if_indextoname((unsigned)ifindex, ifr.ifr_name)) {
        snprintf(err, errlen, "no interface %d: %s", ifindex, strerror(errno));
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        r = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    if (r < 0)
        snprintf(err, errlen, "SIOCSIFFLAGS on %s: %s", ifr.ifr_name, strerror(errno));
    close(fd);
    return r;
}
