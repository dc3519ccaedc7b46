// An interface's MTU and MAC (SIOCGIFMTU, SIOCGIFHWADDR): struct ifreq is
// a union Swift cannot fill nicely.
#ifndef COS_INTERFACE_H
#define COS_INTERFACE_H

/// The MTU of interface `name` in the calling thread's network namespace,
/// or -1 with errno.
int cos_interface_mtu(const char *name);

/// Copies the 6-byte hardware address of `name` into `mac`; 0, or -1 with errno.
int cos_interface_mac(const char *name, unsigned char *mac);

#endif
