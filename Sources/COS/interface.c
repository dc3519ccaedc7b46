// See cos_interface.h.
#include "cos_interface.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/// ioctl `request` on `name` through a socket of the thread's namespace.
static int interface_ioctl(const char *name, unsigned long request, struct ifreq *answer) {
    if (strlen(name) >= IFNAMSIZ) { errno = ENAMETOOLONG; return -1; }
    memset(answer, 0, sizeof *answer);
    strncpy(answer->ifr_name, name, IFNAMSIZ - 1);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int result = ioctl(fd, request, answer);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int cos_interface_mtu(const char *name) {
    struct ifreq answer;
    if (interface_ioctl(name, SIOCGIFMTU, &answer) != 0) return -1;
    return answer.ifr_mtu;
}

int cos_interface_mac(const char *name, unsigned char *mac) {
    struct ifreq answer;
    if (interface_ioctl(name, SIOCGIFHWADDR, &answer) != 0) return -1;
    memcpy(mac, answer.ifr_hwaddr.sa_data, 6);
    return 0;
}
