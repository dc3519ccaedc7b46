/*
 * vmm guest init (PID 1). Sets the VM up from /vmm/process, tells the host
 * READY on the control port, runs the process on START as its child, and
 * reports its exit before ending the VM. The wire contract is PROTOCOL.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "channel.h"
#include "control.h"
#include "devices.h"
#include "log.h"
#include "markers.h"
#include "mounts.h"
#include "net.h"
#include "ports.h"
#include "process_description.h"
#include "signals.h"
#include "supervise.h"

#define PROCESS_FILE "/vmm/process"

/*
 * Without a console the kernel starts init with fds 0-2 closed; the port
 * fds must not land there, or the child's dup2 onto 0-2 would clobber them.
 */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
            fatal("open /dev/null: %s", strerror(errno));
}

static void load_description(struct process_description *pd)
{
    int fd = open(PROCESS_FILE, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fatal("open " PROCESS_FILE ": %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0)
        fatal("stat " PROCESS_FILE ": %s", strerror(errno));
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    if (!data)
        fatal(PROCESS_FILE " is too large (%zu bytes)", size);
    size_t have = 0;
    while (have < size) {
        ssize_t n = read(fd, data + have, size - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fatal("read " PROCESS_FILE ": %s", strerror(errno));
        if (n == 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    char err[512];
    if (process_description_parse(data, have, pd, err, sizeof err) < 0)
        fatal("malformed " PROCESS_FILE ": %s", err);
    free(data);
}

static void prepare_filesystems(const struct process_description *pd)
{
    char err[1024];
    if (pd->binds_tag && mounts_binds_share(pd->binds_tag, err, sizeof err) < 0)
        fatal("%s", err);
    if (pd->rootfs_tag ? mounts_enter_rootfs(pd->rootfs_tag, pd->rootfs_readonly, err, sizeof err)
                       : mounts_tmp(err, sizeof err))
        fatal("%s", err);
    marker(MARKER_ROOTFS_READY);
    if (mounts_apply(pd->mounts, pd->nmounts, err, sizeof err) < 0 ||
        devices_create(pd->devices, pd->ndevices, err, sizeof err) < 0 || cgroup_prepare(pd, err, sizeof err) < 0)
        fatal("%s", err);
}

static int open_port(const char *name, int flags)
{
    char path[64];
    if (ports_wait(name, path, sizeof path, PORTS_TIMEOUT_MS) < 0)
        fatal("no virtio-console port named %s after %d ms", name, PORTS_TIMEOUT_MS);
    int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        fatal("open %s (%s): %s", path, name, strerror(errno));
    return fd;
}

/* Terminal: hvc0 (kept open for WINSIZE). Otherwise the three stdio ports, handed to the process at START. */
static void open_stdio(const struct process_description *pd, struct supervisor_config *config)
{
    config->io.terminal = pd->terminal;
    config->tty_fd = -1;
    if (pd->terminal) {
        static char tty[64];
        devices_guest_path(CONSOLE_TTY, tty, sizeof tty);
        if (path_wait(tty, PORTS_TIMEOUT_MS) < 0)
            fatal("no /dev/" CONSOLE_TTY " after %d ms", PORTS_TIMEOUT_MS);
        config->io.tty = tty;
        config->tty_fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (config->tty_fd < 0)
            fatal("open /dev/" CONSOLE_TTY ": %s", strerror(errno));
        char err[512];
        if (devices_console(tty, err, sizeof err) < 0 || devices_detach_devtmpfs(err, sizeof err) < 0)
            fatal("%s", err);
        return;
    }
    config->io.in = open_port(PORT_STDIN, O_RDONLY);
    config->io.out = open_port(PORT_STDOUT, O_WRONLY);
    config->io.err = open_port(PORT_STDERR, O_WRONLY);
    char err[512];
    if (devices_detach_devtmpfs(err, sizeof err) < 0)
        fatal("%s", err);
}

int main(void)
{
    markers_init();
    marker(MARKER_INIT_STARTED);
    sigset_t signals;
    signals_block(&signals);

    char err[1024];
    if (mounts_dev(err, sizeof err) < 0)
        fatal("%s", err);
    ensure_std_fds();
    if (mounts_pseudo(err, sizeof err) < 0)
        fatal("%s", err);

    /* The control port first: from here on every failure reaches the host as ERROR. */
    char control[64];
    if (ports_wait(PORT_CONTROL, control, sizeof control, PORTS_TIMEOUT_MS) < 0)
        fatal("no virtio-console port named " PORT_CONTROL " after %d ms", PORTS_TIMEOUT_MS);
    if (channel_open(control) < 0)
        fatal("open %s (" PORT_CONTROL "): %s", control, strerror(errno));

    struct process_description pd;
    load_description(&pd);
    prepare_filesystems(&pd);
    if (pd.hostname && sethostname(pd.hostname, strlen(pd.hostname)) < 0)
        fatal("sethostname \"%s\": %s", pd.hostname, strerror(errno));
    if (net_loopback_up() < 0)
        log_msg("bringing up lo: %s", strerror(errno));

    struct supervisor_config config = {.pd = &pd};
    open_stdio(&pd, &config);
    config.signal_fd = signals_fd(&signals);
    if (config.signal_fd < 0)
        fatal("signalfd: %s", strerror(errno));

    uint8_t buf[CONTROL_HEADER_SIZE];
    if (channel_send(buf, control_encode(buf, sizeof buf, CONTROL_READY, NULL, 0)) < 0)
        fatal("send READY: %s", strerror(errno));
    marker(MARKER_READY_SENT);
    supervise(&config);
}
