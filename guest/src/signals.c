#include "signals.h"

#include <stddef.h>
#include <sys/signalfd.h>

/*
 * Forwarded to the process. Not the synchronous faults (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT): those are init's own bugs. Not
 * SIGKILL/SIGSTOP: nobody can catch them, and the kernel never sends them
 * to PID 1 anyway.
 */
static const int forwarded[] = {
    SIGHUP, SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,   SIGALRM, SIGTERM, SIGCONT, SIGTSTP,
    SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO,  SIGPWR,
};

void signals_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGCHLD);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        sigaddset(set, forwarded[i]);
    /* Real-time signals have no meaning to init either: forward them too. */
    for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
        sigaddset(set, s);
    sigprocmask(SIG_BLOCK, set, NULL);
}

int signals_fd(const sigset_t *set) { return signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC); }

bool signal_is_fatal_by_default(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return false;
    default:
        return sig > 0 && sig < NSIG;
    }
}
