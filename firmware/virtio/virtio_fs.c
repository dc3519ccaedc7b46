/* virtio_fs: a FUSE client on the VMM's virtio-fs device, whose queues
   virtiofsd serves itself (vhost-user: kicks by ioeventfd, completions by
   irqfd on GSI 6). Checks the device and its tag, sets up hiprio and the
   request queue, then INIT, LOOKUP hello.txt, GETATTR, OPEN, READ,
   RELEASE, and CREATE written.txt, WRITE, FLUSH, RELEASE; prints what it
   read and wrote, exits 0. A failed step prints
   "fuse: FAILED <step> error=<errno>" and exits with the step's status
   (steps[] below; firmware/README.md). Markers: 1 entry, 2 DRIVER_OK,
   3 INIT answered, 4 file read, 5 file written. */
#include "fuse.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"
#include "virtio_mmio.h"
#include "virtqueue.h"

#define VIRTIO_ID_FS 26
#define FS_TAG "rootfs"
#define FS_TAG_SIZE 36 /* config: tag[36], then le32 num_request_queues */
#define HIPRIO_QUEUE 0
#define REQUEST_QUEUE 1
#define MIN_QUEUE_SIZE 8
#define REPLY_TIMEOUT_MS 60000
/* Used buffers this long without an interrupt: poll from then on. */
#define IRQ_STALL_MS 2000
#define READ_SIZE 4096
#define MAX_READAHEAD 0x10000

/* errno values reported for failures that are not the server's. */
#define E_IO 5 /* short reply, short read or write */
#define E_NODEV 19 /* not the device (magic, version, id, tag, queues) */
#define E_PROTO 71 /* malformed reply header */
#define E_TIMEDOUT 110 /* no reply within REPLY_TIMEOUT_MS */

#ifdef ESCAPE
const char fw_name[] = "virtio_fs_escape";
#else
const char fw_name[] = "virtio_fs";
#endif

enum step { DEVICE, INIT, LOOKUP, GETATTR, OPEN, READ, RELEASE, CREATE, WRITE, FLUSH, RELEASE_WRITTEN };

static const struct {
    const char *name;
    uint8_t status;
} steps[] = {
    [DEVICE] = { "device", 10 },  [INIT] = { "init", 11 },        [LOOKUP] = { "lookup", 12 },
    [GETATTR] = { "getattr", 13 }, [OPEN] = { "open", 14 },        [READ] = { "read", 15 },
    [RELEASE] = { "release", 16 }, [CREATE] = { "create", 17 },    [WRITE] = { "write", 18 },
    [FLUSH] = { "flush", 19 },    [RELEASE_WRITTEN] = { "release_written", 20 },
};

static struct vq queues[2];
static uint64_t next_unique = 1;
/* Set once used buffers sat IRQ_STALL_MS without an interrupt. */
static int polling;

static void put_dec(uint32_t v)
{
    char digits[10];
    uint32_t i, n = fmt_dec(digits, v);
    for (i = 0; i < n; i++)
        uart_putc(digits[i]);
}

/* "fuse: FAILED <step> error=<errno>", after "virtio_fs: <detail>" if any. */
static __attribute__((noreturn)) void step_failed(enum step s, uint32_t error, const char *detail, uint32_t value)
{
    if (detail) {
        uart_puts(fw_name);
        uart_puts(": ");
        uart_puts(detail);
        uart_putc(' ');
        put_dec(value);
        uart_putc('\n');
    }
    uart_puts("fuse: FAILED ");
    uart_puts(steps[s].name);
    uart_puts(" error=");
    put_dec(error);
    uart_putc('\n');
    debug_exit(steps[s].status);
}

/* The device before the library's vm_init (which would exit 99): ours to report. */
static void check_device(void)
{
    uint32_t base = FS_MMIO_BASE;
    if (mmio_read32(base + VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
        step_failed(DEVICE, E_NODEV, "no virtio-mmio magic at 0xD0002000, read", mmio_read32(base + VIRTIO_MMIO_MAGIC_VALUE));
    if (mmio_read32(base + VIRTIO_MMIO_VERSION) != 2)
        step_failed(DEVICE, E_NODEV, "virtio-mmio version is not 2:", mmio_read32(base + VIRTIO_MMIO_VERSION));
    if (mmio_read32(base + VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_FS)
        step_failed(DEVICE, E_NODEV, "device id is not 26:", mmio_read32(base + VIRTIO_MMIO_DEVICE_ID));
}

static void check_config(void)
{
    static const char want[] = FS_TAG;
    uint32_t i, n;
    for (i = 0; i < FS_TAG_SIZE; i++) {
        char c = i < sizeof want - 1 ? want[i] : 0;
        if ((char)vm_config(i, 1) != c)
            step_failed(DEVICE, E_NODEV, "config tag is not \"" FS_TAG "\" NUL-padded: byte", i);
    }
    n = vm_config(FS_TAG_SIZE, 4);
    if (n < 1)
        step_failed(DEVICE, E_NODEV, "config num_request_queues:", n);
}

static void setup_queue(uint16_t q)
{
    uint32_t ring = RING_BASE + q * RING_STRIDE;
    uint16_t size = vm_queue_setup(q, VQ_MAX_SIZE, ring + VQ_DESC_OFFSET, ring + VQ_AVAIL_OFFSET, ring + VQ_USED_OFFSET);
    if (size < MIN_QUEUE_SIZE || (size & (size - 1)))
        step_failed(DEVICE, E_NODEV, "queue size not a power of 2 >= 8:", size);
    vq_init(&queues[q], q, size, ring, BUF_BASE + q * BUF_STRIDE);
}

static void device_init(void)
{
    uint64_t offered;
    check_device();
    vm_init(FS_MMIO_BASE, VIRTIO_ID_FS);
    check_config();
    mmio_write32(FS_MMIO_BASE + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    offered = (uint64_t)mmio_read32(FS_MMIO_BASE + VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    if (!(offered & 1ull << VIRTIO_F_VERSION_1))
        step_failed(DEVICE, E_NODEV, "VERSION_1 not offered, features 32-63:", (uint32_t)(offered >> 32));
    /* INDIRECT_DESC (28) may be offered; direct chains do for us. */
    vm_negotiate(1ull << VIRTIO_F_VERSION_1);
    setup_queue(HIPRIO_QUEUE);
    setup_queue(REQUEST_QUEUE);
    vm_driver_ok();
    if (vm_status() & VIRTIO_STATUS_NEEDS_RESET)
        step_failed(DEVICE, E_NODEV, "DEVICE_NEEDS_RESET after DRIVER_OK, status", vm_status());
    boot_mark(2);
}

/* The head of the request's used chain and its written length: after the
   device's interrupt, or by polling once interrupts proved missing. */
static int wait_used(struct vq *q, enum step s, uint32_t *len)
{
    uint32_t start = irq_ticks, stalled = 0;
    int head;
    for (;;) {
        int irq = irq_wait();
        if (irq == FS_GSI) {
            /* Quiet the device before the EOI. The VMM shows the used-ring
               bit always here (virtiofsd raises the irqfd itself). */
            uint32_t status = vm_interrupt_ack();
            irq_eoi(FS_GSI);
            if ((status & VIRTIO_INT_CONFIG) && (vm_status() & VIRTIO_STATUS_NEEDS_RESET))
                step_failed(s, E_IO, "device set DEVICE_NEEDS_RESET, status", vm_status());
            if ((head = vq_peek(q, len)) >= 0)
                return head;
            continue;
        }
        if (irq != 0)
            fail_hex("interrupt on an IRQ line never unmasked:", (uint32_t)irq);
        /* A timer tick. */
        if ((head = vq_peek(q, len)) >= 0) {
            if (polling)
                return head;
            if (++stalled >= TICKS(IRQ_STALL_MS)) {
                uart_puts("virtio_fs: used buffer but no interrupt for 2 s (GSI 6 / irqfd): polling\n");
                polling = 1;
                return head;
            }
        }
        if (irq_ticks - start >= TICKS(REPLY_TIMEOUT_MS))
            step_failed(s, E_TIMEDOUT, "no reply within 60 s, used->idx", q->used->idx);
    }
}

struct request {
    uint32_t opcode;
    uint64_t nodeid;
    const void *arg; /* the op's struct */
    uint32_t arg_len;
    const void *payload; /* a name or write data */
    uint32_t payload_len;
    void *out; /* the op's reply struct: exactly out_len bytes wanted */
    uint32_t out_len;
    uint32_t data_max; /* reply data after it (READ) */
    int32_t *error; /* set: an error reply is stored here (errno), not fatal */
};

/* Readable descriptor d: `len` bytes of `from` in its buffer. */
static void put_readable(struct vq *q, int d, const void *from, uint32_t len, int next)
{
    memcpy(vq_buf(q, d), from, len);
    vq_set(q, d, len, next >= 0 ? VRING_DESC_F_NEXT : 0, (uint16_t)(next >= 0 ? next : 0));
}

/* One FUSE request on the request queue, as Linux lays it out: in_header,
   op struct and payload in readable descriptors of their own; out_header
   with the reply struct, then the data, in writable ones. Returns the
   reply data's length (its bytes at *data); a failed reply ends the run. */
static uint32_t fuse_call(enum step s, const struct request *r, const uint8_t **data)
{
    struct vq *q = &queues[REQUEST_QUEUE];
    struct fuse_in_header in;
    struct fuse_out_header out;
    int d[5], n = 0, i, head;
    int d_header, d_arg = -1, d_payload = -1, d_out, d_data = -1;
    uint32_t used_len, data_len;

    d[n++] = d_header = vq_alloc(q);
    if (r->arg_len)
        d[n++] = d_arg = vq_alloc(q);
    if (r->payload_len)
        d[n++] = d_payload = vq_alloc(q);
    d[n++] = d_out = vq_alloc(q);
    if (r->data_max)
        d[n++] = d_data = vq_alloc(q);
    for (i = 0; i < n; i++)
        if (d[i] < 0)
            fail("out of descriptors on the request queue");

    memset(&in, 0, sizeof in);
    in.len = (uint32_t)sizeof in + r->arg_len + r->payload_len;
    in.opcode = r->opcode;
    in.unique = next_unique++;
    in.nodeid = r->nodeid;
    in.pid = 1; /* uid, gid 0: virtiofsd runs as root */
    put_readable(q, d_header, &in, sizeof in, n > 1 ? d[1] : -1);
    for (i = 1; i < n; i++) {
        int next = i + 1 < n ? d[i + 1] : -1;
        if (d[i] == d_arg)
            put_readable(q, d_arg, r->arg, r->arg_len, next);
        else if (d[i] == d_payload)
            put_readable(q, d_payload, r->payload, r->payload_len, next);
        else if (d[i] == d_out)
            vq_set(q, d_out, (uint32_t)sizeof out + r->out_len, VRING_DESC_F_WRITE | (next >= 0 ? VRING_DESC_F_NEXT : 0),
                   (uint16_t)(next >= 0 ? next : 0));
        else
            vq_set(q, d_data, r->data_max, VRING_DESC_F_WRITE, 0);
    }
    memset(vq_buf(q, d_out), 0xA5, sizeof out + r->out_len); /* nothing stale passes for a reply */

    vq_submit(q, d_header);
    vq_kick(q);
    head = wait_used(q, s, &used_len);
    if (head != d_header)
        fail_hex("used id is not the request's head, id", (uint32_t)head);

    if (used_len < sizeof out)
        step_failed(s, E_IO, "short reply: used length", used_len);
    memcpy(&out, vq_buf(q, d_out), sizeof out);
    if (out.unique != in.unique)
        step_failed(s, E_PROTO, "reply for another request: unique", (uint32_t)out.unique);
    if (out.len != used_len)
        step_failed(s, E_PROTO, "out_header.len differs from the used length, len", out.len);
    if (out.error > 0 || out.error < -4095)
        step_failed(s, E_PROTO, "out_header.error is not 0 or -errno:", (uint32_t)out.error);
    if (out.error && r->error) {
        *r->error = -out.error;
        vq_pop(q);
        return 0;
    }
    if (out.error)
        step_failed(s, (uint32_t)-out.error, 0, 0);
    if (used_len < sizeof out + r->out_len)
        step_failed(s, E_IO, "short reply: used length", used_len);
    data_len = used_len - (uint32_t)sizeof out - r->out_len;
    if (data_len > r->data_max)
        step_failed(s, E_PROTO, "reply longer than its buffers: used length", used_len);
    memcpy(r->out, vq_buf(q, d_out) + sizeof out, r->out_len);
    if (data)
        *data = d_data >= 0 ? vq_buf(q, d_data) : 0;
    vq_pop(q); /* the buffers stay intact until the next request */
    return data_len;
}

static uint32_t fuse_init(void)
{
    struct fuse_init_in arg = { FUSE_KERNEL_VERSION, FUSE_KERNEL_MINOR_VERSION, MAX_READAHEAD, 0 };
    struct fuse_init_out reply;
    /* A 7.31 server's reply is 64 bytes (24 for a client older than 7.23). */
    struct request r = { FUSE_INIT, 0, &arg, sizeof arg, 0, 0, &reply, sizeof reply, 0, 0 };
    fuse_call(INIT, &r, 0);
    if (reply.major != FUSE_KERNEL_VERSION)
        step_failed(INIT, E_PROTO, "server's major version is not 7:", reply.major);
    return reply.minor;
}

static uint64_t fuse_lookup(const char *name, struct fuse_attr *attr)
{
    struct fuse_entry_out entry;
    struct request r = { FUSE_LOOKUP, FUSE_ROOT_ID, 0, 0, name, (uint32_t)strlen(name) + 1, &entry, sizeof entry, 0, 0 };
    fuse_call(LOOKUP, &r, 0);
    if (entry.nodeid == 0) /* a negative entry: the name does not exist */
        step_failed(LOOKUP, 2, 0, 0);
    *attr = entry.attr;
    return entry.nodeid;
}

static uint64_t fuse_open(uint64_t nodeid, uint32_t flags)
{
    struct fuse_open_in arg = { flags, 0 };
    struct fuse_open_out reply;
    struct request r = { FUSE_OPEN, nodeid, &arg, sizeof arg, 0, 0, &reply, sizeof reply, 0, 0 };
    fuse_call(OPEN, &r, 0);
    return reply.fh;
}

static void fuse_release(enum step s, uint64_t nodeid, uint64_t fh, uint32_t flags)
{
    struct fuse_release_in arg = { fh, flags, 0, 0 };
    struct request r = { FUSE_RELEASE, nodeid, &arg, sizeof arg, 0, 0, 0, 0, 0, 0 };
    fuse_call(s, &r, 0);
}

/* hello.txt: LOOKUP, GETATTR, OPEN, READ, RELEASE; prints size and bytes. */
static __attribute__((unused)) void read_hello(void)
{
    struct fuse_attr attr;
    struct fuse_attr_out attr_out;
    struct fuse_getattr_in getattr = { 0, 0, 0 };
    struct fuse_read_in read_in;
    const uint8_t *data;
    uint64_t nodeid, fh;
    uint32_t i, n, want;

    nodeid = fuse_lookup("hello.txt", &attr);
    {
        struct request r = { FUSE_GETATTR, nodeid, &getattr, sizeof getattr, 0, 0, &attr_out, sizeof attr_out, 0, 0 };
        fuse_call(GETATTR, &r, 0);
    }
    if (attr_out.attr.ino != attr.ino)
        step_failed(GETATTR, E_PROTO, "GETATTR's inode differs from LOOKUP's, low bits", (uint32_t)attr_out.attr.ino);
    if (attr_out.attr.size >> 32)
        step_failed(GETATTR, E_IO, "hello.txt is 4 GiB or more, high bits", (uint32_t)(attr_out.attr.size >> 32));
    uart_puts("fuse: hello.txt size=");
    put_dec((uint32_t)attr_out.attr.size);
    uart_putc('\n');

    fh = fuse_open(nodeid, FUSE_O_RDONLY);
    memset(&read_in, 0, sizeof read_in);
    read_in.fh = fh;
    read_in.size = READ_SIZE;
    read_in.flags = FUSE_O_RDONLY;
    {
        struct request r = { FUSE_READ, nodeid, &read_in, sizeof read_in, 0, 0, 0, 0, READ_SIZE, 0 };
        n = fuse_call(READ, &r, &data);
    }
    want = attr_out.attr.size < READ_SIZE ? (uint32_t)attr_out.attr.size : READ_SIZE;
    if (n != want)
        step_failed(READ, E_IO, "short read: bytes", n);
    uart_puts("read: ");
    for (i = 0; i < n; i++)
        uart_putc((char)data[i]);
    uart_putc('\n');
    fuse_release(RELEASE, nodeid, fh, FUSE_O_RDONLY);
    boot_mark(4);
}

/* written.txt: CREATE, WRITE, FLUSH, RELEASE; prints the bytes written. */
static __attribute__((unused)) void write_file(void)
{
    static const char name[] = "written.txt";
    static const char text[] = "written by the guest\n";
    const uint32_t flags = FUSE_O_WRONLY | FUSE_O_CREAT | FUSE_O_TRUNC;
    struct fuse_create_in create = { flags, FUSE_S_IFREG | 0644, 0, 0 };
    struct fuse_create_out created;
    struct fuse_write_in write_in;
    struct fuse_write_out written;
    struct fuse_flush_in flush;
    uint64_t nodeid, fh;

    {
        struct request r = { FUSE_CREATE, FUSE_ROOT_ID, &create, sizeof create, name, sizeof name, &created, sizeof created, 0, 0 };
        fuse_call(CREATE, &r, 0);
    }
    nodeid = created.entry.nodeid;
    fh = created.open.fh;
    if (nodeid == 0)
        step_failed(CREATE, E_PROTO, "CREATE answered nodeid", 0);

    memset(&write_in, 0, sizeof write_in);
    write_in.fh = fh;
    write_in.size = sizeof text - 1;
    write_in.flags = flags;
    {
        struct request r = { FUSE_WRITE, nodeid, &write_in, sizeof write_in, text, sizeof text - 1, &written, sizeof written, 0, 0 };
        fuse_call(WRITE, &r, 0);
    }
    if (written.size != sizeof text - 1)
        step_failed(WRITE, E_IO, "short write: bytes", written.size);
    uart_puts("fuse: wrote ");
    put_dec(written.size);
    uart_puts(" bytes\n");

    memset(&flush, 0, sizeof flush);
    flush.fh = fh;
    {
        struct request r = { FUSE_FLUSH, nodeid, &flush, sizeof flush, 0, 0, 0, 0, 0, 0 };
        fuse_call(FLUSH, &r, 0);
    }
    fuse_release(RELEASE_WRITTEN, nodeid, fh, flags);
    boot_mark(5);
}

#ifdef ESCAPE
#include "virtio_fs_escape.h"
#endif

void fw_main(void)
{
    uint32_t minor;

    boot_mark(1);
    irq_init();
    irq_unmask(FS_GSI);
    device_init();

    minor = fuse_init();
    uart_puts("fuse: init ok minor=");
    put_dec(minor);
    uart_putc('\n');
    boot_mark(3);

#ifdef ESCAPE
    escape_attempts();
#else
    read_hello();
    write_file();
#endif
    debug_exit(0);
}
