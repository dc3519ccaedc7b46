/*
 * rtnetlink, one request at a time: build it (a fixed header, then
 * attributes), send it with NLM_F_ACK and wait for the kernel's answer.
 */
#ifndef VMM_NETLINK_H
#define VMM_NETLINK_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the largest request init sends (a route: rtmsg, OIF, two IPv6 addresses). */
#define NETLINK_REQUEST_SIZE 256

struct netlink_request {
    union {
        struct nlmsghdr header;
        uint8_t bytes[NETLINK_REQUEST_SIZE];
    };
    int overflowed; /* an attribute did not fit: netlink_call refuses it */
};

/* Starts a request of type (RTM_*) with flags besides NLM_F_REQUEST | NLM_F_ACK;
 * returns its zeroed fixed header (ifinfomsg, ifaddrmsg, rtmsg) of body_size bytes. */
void *netlink_begin(struct netlink_request *r, uint16_t type, uint16_t flags, size_t body_size);
void netlink_attr(struct netlink_request *r, uint16_t type, const void *data, size_t n);

/* An rtnetlink socket, or -1 with errno. */
int netlink_open(void);
/* Sends r and reads its ack: 0, or -1 with errno (the kernel's error). */
int netlink_call(int fd, struct netlink_request *r);

#endif
