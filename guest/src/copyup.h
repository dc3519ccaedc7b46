/* tmpcopyup (runc's runtime mount option): the files a tmpfs covers, copied into it. */
#ifndef VMM_COPYUP_H
#define VMM_COPYUP_H

/* Copies the tree under the directory src_fd (the covered one, opened before
 * the mount) into the directory dst_fd: directories, files, symlinks,
 * devices and fifos, with their modes, owners and times. 0, or -1 with errno. */
int copy_tree(int src_fd, int dst_fd);

#endif
