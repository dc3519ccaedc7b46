#include "protocol.h"
#include "console.h"
#include "io.h"
#include "irq.h"
#include "layout.h"
#include "lib.h"

#define HEADER CONTROL_HEADER_SIZE
#define EXEC_STATUS 5

struct proto_state proto;
static uint8_t frame_in[HEADER + CONTROL_MAX_PAYLOAD];
static uint32_t have;
static uint8_t frame_out[HEADER + CONTROL_MAX_PAYLOAD];

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

void proto_send(uint16_t type, const void *payload, uint32_t len)
{
    uint32_t length = len + 2;
    memcpy(frame_out, &length, 4);
    memcpy(frame_out + 4, &type, 2);
    memcpy(frame_out + HEADER, payload, len);
    console_write(PORT_CONTROL, frame_out, HEADER + len);
}

/* SIGNAL's rule from PROTOCOL.md: ignore 0, SIGCHLD, SIGCONT, SIGURG,
   SIGWINCH and the stop signals; any other ends the process. */
static int is_fatal(int32_t sig)
{
    return sig != 0 && sig != 17 && sig != 18 && sig != 23 && sig != 28 && !(sig >= 19 && sig <= 22);
}

/* EXEC (after START): the stand-in runs nothing; it answers as init would
   for a process that prints one line and exits 5, so `vmm exec`'s whole
   path (client, monitor, control port, back) runs without Linux. */
static void answer_exec(const uint8_t *payload, uint32_t len)
{
    static const char text[] = "stand-in exec: ";
    uint8_t out[4 + 1 + sizeof text + 24];
    uint32_t started[2] = { le32(payload), 2 };
    int32_t exited[3] = { (int32_t)le32(payload), EXEC_STATUS, 0 };
    uint32_t n;
    if (!proto.started) {
        static const char refused[] = "EXEC before START";
        uint8_t error[4 + sizeof refused - 1];
        memcpy(error, payload, 4);
        memcpy(error + 4, refused, sizeof refused - 1);
        proto_send(CONTROL_EXEC_ERROR, error, sizeof error);
        return;
    }
    proto_send(CONTROL_EXEC_STARTED, started, sizeof started);
    memcpy(out, payload, 4);
    out[4] = CONTROL_STREAM_STDOUT;
    memcpy(out + 5, text, sizeof text - 1);
    n = 5 + sizeof text - 1;
    n += fmt_dec((char *)out + n, len - 4);
    memcpy(out + n, " bytes\n", 7);
    proto_send(CONTROL_EXEC_OUTPUT, out, n + 7);
    proto_send(CONTROL_EXEC_EXITED, exited, sizeof exited);
}

static void dispatch(uint16_t type, const uint8_t *payload, uint32_t len)
{
    if (type == CONTROL_EXEC && len >= 4)
        answer_exec(payload, len);
    else if (type == CONTROL_START && len == 0)
        proto.started = 1;
    else if (type == CONTROL_SIGNAL && len == 4 && !proto.fatal_signal && is_fatal((int32_t)le32(payload)))
        proto.fatal_signal = (int32_t)le32(payload);
    /* WINSIZE: no terminal here. Unknown types and wrong sizes: ignored. */
}

static void feed(const uint8_t *p, uint32_t n)
{
    while (n && !proto.corrupt) {
        uint32_t want = have < 4 ? 4 : 4 + le32(frame_in);
        uint32_t take = want - have < n ? want - have : n;
        memcpy(frame_in + have, p, take);
        have += take;
        p += take;
        n -= take;
        if (have == 4 && (le32(frame_in) < 2 || le32(frame_in) > 2 + CONTROL_MAX_PAYLOAD)) {
            proto.corrupt = 1;
        } else if (have > 4 && have == 4 + le32(frame_in)) {
            dispatch((uint16_t)(frame_in[4] | frame_in[5] << 8), frame_in + HEADER, have - HEADER);
            have = 0;
        }
    }
}

void proto_poll(void)
{
    const uint8_t *data;
    int n;
    while ((n = console_peek(PORT_CONTROL, &data)) >= 0) {
        feed(data, (uint32_t)n);
        console_release(PORT_CONTROL);
    }
}

void proto_ready_wait_start(void)
{
    proto_send(CONTROL_READY, 0, 0);
    boot_mark(3);
    for (;;) {
        console_poll();
        proto_poll();
        if (proto.corrupt)
            proto_error("corrupt control stream from the host");
        if (proto.fatal_signal)
            proto_exit(-1, proto.fatal_signal);
        if (proto.started)
            break;
        console_wait(0);
    }
    boot_mark(4);
}

void proto_exit(int32_t code, int32_t signal)
{
    int32_t payload[2] = { code, signal };
    proto_send(CONTROL_EXITED, payload, sizeof payload);
    boot_mark(6);
    halt_forever();
}

void proto_error(const char *message)
{
    proto_send(CONTROL_ERROR, message, strlen(message));
    halt_forever();
}

void proto_start(uint32_t handshake_timeout_ms)
{
    boot_mark(1);
    irq_init();
    irq_unmask(CONSOLE_GSI);
    console_init();
    console_handshake(handshake_timeout_ms);
    proto_ready_wait_start();
}
