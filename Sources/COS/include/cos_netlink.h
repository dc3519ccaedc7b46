// tc's ingress redirect between a TAP and the manager's interface (`tc
// filter ... u32 match u32 0 0 action mirred egress redirect`) over
// rtnetlink, built by hand: the messages are nests of C structs that Swift
// cannot lay out, and libnl would be one more dependency.
#ifndef COS_NETLINK_H
#define COS_NETLINK_H

#include <stddef.h>

/// Everything arriving on `from_ifindex` leaves by `to_ifindex`: an
/// ingress qdisc on `from` (one already there is used) and a u32 filter
/// matching every frame with a mirred egress redirect. 0, or -1 with the
/// reason in `err`; a qdisc it made stays when the filter fails.
int cos_tc_redirect_ingress(int from_ifindex, int to_ifindex, char *err, size_t errlen);

/// Deletes the ingress qdisc of `ifindex`, and with it its filters; none
/// there is success. 0, or -1 with the reason in `err`.
int cos_tc_remove_ingress(int ifindex, char *err, size_t errlen);

#endif
