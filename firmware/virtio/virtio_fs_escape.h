/* virtio_fs_escape (virtio_fs.c built with -DESCAPE): a hostile FUSE client
   trying to reach outside the shared root. Each attempt prints one line,
   "escape: WHAT: refused errno=N" or what it got; a test reads them
   (VirtioFSFirmwareTests) and the root holds an `outside` symlink to a
   host file whose text must never come back. Included by virtio_fs.c. */

static void escape_say(const char *what, const char *result, int32_t error)
{
    uart_puts("escape: ");
    uart_puts(what);
    uart_puts(": ");
    if (error) {
        uart_puts("refused errno=");
        put_dec((uint32_t)error);
    } else {
        uart_puts(result);
    }
    uart_putc('\n');
}

static int32_t escape_lookup(uint64_t parent, const char *name, struct fuse_entry_out *entry)
{
    int32_t error = 0;
    struct request r = { FUSE_LOOKUP, parent, 0, 0, name, (uint32_t)strlen(name) + 1, entry, sizeof *entry, 0, &error };
    fuse_call(LOOKUP, &r, 0);
    if (!error && entry->nodeid == 0)
        error = 2; /* a negative entry */
    return error;
}

static int32_t escape_getattr(uint64_t nodeid, struct fuse_attr_out *attr)
{
    int32_t error = 0;
    struct fuse_getattr_in arg = { 0, 0, 0 };
    struct request r = { FUSE_GETATTR, nodeid, &arg, sizeof arg, 0, 0, attr, sizeof *attr, 0, &error };
    fuse_call(GETATTR, &r, 0);
    return error;
}

/* OPEN then READ: what a file the guest should not reach would show. */
static void escape_read(const char *what, uint64_t nodeid, uint64_t forged_fh)
{
    int32_t error = 0;
    struct fuse_open_in open_in = { FUSE_O_RDONLY, 0 };
    struct fuse_open_out opened;
    struct fuse_read_in read_in;
    const uint8_t *data;
    uint32_t n, i;
    opened.fh = forged_fh;
    if (!forged_fh) {
        struct request r = { FUSE_OPEN, nodeid, &open_in, sizeof open_in, 0, 0, &opened, sizeof opened, 0, &error };
        fuse_call(OPEN, &r, 0);
        if (error) {
            escape_say(what, 0, error);
            return;
        }
    }
    memset(&read_in, 0, sizeof read_in);
    read_in.fh = opened.fh;
    read_in.size = 64;
    {
        struct request r = { FUSE_READ, nodeid, &read_in, sizeof read_in, 0, 0, 0, 0, 64, &error };
        n = fuse_call(READ, &r, &data);
    }
    if (error) {
        escape_say(what, 0, error);
        return;
    }
    uart_puts("escape: ");
    uart_puts(what);
    uart_puts(": READ ");
    for (i = 0; i < n; i++)
        uart_putc((char)data[i] == '\n' ? ' ' : (char)data[i]);
    uart_putc('\n');
}

static void escape_attempts(void)
{
    struct fuse_attr_out root, attr;
    struct fuse_entry_out entry, link;
    const uint64_t forged = 0x7F00000000001234ull;
    int32_t error;

    memset(&entry, 0, sizeof entry);
    memset(&link, 0, sizeof link);

    if ((error = escape_getattr(FUSE_ROOT_ID, &root)))
        step_failed(GETATTR, (uint32_t)error, "GETATTR of the root", 0);

    error = escape_lookup(FUSE_ROOT_ID, "..", &entry);
    escape_say("lookup .. of the root", entry.attr.ino == root.attr.ino ? "the root itself" : "ANOTHER INODE", error);
    error = escape_lookup(FUSE_ROOT_ID, "../etc", &entry);
    escape_say("lookup ../etc", "FOUND", error);
    error = escape_lookup(FUSE_ROOT_ID, "/etc", &entry);
    escape_say("lookup /etc", "FOUND", error);

    error = escape_lookup(FUSE_ROOT_ID, "outside", &link);
    escape_say("lookup the symlink to outside", (link.attr.mode & 0170000) == 0120000 ? "a symlink node" : "NOT A SYMLINK", error);
    if (!error) {
        escape_read("open through the symlink", link.nodeid, 0);
        error = escape_lookup(link.nodeid, "..", &entry);
        escape_say("lookup .. under the symlink", entry.attr.ino == root.attr.ino ? "the root itself" : "ANOTHER INODE", error);
    }

    error = escape_getattr(forged, &attr);
    escape_say("getattr of a forged node id", "ANSWERED", error);
    escape_read("open a forged node id", forged, 0);
    error = escape_lookup(forged, "hello.txt", &entry);
    escape_say("lookup under a forged node id", "FOUND", error);
    error = escape_lookup(FUSE_ROOT_ID, "hello.txt", &entry);
    if (error)
        step_failed(LOOKUP, (uint32_t)error, "LOOKUP hello.txt", 0);
    escape_read("read with a forged file handle", entry.nodeid, 0x4242424242ull);
    uart_puts("escape: done\n");
}
