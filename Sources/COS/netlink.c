// See cos_netlink.h.
#include "cos_netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/// tc's handle of the ingress qdisc (ffff:), which its filters name as parent.
#define INGRESS_HANDLE TC_H_MAKE(TC_H_INGRESS, 0)
/// The redirect filter's priority: the only one on an ingress qdisc vmm made.
#define REDIRECT_PRIORITY 1

/// One request being built: header, family struct, then attributes.
struct request {
    union {
        struct nlmsghdr header;
        char bytes[1024];
    };
    int overflowed;
};

static void say(char *err, size_t errlen, const char *format, ...) {
    if (errlen == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(err, errlen, format, arguments);
    va_end(arguments);
}

static void request_start(struct request *r, int type, int flags, const void *family, size_t size) {
    memset(r, 0, sizeof *r);
    r->header.nlmsg_len = NLMSG_LENGTH(size);
    r->header.nlmsg_type = type;
    r->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    memcpy(NLMSG_DATA(&r->header), family, size);
}

/// Appends one attribute; its start, for a nest to be closed later. A
/// request too long for the buffer is marked and refused when sent.
static struct rtattr *attribute(struct request *r, int type, const void *data, size_t size) {
    size_t at = NLMSG_ALIGN(r->header.nlmsg_len);
    if (at + RTA_SPACE(size) > sizeof r->bytes) {
        r->overflowed = 1;
        return NULL;
    }
    struct rtattr *a = (struct rtattr *)(r->bytes + at);
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(size);
    if (size) memcpy(RTA_DATA(a), data, size);
    r->header.nlmsg_len = at + RTA_ALIGN(a->rta_len);
    return a;
}

static struct rtattr *nest_start(struct request *r, int type) { return attribute(r, type | NLA_F_NESTED, NULL, 0); }

static void nest_end(struct request *r, struct rtattr *nest) {
    if (nest) nest->rta_len = (unsigned short)(r->bytes + r->header.nlmsg_len - (char *)nest);
}

/// Sends the request and waits for its ack: 0, or the kernel's errno (or
/// the socket's) with a line in `err` naming `what`.
static int transact(struct request *r, const char *what, char *err, size_t errlen) {
    if (r->overflowed) {
        say(err, errlen, "%s: the netlink request does not fit its buffer", what);
        return EMSGSIZE;
    }
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        int saved = errno;
        say(err, errlen, "%s: netlink socket: %s", what, strerror(saved));
        return saved;
    }
    r->header.nlmsg_seq = 1;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, r->bytes, r->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        int saved = errno;
        close(fd);
        say(err, errlen, "%s: netlink send: %s", what, strerror(saved));
        return saved;
    }
    // The ack (an NLMSG_ERROR, 0 for success) is the only answer without NLM_F_ECHO.
    char answer[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t got = recv(fd, answer, sizeof answer, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int saved = errno;
            close(fd);
            say(err, errlen, "%s: netlink receive: %s", what, strerror(saved));
            return saved;
        }
        int length = (int)got;
        for (struct nlmsghdr *h = (struct nlmsghdr *)answer; NLMSG_OK(h, length); h = NLMSG_NEXT(h, length)) {
            if (h->nlmsg_seq != r->header.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
            close(fd);
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
                say(err, errlen, "%s: a truncated netlink ack", what);
                return EPROTO;
            }
            int code = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
            if (code) say(err, errlen, "%s: %s", what, strerror(code));
            return code;
        }
    }
}

static int add_ingress_qdisc(int ifindex, char *err, size_t errlen) {
    struct tcmsg qdisc = {.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_handle = INGRESS_HANDLE, .tcm_parent = TC_H_INGRESS};
    struct request r;
    request_start(&r, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, &qdisc, sizeof qdisc);
    attribute(&r, TCA_KIND, "ingress", sizeof "ingress");
    char what[64];
    snprintf(what, sizeof what, "adding an ingress qdisc to link %d", ifindex);
    int code = transact(&r, what, err, errlen);
    return code == 0 || code == EEXIST ? 0 : -1;
}

/// `u32 match u32 0 0`: one key, mask 0, so every frame matches.
static void match_everything(struct request *r) {
    struct {
        struct tc_u32_sel selector;
        struct tc_u32_key key;
    } match;
    memset(&match, 0, sizeof match);
    match.selector.flags = TC_U32_TERMINAL;
    match.selector.nkeys = 1;
    attribute(r, TCA_U32_SEL, &match, sizeof match);
}

/// `action mirred egress redirect dev TO`, as the filter's first action.
static void redirect_action(struct request *r, int to_ifindex) {
    struct rtattr *actions = nest_start(r, TCA_U32_ACT);
    struct rtattr *first = nest_start(r, 1);
    attribute(r, TCA_ACT_KIND, "mirred", sizeof "mirred");
    struct rtattr *options = nest_start(r, TCA_ACT_OPTIONS);
    struct tc_mirred mirred;
    memset(&mirred, 0, sizeof mirred);
    mirred.action = TC_ACT_STOLEN;
    mirred.eaction = TCA_EGRESS_REDIR;
    mirred.ifindex = (__u32)to_ifindex;
    attribute(r, TCA_MIRRED_PARMS, &mirred, sizeof mirred);
    nest_end(r, options);
    nest_end(r, first);
    nest_end(r, actions);
}

int cos_tc_redirect_ingress(int from_ifindex, int to_ifindex, char *err, size_t errlen) {
    if (add_ingress_qdisc(from_ifindex, err, errlen) != 0) return -1;
    struct tcmsg filter = {
        .tcm_family = AF_UNSPEC,
        .tcm_ifindex = from_ifindex,
        .tcm_parent = INGRESS_HANDLE,
        .tcm_info = TC_H_MAKE(REDIRECT_PRIORITY << 16, htons(ETH_P_ALL)),
    };
    struct request r;
    request_start(&r, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &filter, sizeof filter);
    attribute(&r, TCA_KIND, "u32", sizeof "u32");
    struct rtattr *options = nest_start(&r, TCA_OPTIONS);
    match_everything(&r);
    redirect_action(&r, to_ifindex);
    nest_end(&r, options);
    char what[96];
    snprintf(what, sizeof what, "adding a redirect filter from link %d to link %d", from_ifindex, to_ifindex);
    return transact(&r, what, err, errlen) ? -1 : 0;
}

int cos_tc_remove_ingress(int ifindex, char *err, size_t errlen) {
    struct tcmsg qdisc = {.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_handle = INGRESS_HANDLE, .tcm_parent = TC_H_INGRESS};
    struct request r;
    request_start(&r, RTM_DELQDISC, 0, &qdisc, sizeof qdisc);
    char what[64];
    snprintf(what, sizeof what, "removing the ingress qdisc of link %d", ifindex);
    int code = transact(&r, what, err, errlen);
    // No qdisc there: ENOENT, or EINVAL from kernels that find no ingress to delete.
    if (code == ENOENT || code == EINVAL) {
        if (errlen) err[0] = 0;
        return 0;
    }
    return code ? -1 : 0;
}
