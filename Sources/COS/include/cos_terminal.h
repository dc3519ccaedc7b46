// Pseudo-terminals.
#ifndef COS_TERMINAL_H
#define COS_TERMINAL_H

#include <stddef.h>

/// A new pseudo-terminal: returns the master (close-on-exec) and writes the
/// slave's path into `name`; -1 with errno on failure.
int cos_open_pty(char *name, size_t length);
/// Makes `fd` (a terminal) the calling session leader's controlling terminal.
int cos_set_controlling_terminal(int fd);

#endif
