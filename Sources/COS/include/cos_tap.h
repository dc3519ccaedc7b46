// Opening a TAP device (/dev/net/tun, TUNSETIFF): struct ifreq is a union
// Swift cannot fill nicely.
#ifndef COS_TAP_H
#define COS_TAP_H

/// Flags for cos_tap_open.
enum {
    /// Frames carry the virtio-net header (IFF_VNET_HDR): vhost-net's path.
    COS_TAP_VIRTIO_HEADER = 0x01,
};

/// A close-on-exec descriptor on the TAP `name` (made if it does not
/// exist) reading and writing plain Ethernet frames (IFF_TAP | IFF_NO_PI),
/// or -1 with errno. `actual_name` (IFNAMSIZ bytes) receives the kernel's
/// name for it (a pattern like "tap%d" is filled in).
int cos_tap_open(const char *name, int flags, char *actual_name);

#endif
