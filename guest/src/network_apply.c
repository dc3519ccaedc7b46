#include "network_apply.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "failure.h"
#include "kernel_file.h"
#include "netlink.h"
#include "network_config.h"

#define DEVICE "eth0"

static int address_family(uint8_t wire_family) { return wire_family == 4 ? AF_INET : AF_INET6; }

/* MAC and MTU first: do_setlink applies them before the flags, while eth0 is still down. */
static int link_up(int fd, unsigned index, const struct network_config *c, char *err, size_t errlen)
{
    struct netlink_request r;
    struct ifinfomsg *ifi = netlink_begin(&r, RTM_NEWLINK, 0, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = (int)index;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    char what[96] = "bringing " DEVICE " up";
    if (c->has_link) {
        char mac[18];
        network_format_mac(c->mac, mac, sizeof mac);
        netlink_attr(&r, IFLA_ADDRESS, c->mac, sizeof c->mac);
        size_t used = strlen(what);
        used += (size_t)snprintf(what + used, sizeof what - used, " with MAC %s", mac);
        if (c->mtu) {
            netlink_attr(&r, IFLA_MTU, &c->mtu, sizeof c->mtu);
            snprintf(what + used, sizeof what - used, ", MTU %u", c->mtu);
        }
    }
    return netlink_call(fd, &r) < 0 ? failed(err, errlen, "%s", what) : 0;
}

static int add_address(int fd, unsigned index, const struct network_address *a, char *err, size_t errlen)
{
    struct netlink_request r;
    struct ifaddrmsg *ifa = netlink_begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
    ifa->ifa_family = (uint8_t)address_family(a->family);
    ifa->ifa_prefixlen = a->prefix;
    /* No duplicate address detection: an IPv6 address would be unusable ("tentative") for a second or more. */
    ifa->ifa_flags = a->family == 6 ? IFA_F_NODAD : 0;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = index;
    size_t size = network_address_size(a->family);
    netlink_attr(&r, IFA_LOCAL, a->address, size);
    netlink_attr(&r, IFA_ADDRESS, a->address, size);
    if (netlink_call(fd, &r) < 0) {
        char text[64];
        network_format_prefix(a->family, a->address, a->prefix, text, sizeof text);
        return failed(err, errlen, "adding %s to " DEVICE, text);
    }
    return 0;
}

/* Replace, not exclusive create: an on-link route for an address's own prefix
 * is already there (the kernel adds it with the address) and is simply taken over. */
static int add_route(int fd, unsigned index, const struct network_route *rt, char *err, size_t errlen)
{
    struct netlink_request r;
    struct rtmsg *m = netlink_begin(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof *m);
    m->rtm_family = (uint8_t)address_family(rt->family);
    m->rtm_dst_len = rt->prefix;
    m->rtm_table = RT_TABLE_MAIN;
    m->rtm_protocol = RTPROT_BOOT;
    m->rtm_scope = rt->has_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    m->rtm_type = RTN_UNICAST;
    uint32_t oif = index;
    netlink_attr(&r, RTA_OIF, &oif, sizeof oif);
    size_t size = network_address_size(rt->family);
    if (rt->prefix > 0)
        netlink_attr(&r, RTA_DST, rt->destination, size);
    if (rt->has_gateway)
        netlink_attr(&r, RTA_GATEWAY, rt->gateway, size);
    if (netlink_call(fd, &r) < 0) {
        char destination[64], gateway[64] = "";
        network_format_prefix(rt->family, rt->destination, rt->prefix, destination, sizeof destination);
        if (rt->has_gateway) {
            strcpy(gateway, " via ");
            network_format_address(rt->family, rt->gateway, gateway + 5, sizeof gateway - 5);
        }
        return failed(err, errlen, "adding route %s%s on " DEVICE, destination, gateway);
    }
    return 0;
}

static int configure(int fd, unsigned index, const struct network_config *c, char *err, size_t errlen)
{
    if (link_up(fd, index, c, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < c->naddresses; i++)
        if (add_address(fd, index, &c->addresses[i], err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < c->nroutes; i++)
        if (add_route(fd, index, &c->routes[i], err, errlen) < 0)
            return -1;
    return 0;
}

int network_apply(const uint8_t *payload, size_t n, char *err, size_t errlen)
{
    static struct network_config config;
    if (network_config_parse(payload, n, &config, err, errlen) < 0)
        return -1;
    unsigned index = if_nametoindex(DEVICE);
    if (index == 0) {
        snprintf(err, errlen, "no " DEVICE " (the VM has no network card)");
        return -1;
    }
    /* The host's addresses and routes are the whole story: no router advertisements adding more.
     * Errors ignored: the file is missing in a kernel without IPv6. */
    kernel_file_write("/proc/sys/net/ipv6/conf/" DEVICE "/accept_ra", "0");
    int fd = netlink_open();
    if (fd < 0)
        return failed(err, errlen, "opening an rtnetlink socket");
    int r = configure(fd, index, &config, err, errlen);
    close(fd);
    return r;
}
