/* Writing a value to a kernel file (/proc/sys, /proc/self, a cgroup's). */
#ifndef VMM_KERNEL_FILE_H
#define VMM_KERNEL_FILE_H

/* One write(2) of value, as these files want it. 0, or -1 with errno. */
int kernel_file_write(const char *path, const char *value);

#endif
