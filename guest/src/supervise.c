#include "supervise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "channel.h"
#include "control.h"
#include "exec.h"
#include "log.h"
#include "network_apply.h"
#include "signals.h"

struct state {
    const struct supervisor_config *config;
    pid_t child; /* 0 until START */
    struct control_decoder decoder;
    bool control_idle; /* the host has not opened the port: poll would report it readable at once */
    bool control_dead; /* unusable (read error or a corrupt stream): no more host messages */
};

static noreturn void report_exit(int32_t code, int32_t signal)
{
    uint8_t buf[CONTROL_MAX_MESSAGE];
    if (channel_send(buf, control_encode_exited(buf, sizeof buf, code, signal)) < 0)
        log_msg("could not send EXITED: %s", strerror(errno));
    power_off();
}

static void start(struct state *s)
{
    char err[1024];
    pid_t pid = spawn_process(s->config->pd, &s->config->io, err, sizeof err);
    if (pid < 0)
        fatal("%s", err);
    s->child = pid;
    /* The process holds the ports now; a port stays open (for the host) while anyone has it open. */
    if (!s->config->io.terminal) {
        close(s->config->io.in);
        close(s->config->io.out);
        close(s->config->io.err);
    }
    uint8_t buf[CONTROL_MAX_MESSAGE];
    if (channel_send(buf, control_encode_started(buf, sizeof buf, (uint32_t)pid)) < 0)
        log_msg("could not send STARTED: %s", strerror(errno));
}

/* Reaps every exited child; the process's own exit ends the VM. */
static void reap(struct state *s)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (exec_reaped(pid, status) || pid != s->child || s->child == 0)
            continue;
        if (WIFEXITED(status))
            report_exit(WEXITSTATUS(status), 0);
        if (WIFSIGNALED(status))
            report_exit(-1, WTERMSIG(status));
    }
}

/* everyone: the process and every exec'd process with its children
 * (OCI `kill --all`); kill(-1) from init spares only init. */
static void deliver(struct state *s, int sig, const char *from, bool everyone)
{
    if (s->child > 0) {
        if (kill(everyone ? -1 : s->child, sig) < 0)
            log_msg("signal %d from %s: kill: %s", sig, from, strerror(errno));
    } else if (signal_is_fatal_by_default(sig)) {
        /* Not started yet: the signal ends the container before it ran, as it would a waiting runtime. */
        log_msg("signal %d from %s before START: ending", sig, from);
        report_exit(-1, sig);
    }
}

static void handle_signals(struct state *s)
{
    struct signalfd_siginfo si;
    ssize_t n;
    while ((n = read(s->config->signal_fd, &si, sizeof si)) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
            reap(s);
        else
            deliver(s, (int)si.ssi_signo, "the kernel", false);
    }
}

static void handle_exec_message(struct state *s, const struct control_message *m)
{
    uint32_t id;
    const uint8_t *bytes;
    size_t n;
    int32_t sig;
    uint16_t rows, columns;
    switch (m->type) {
    case CONTROL_EXEC:
        if (control_parse_exec_bytes(m, &id, &bytes, &n) == 0)
            exec_start(id, bytes, n, s->child);
        return;
    case CONTROL_EXEC_INPUT:
        if (control_parse_exec_bytes(m, &id, &bytes, &n) == 0)
            exec_input(id, bytes, n);
        return;
    case CONTROL_EXEC_SIGNAL:
        if (control_parse_exec_signal(m, &id, &sig) == 0)
            exec_signal(id, sig);
        return;
    case CONTROL_EXEC_WINSIZE:
        if (control_parse_exec_winsize(m, &id, &rows, &columns) == 0)
            exec_winsize(id, rows, columns);
        return;
    }
}

/* Only before START: the process must not see eth0 change under it. */
static void configure_network(struct state *s, const struct control_message *m)
{
    if (s->child != 0) {
        log_msg("NETWORK after START ignored");
        return;
    }
    char err[512];
    if (network_apply(m->payload, m->length, err, sizeof err) < 0)
        fatal("NETWORK: %s", err);
}

static void handle_message(struct state *s, const struct control_message *m)
{
    switch (m->type) {
    case CONTROL_START:
        if (s->child == 0)
            start(s);
        break;
    case CONTROL_SIGNAL:
    case CONTROL_SIGNAL_ALL: {
        int32_t sig;
        if (control_parse_signal(m, &sig) < 0)
            log_msg("SIGNAL with a %zu-byte payload ignored", m->length);
        else if (sig <= 0 || sig >= NSIG)
            log_msg("SIGNAL %d ignored: no such signal", sig);
        else
            deliver(s, sig, "the host", m->type == CONTROL_SIGNAL_ALL);
        break;
    }
    case CONTROL_WINSIZE: {
        struct winsize ws = {0};
        if (control_parse_winsize(m, &ws.ws_row, &ws.ws_col) < 0)
            log_msg("WINSIZE with a %zu-byte payload ignored", m->length);
        else if (s->config->tty_fd >= 0 && ioctl(s->config->tty_fd, TIOCSWINSZ, &ws) < 0)
            log_msg("WINSIZE: TIOCSWINSZ: %s", strerror(errno));
        break;
    }
    case CONTROL_EXEC:
    case CONTROL_EXEC_INPUT:
    case CONTROL_EXEC_SIGNAL:
    case CONTROL_EXEC_WINSIZE:
        handle_exec_message(s, m);
        break;
    case CONTROL_NETWORK:
        configure_network(s, m);
        break;
    default:
        break; /* unknown: ignored, for forward compatibility */
    }
}

static void handle_control(struct state *s)
{
    size_t room;
    uint8_t *space = control_decoder_space(&s->decoder, &room);
    ssize_t n = read(channel_fd(), space, room);
    if (n == 0) {
        s->control_idle = true;
        return;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        log_msg("control port: read: %s", strerror(errno));
        s->control_dead = true;
        if (s->child == 0)
            fatal("control port unreadable before START");
        return;
    }
    control_decoder_commit(&s->decoder, (size_t)n);
    struct control_message m;
    enum control_decode_result r;
    while ((r = control_decoder_next(&s->decoder, &m)) == CONTROL_GOT_MESSAGE)
        handle_message(s, &m);
    if (r == CONTROL_BAD_STREAM) {
        s->control_dead = true;
        log_msg("control port: bad message length; no longer reading host messages");
        if (s->child == 0)
            fatal("corrupt control stream before START");
    }
}

noreturn void supervise(const struct supervisor_config *config)
{
    struct state s = {.config = config};
    control_decoder_init(&s.decoder);
    for (;;) {
        struct pollfd fds[2 + EXEC_POLL_FDS] = {
            {.fd = config->signal_fd, .events = POLLIN},
            {.fd = s.control_dead || s.control_idle ? -1 : channel_fd(), .events = POLLIN},
        };
        size_t nexec = exec_poll_fds(fds + 2, EXEC_POLL_FDS);
        /* While the host has not opened the port, look again now and then instead of spinning. */
        int r = poll(fds, 2 + nexec, !s.control_idle ? -1 : s.child == 0 ? 20 : 200);
        s.control_idle = false;
        if (r < 0) {
            if (errno != EINTR) {
                log_msg("poll: %s", strerror(errno));
                usleep(10000);
            }
            continue;
        }
        if (fds[0].revents & POLLIN)
            handle_signals(&s);
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            handle_control(&s);
        exec_poll_ready(fds + 2, nexec);
    }
}
