#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "channel.h"
#include "control.h"
#include "log.h"
#include "process_description.h"
#include "spawn.h"

struct session {
    bool used;
    uint32_t id;
    pid_t pid;
    bool terminal;
    int in;       /* stdin's write end, or the terminal's master; -1 once closed */
    int out, err; /* read ends (out is the master with a terminal); -1 once at EOF */
    uint8_t *pending; /* stdin bytes not yet written */
    size_t npending;
    bool input_ended; /* EXEC_INPUT with no bytes came: close stdin after the pending bytes */
};

static struct session sessions[EXEC_MAX];

static struct session *find(uint32_t id)
{
    for (size_t i = 0; i < EXEC_MAX; i++)
        if (sessions[i].used && sessions[i].id == id)
            return &sessions[i];
    return NULL;
}

static void send_error(uint32_t id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_error(uint32_t id, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    uint8_t buf[CONTROL_MAX_MESSAGE];
    if (channel_send(buf, control_encode_exec_error(buf, sizeof buf, id, text)) < 0)
        log_msg("could not send EXEC_ERROR: %s", strerror(errno));
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Pipes for stdio: the child's ends in io, ours non-blocking in s. */
static int make_pipes(struct session *s, struct spawn_stdio *io)
{
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]), close(in[1]);
        return -1;
    }
    if (pipe2(err, O_CLOEXEC) < 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        return -1;
    }
    *io = (struct spawn_stdio){.in = in[0], .out = out[1], .err = err[1], .tty_fd = -1};
    s->in = in[1];
    s->out = out[0];
    s->err = err[0];
    return 0;
}

/* A pseudo-terminal from the container's /dev/ptmx: the slave for the child, the master ours. */
static int make_terminal(struct session *s, struct spawn_stdio *io)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return -1;
    char name[64];
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ptsname_r(master, name, sizeof name) != 0) {
        close(master);
        return -1;
    }
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        close(master);
        return -1;
    }
    *io = (struct spawn_stdio){.terminal = true, .tty_fd = slave};
    s->in = master;
    s->out = dup(master);
    s->err = -1;
    if (s->out < 0) {
        close(master), close(slave);
        return -1;
    }
    fcntl(s->out, F_SETFD, FD_CLOEXEC);
    return 0;
}

void exec_start(uint32_t id, const uint8_t *description, size_t n, pid_t main_pid)
{
    if (main_pid <= 0) {
        send_error(id, "the container is not running");
        return;
    }
    if (find(id)) {
        send_error(id, "exec id %u is already in use", id);
        return;
    }
    struct session *s = NULL;
    for (size_t i = 0; i < EXEC_MAX && !s; i++)
        if (!sessions[i].used)
            s = &sessions[i];
    if (!s) {
        send_error(id, "too many exec'd processes at once (at most %d)", EXEC_MAX);
        return;
    }
    struct process_description pd;
    char err[1024];
    if (process_description_parse(description, n, &pd, err, sizeof err) < 0) {
        send_error(id, "malformed process description: %s", err);
        return;
    }
    *s = (struct session){.id = id, .in = -1, .out = -1, .err = -1, .terminal = pd.terminal};
    struct spawn_stdio io;
    if ((pd.terminal ? make_terminal(s, &io) : make_pipes(s, &io)) < 0) {
        send_error(id, "%s: %s", pd.terminal ? "open a terminal on /dev/ptmx" : "pipe", strerror(errno));
        process_description_free(&pd);
        return;
    }
    pid_t pid = spawn_exec(&pd, &io, main_pid, err, sizeof err);
    process_description_free(&pd);
    /* The child has its ends (or failed): ours only from here. */
    if (io.terminal)
        close(io.tty_fd);
    else
        close(io.in), close(io.out), close(io.err);
    if (pid < 0) {
        close_fd(&s->in), close_fd(&s->out), close_fd(&s->err);
        send_error(id, "%s", err);
        return;
    }
    for (int *fd = &s->in; fd <= &s->err; fd++)
        if (*fd >= 0)
            fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK);
    s->used = true;
    s->pid = pid;
    uint8_t buf[CONTROL_MAX_MESSAGE];
    if (channel_send(buf, control_encode_exec_started(buf, sizeof buf, id, (uint32_t)pid)) < 0)
        log_msg("could not send EXEC_STARTED: %s", strerror(errno));
}

/* Writes what is queued for stdin; closes it when the host ended the input and nothing is left. */
static void write_pending(struct session *s)
{
    while (s->npending > 0 && s->in >= 0) {
        ssize_t w = write(s->in, s->pending, s->npending);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return;
        if (w <= 0) {
            /* The process closed its stdin: what is left cannot be delivered. */
            s->npending = 0;
            close_fd(&s->in);
            break;
        }
        memmove(s->pending, s->pending + w, s->npending - (size_t)w);
        s->npending -= (size_t)w;
    }
    if (s->npending == 0 && s->input_ended && !s->terminal)
        close_fd(&s->in);
}

void exec_input(uint32_t id, const uint8_t *data, size_t n)
{
    struct session *s = find(id);
    if (!s || s->in < 0)
        return;
    if (n == 0) {
        s->input_ended = true;
    } else {
        uint8_t *grown = realloc(s->pending, s->npending + n);
        if (!grown) {
            log_msg("exec %u: out of memory for %zu stdin bytes; dropped", id, n);
            return;
        }
        memcpy(grown + s->npending, data, n);
        s->pending = grown;
        s->npending += n;
    }
    write_pending(s);
}

void exec_signal(uint32_t id, int signal)
{
    struct session *s = find(id);
    if (s && signal > 0 && signal < NSIG && kill(s->pid, signal) < 0)
        log_msg("exec %u: signal %d: %s", id, signal, strerror(errno));
}

void exec_winsize(uint32_t id, uint16_t rows, uint16_t columns)
{
    struct session *s = find(id);
    struct winsize ws = {.ws_row = rows, .ws_col = columns};
    if (s && s->terminal && s->in >= 0 && ioctl(s->in, TIOCSWINSZ, &ws) < 0)
        log_msg("exec %u: TIOCSWINSZ: %s", id, strerror(errno));
}

/* Sends what fd has now as EXEC_OUTPUT; at EOF (or a hung-up terminal) the
 * stream's end (no bytes) and the fd closes. Returns whether it is still open. */
static bool forward(struct session *s, int *fd, uint8_t stream, bool drain)
{
    uint8_t data[CONTROL_EXEC_OUTPUT_MAX], buf[CONTROL_MAX_MESSAGE];
    do {
        ssize_t n = read(*fd, data, sizeof data);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true;
        /* EIO: a terminal whose last slave closed. */
        size_t len = n > 0 ? (size_t)n : 0;
        if (channel_send(buf, control_encode_exec_output(buf, sizeof buf, s->id, stream, data, len)) < 0)
            log_msg("could not send EXEC_OUTPUT: %s", strerror(errno));
        if (n <= 0) {
            close_fd(fd);
            if (s->terminal)
                close_fd(&s->in);
            return false;
        }
    } while (drain);
    return true;
}

size_t exec_poll_fds(struct pollfd *fds, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < EXEC_MAX; i++) {
        struct session *s = &sessions[i];
        if (!s->used)
            continue;
        if (n < cap && s->out >= 0)
            fds[n++] = (struct pollfd){.fd = s->out, .events = POLLIN};
        if (n < cap && s->err >= 0)
            fds[n++] = (struct pollfd){.fd = s->err, .events = POLLIN};
        if (n < cap && s->in >= 0 && s->npending > 0 && !s->terminal)
            fds[n++] = (struct pollfd){.fd = s->in, .events = POLLOUT};
    }
    return n;
}

void exec_poll_ready(const struct pollfd *fds, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!fds[k].revents)
            continue;
        for (size_t i = 0; i < EXEC_MAX; i++) {
            struct session *s = &sessions[i];
            if (!s->used)
                continue;
            if (fds[k].fd == s->out && s->out >= 0)
                forward(s, &s->out, CONTROL_STREAM_STDOUT, false);
            else if (fds[k].fd == s->err && s->err >= 0)
                forward(s, &s->err, CONTROL_STREAM_STDERR, false);
            else if (fds[k].fd == s->in && s->in >= 0 && !s->terminal)
                write_pending(s);
        }
    }
}

bool exec_reaped(pid_t pid, int status)
{
    struct session *s = NULL;
    for (size_t i = 0; i < EXEC_MAX && !s; i++)
        if (sessions[i].used && sessions[i].pid == pid)
            s = &sessions[i];
    if (!s)
        return false;
    /* What it wrote before it ended goes first; a background child still
     * holding the pipes does not hold up the exit. */
    if (s->out >= 0)
        forward(s, &s->out, CONTROL_STREAM_STDOUT, true);
    if (s->err >= 0)
        forward(s, &s->err, CONTROL_STREAM_STDERR, true);
    int32_t code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int32_t sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    uint8_t buf[CONTROL_MAX_MESSAGE];
    if (channel_send(buf, control_encode_exec_exited(buf, sizeof buf, s->id, code, sig)) < 0)
        log_msg("could not send EXEC_EXITED: %s", strerror(errno));
    close_fd(&s->in), close_fd(&s->out), close_fd(&s->err);
    free(s->pending);
    *s = (struct session){0};
    return true;
}
