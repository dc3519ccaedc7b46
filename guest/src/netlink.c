#include "netlink.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void *netlink_begin(struct netlink_request *r, uint16_t type, uint16_t flags, size_t body_size)
{
    memset(r, 0, sizeof *r);
    r->header.nlmsg_len = NLMSG_LENGTH(body_size);
    r->header.nlmsg_type = type;
    r->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    return NLMSG_DATA(&r->header);
}

void netlink_attr(struct netlink_request *r, uint16_t type, const void *data, size_t n)
{
    size_t at = NLMSG_ALIGN(r->header.nlmsg_len);
    if (at + NLA_ALIGN(NLA_HDRLEN + n) > sizeof r->bytes) {
        r->overflowed = 1;
        return;
    }
    struct nlattr *a = (struct nlattr *)(r->bytes + at);
    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + n);
    memcpy(r->bytes + at + NLA_HDRLEN, data, n);
    r->header.nlmsg_len = (uint32_t)(at + NLA_ALIGN(NLA_HDRLEN + n));
}

int netlink_open(void) { return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE); }

/* The answer to request seq in the n bytes at buf: 1 (found; 0 or -1 in *result), or 0 (not there). */
static int find_ack(const uint8_t *buf, int n, uint32_t seq, int *result)
{
    for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
            continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
            errno = EPROTO;
            *result = -1;
            return 1;
        }
        const struct nlmsgerr *e = NLMSG_DATA(h);
        errno = -e->error;
        *result = e->error == 0 ? 0 : -1;
        return 1;
    }
    return 0;
}

int netlink_call(int fd, struct netlink_request *r)
{
    static uint32_t last_seq;
    if (r->overflowed) {
        errno = EMSGSIZE;
        return -1;
    }
    r->header.nlmsg_seq = ++last_seq;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, r->bytes, r->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return -1;
    /* An error ack quotes the request: room for it and more. */
    uint8_t buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EPROTO;
            return -1;
        }
        int result;
        if (find_ack(buf, (int)n, r->header.nlmsg_seq, &result))
            return result;
    }
}
