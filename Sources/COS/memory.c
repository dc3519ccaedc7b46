// memfd_create(2), which glibc declares only under _GNU_SOURCE.
#define _GNU_SOURCE
#include "cos_memory.h"

#include <sys/mman.h>

const unsigned int COS_MFD_CLOEXEC = MFD_CLOEXEC;

int cos_memfd_create(const char *name, unsigned int flags) { return memfd_create(name, flags); }
