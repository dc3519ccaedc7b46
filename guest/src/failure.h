/* One-line failure reasons for init's steps. */
#ifndef VMM_FAILURE_H
#define VMM_FAILURE_H

#include <stddef.h>

/* Puts "WHAT: strerror(errno)" into err (WHAT from fmt); keeps errno; returns -1. */
int failed(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
