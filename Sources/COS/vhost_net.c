// vhost-net ioctls (see cos_vhost_net.h).
#include "cos_vhost_net.h"

#include <errno.h>
#include <linux/vhost.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int cos_vhost_set_owner(int fd) { return ioctl(fd, VHOST_SET_OWNER); }

int cos_vhost_get_features(int fd, uint64_t *features) { return ioctl(fd, VHOST_GET_FEATURES, features); }

int cos_vhost_set_features(int fd, uint64_t features) { return ioctl(fd, VHOST_SET_FEATURES, &features); }

int cos_vhost_set_memory(int fd, const struct cos_vhost_region *regions, int count)
{
    if (count < 0 || count > 64) {
        errno = EINVAL;
        return -1;
    }
    size_t size = sizeof(struct vhost_memory) + (size_t)count * sizeof(struct vhost_memory_region);
    struct vhost_memory *table = calloc(1, size);
    if (!table)
        return -1;
    table->nregions = (uint32_t)count;
    for (int i = 0; i < count; i++) {
        table->regions[i].guest_phys_addr = regions[i].guest_address;
        table->regions[i].memory_size = regions[i].size;
        table->regions[i].userspace_addr = regions[i].host_address;
    }
    int r = ioctl(fd, VHOST_SET_MEM_TABLE, table);
    int saved = errno;
    free(table);
    errno = saved;
    return r;
}

int cos_vhost_start_ring(int fd, unsigned index, unsigned size, uint64_t descriptors, uint64_t available, uint64_t used,
                         int kick, int call)
{
    struct vhost_vring_state num = {.index = index, .num = size};
    struct vhost_vring_state base = {.index = index, .num = 0};
    struct vhost_vring_addr addr = {
        .index = index, .desc_user_addr = descriptors, .avail_user_addr = available, .used_user_addr = used};
    struct vhost_vring_file kick_file = {.index = index, .fd = kick};
    struct vhost_vring_file call_file = {.index = index, .fd = call};
    if (ioctl(fd, VHOST_SET_VRING_NUM, &num) < 0 || ioctl(fd, VHOST_SET_VRING_BASE, &base) < 0 ||
        ioctl(fd, VHOST_SET_VRING_ADDR, &addr) < 0 || ioctl(fd, VHOST_SET_VRING_KICK, &kick_file) < 0 ||
        ioctl(fd, VHOST_SET_VRING_CALL, &call_file) < 0)
        return -1;
    return 0;
}

int cos_vhost_net_set_backend(int fd, unsigned index, int tap)
{
    struct vhost_vring_file backend = {.index = index, .fd = tap};
    return ioctl(fd, VHOST_NET_SET_BACKEND, &backend);
}

int cos_vhost_stop_ring(int fd, unsigned index, unsigned *last_available)
{
    struct vhost_vring_state state = {.index = index, .num = 0};
    int r = ioctl(fd, VHOST_GET_VRING_BASE, &state);
    if (r == 0 && last_available)
        *last_available = state.num;
    return r;
}
