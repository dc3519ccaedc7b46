/* Control-port framing: u32 length (of type + payload), u16 type, payload. */
#include "control.h"

#include <string.h>

#include "le.h"

size_t control_encode(uint8_t *buf, size_t cap, uint16_t type, const void *payload, size_t length)
{
    if (length > CONTROL_MAX_PAYLOAD || cap < CONTROL_HEADER_SIZE + length)
        return 0;
    le32_put(buf, (uint32_t)(CONTROL_TYPE_SIZE + length));
    le16_put(buf + CONTROL_LENGTH_SIZE, type);
    if (length)
        memcpy(buf + CONTROL_HEADER_SIZE, payload, length);
    return CONTROL_HEADER_SIZE + length;
}

size_t control_encode_started(uint8_t *buf, size_t cap, uint32_t pid)
{
    uint8_t p[4];
    le32_put(p, pid);
    return control_encode(buf, cap, CONTROL_STARTED, p, sizeof p);
}

size_t control_encode_exited(uint8_t *buf, size_t cap, int32_t code, int32_t signal)
{
    uint8_t p[8];
    le32_put(p, (uint32_t)code);
    le32_put(p + 4, (uint32_t)signal);
    return control_encode(buf, cap, CONTROL_EXITED, p, sizeof p);
}

/* How much of message fits in limit bytes, never ending inside a UTF-8 sequence. */
static size_t utf8_cut(const char *message, size_t limit)
{
    size_t n = strlen(message);
    if (n > limit) {
        n = limit;
        /* Back up over continuation bytes so the host gets valid UTF-8. */
        while (n > 0 && ((unsigned char)message[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

size_t control_encode_error(uint8_t *buf, size_t cap, const char *message)
{
    return control_encode(buf, cap, CONTROL_ERROR, message, utf8_cut(message, CONTROL_MAX_PAYLOAD));
}

/* An exec message: the id, then head (hn bytes), then data (n bytes). */
static size_t encode_exec(uint8_t *buf, size_t cap, uint16_t type, uint32_t id, const uint8_t *head, size_t hn,
                          const void *data, size_t n)
{
    uint8_t p[CONTROL_MAX_PAYLOAD];
    if (CONTROL_EXEC_ID_SIZE + hn + n > sizeof p)
        return 0;
    le32_put(p, id);
    if (hn)
        memcpy(p + CONTROL_EXEC_ID_SIZE, head, hn);
    if (n)
        memcpy(p + CONTROL_EXEC_ID_SIZE + hn, data, n);
    return control_encode(buf, cap, type, p, CONTROL_EXEC_ID_SIZE + hn + n);
}

size_t control_encode_exec_started(uint8_t *buf, size_t cap, uint32_t id, uint32_t pid)
{
    uint8_t p[4];
    le32_put(p, pid);
    return encode_exec(buf, cap, CONTROL_EXEC_STARTED, id, p, sizeof p, NULL, 0);
}

size_t control_encode_exec_output(uint8_t *buf, size_t cap, uint32_t id, uint8_t stream, const void *data, size_t n)
{
    return encode_exec(buf, cap, CONTROL_EXEC_OUTPUT, id, &stream, 1, data, n < CONTROL_EXEC_OUTPUT_MAX ? n : CONTROL_EXEC_OUTPUT_MAX);
}

size_t control_encode_exec_exited(uint8_t *buf, size_t cap, uint32_t id, int32_t code, int32_t signal)
{
    uint8_t p[8];
    le32_put(p, (uint32_t)code);
    le32_put(p + 4, (uint32_t)signal);
    return encode_exec(buf, cap, CONTROL_EXEC_EXITED, id, p, sizeof p, NULL, 0);
}

size_t control_encode_exec_error(uint8_t *buf, size_t cap, uint32_t id, const char *message)
{
    return encode_exec(buf, cap, CONTROL_EXEC_ERROR, id, NULL, 0, message,
                       utf8_cut(message, CONTROL_MAX_PAYLOAD - CONTROL_EXEC_ID_SIZE));
}

int control_parse_signal(const struct control_message *m, int32_t *signal)
{
    if (m->length != 4)
        return -1;
    *signal = (int32_t)le32_get(m->payload);
    return 0;
}

int control_parse_winsize(const struct control_message *m, uint16_t *rows, uint16_t *columns)
{
    if (m->length != 4)
        return -1;
    *rows = le16_get(m->payload);
    *columns = le16_get(m->payload + 2);
    return 0;
}

int control_parse_exec_bytes(const struct control_message *m, uint32_t *id, const uint8_t **rest, size_t *n)
{
    if (m->length < CONTROL_EXEC_ID_SIZE)
        return -1;
    *id = le32_get(m->payload);
    *rest = m->payload + CONTROL_EXEC_ID_SIZE;
    *n = m->length - CONTROL_EXEC_ID_SIZE;
    return 0;
}

int control_parse_exec_signal(const struct control_message *m, uint32_t *id, int32_t *signal)
{
    if (m->length != CONTROL_EXEC_ID_SIZE + 4)
        return -1;
    *id = le32_get(m->payload);
    *signal = (int32_t)le32_get(m->payload + 4);
    return 0;
}

int control_parse_exec_winsize(const struct control_message *m, uint32_t *id, uint16_t *rows, uint16_t *columns)
{
    if (m->length != CONTROL_EXEC_ID_SIZE + 4)
        return -1;
    *id = le32_get(m->payload);
    *rows = le16_get(m->payload + 4);
    *columns = le16_get(m->payload + 6);
    return 0;
}

void control_decoder_init(struct control_decoder *d)
{
    d->used = 0;
    d->consumed = 0;
    d->broken = 0;
}

/* Drops the bytes of messages already handed out, so the free space is at the end. */
static void compact(struct control_decoder *d)
{
    if (d->consumed == 0)
        return;
    memmove(d->buf, d->buf + d->consumed, d->used - d->consumed);
    d->used -= d->consumed;
    d->consumed = 0;
}

uint8_t *control_decoder_space(struct control_decoder *d, size_t *available)
{
    compact(d);
    *available = sizeof d->buf - d->used;
    return d->buf + d->used;
}

void control_decoder_commit(struct control_decoder *d, size_t n)
{
    if (n > sizeof d->buf - d->used)
        n = sizeof d->buf - d->used;
    d->used += n;
}

size_t control_decoder_push(struct control_decoder *d, const uint8_t *data, size_t n)
{
    size_t room;
    uint8_t *space = control_decoder_space(d, &room);
    if (n > room)
        n = room;
    memcpy(space, data, n);
    control_decoder_commit(d, n);
    return n;
}

enum control_decode_result control_decoder_next(struct control_decoder *d, struct control_message *m)
{
    if (d->broken)
        return CONTROL_BAD_STREAM;
    size_t have = d->used - d->consumed;
    const uint8_t *p = d->buf + d->consumed;
    if (have < CONTROL_LENGTH_SIZE)
        return CONTROL_NEED_MORE;
    uint32_t length = le32_get(p);
    if (length < CONTROL_TYPE_SIZE || length > CONTROL_TYPE_SIZE + CONTROL_MAX_PAYLOAD) {
        d->broken = 1;
        return CONTROL_BAD_STREAM;
    }
    if (have < CONTROL_LENGTH_SIZE + (size_t)length)
        return CONTROL_NEED_MORE;
    m->type = le16_get(p + CONTROL_LENGTH_SIZE);
    m->payload = p + CONTROL_HEADER_SIZE;
    m->length = length - CONTROL_TYPE_SIZE;
    d->consumed += CONTROL_LENGTH_SIZE + length;
    return CONTROL_GOT_MESSAGE;
}
