// Network namespaces for the calling thread (setns and unshare with
// CLONE_NEWNET, which Swift's Glibc module does not show).
#ifndef COS_NAMESPACE_H
#define COS_NAMESPACE_H

/// Joins the network namespace behind `fd`; 0, or -1 with errno.
int cos_join_network_namespace(int fd);
/// A new, empty network namespace; 0, or -1 with errno.
int cos_new_network_namespace(void);

#endif
