// Unix stream sockets, with descriptors passed by SCM_RIGHTS.
#ifndef COS_SOCKETS_H
#define COS_SOCKETS_H

#include <stddef.h>

/// A connected (close-on-exec) stream socket to `path`; -1 with errno
/// (ENAMETOOLONG when the path does not fit sockaddr_un).
int cos_unix_connect(const char *path);
/// A listening (close-on-exec) stream socket bound at `path`; -1 with errno.
int cos_unix_listen(const char *path, int backlog);

/// sendmsg with up to `nfds` descriptors attached. Returns bytes sent or -1.
long cos_send_with_fds(int socket, const void *data, size_t length, const int *fds, int nfds);
/// recvmsg; stores up to `max_fds` received descriptors (close-on-exec) in
/// `fds` and their count in `*nfds`. Returns bytes received or -1.
long cos_recv_with_fds(int socket, void *data, size_t length, int *fds, int max_fds, int *nfds);

#endif
