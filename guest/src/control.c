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

size_t control_encode_error(uint8_t *buf, size_t cap, const char *message)
{
    size_t n = strlen(message);
    if (n > CONTROL_MAX_PAYLOAD) {
        n = CONTROL_MAX_PAYLOAD;
        /* Back up over continuation bytes so the host gets valid UTF-8. */
        while (n > 0 && ((unsigned char)message[n] & 0xC0) == 0x80)
            n--;
    }
    return control_encode(buf, cap, CONTROL_ERROR, message, n);
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
