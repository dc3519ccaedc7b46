/*
 * What the container's process may do, set by its child of init before the
 * exec: the sysctls of its namespaces, its OOM score adjustment, its
 * capability sets and no_new_privs. Each returns 0, or -1 with errno set and
 * what failed in what (for the start error).
 */
#ifndef VMM_PRIVILEGES_H
#define VMM_PRIVILEGES_H

#include <stddef.h>

#include "process_description.h"

/* SYSCTL records, as root, into the process's fresh /proc. */
int privileges_sysctls(const struct process_description *pd, char *what, size_t size);

/* OOM_SCORE_ADJ, as root (lowering it needs CAP_SYS_RESOURCE). */
int privileges_oom_score_adj(const struct process_description *pd, char *what, size_t size);

/* Before the uid changes: drops what CAPS leaves out of the bounding set,
 * and keeps the permitted set across setuid (runc's order). */
int privileges_before_setuid(const struct process_description *pd, char *what, size_t size);

/* After the uid changes: the effective, permitted, inheritable and ambient
 * sets of CAPS, then NO_NEW_PRIVS. */
int privileges_after_setuid(const struct process_description *pd, char *what, size_t size);

#endif
