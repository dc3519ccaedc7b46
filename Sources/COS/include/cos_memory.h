// Shareable memory: guest RAM that virtiofsd maps too.
#ifndef COS_MEMORY_H
#define COS_MEMORY_H

#include <stddef.h>

/// memfd_create(2): guest memory must be a shareable fd (virtiofsd maps it).
int cos_memfd_create(const char *name, unsigned int flags);
extern const unsigned int COS_MFD_CLOEXEC;

#endif
