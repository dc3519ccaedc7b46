// A TAP's virtio-net header and offloads (TUNSETVNETHDRSZ, TUNSETOFFLOAD):
// with them the TAP reads and writes the header the guest's frames carry,
// so frames move between TAP and guest buffers unchanged.
#ifndef COS_TAP_OFFLOAD_H
#define COS_TAP_OFFLOAD_H

/// TUN_F_* bits for cos_tap_set_offload.
enum {
    COS_TAP_CSUM = 0x01,
    COS_TAP_TSO4 = 0x02,
    COS_TAP_TSO6 = 0x04,
};

/// 0, or -1 with errno.
int cos_tap_set_header_size(int fd, int size);
int cos_tap_set_offload(int fd, unsigned offloads);

#endif
