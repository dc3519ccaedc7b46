// vhost-net (/dev/vhost-net): the host kernel moves a virtio-net device's
// packets between its rings in guest memory and a TAP. The ioctls carry
// structs from <linux/vhost.h>, which Swift cannot build.
#ifndef COS_VHOST_NET_H
#define COS_VHOST_NET_H

#include <stdint.h>

/// One guest RAM range as the VMM maps it.
struct cos_vhost_region {
    uint64_t guest_address;
    uint64_t size;
    uint64_t host_address;
};

/// Each returns 0, or -1 with errno.
int cos_vhost_set_owner(int fd);
int cos_vhost_get_features(int fd, uint64_t *features);
int cos_vhost_set_features(int fd, uint64_t features);
int cos_vhost_set_memory(int fd, const struct cos_vhost_region *regions, int count);
/// Size, addresses (host virtual), start index 0, kick and call eventfds.
int cos_vhost_start_ring(int fd, unsigned index, unsigned size, uint64_t descriptors, uint64_t available, uint64_t used,
                         int kick, int call);
/// The TAP behind ring `index` (-1 detaches it: the kernel stops using the ring).
int cos_vhost_net_set_backend(int fd, unsigned index, int tap);
/// Stops the ring and returns where it got to.
int cos_vhost_stop_ring(int fd, unsigned index, unsigned *last_available);

#endif
