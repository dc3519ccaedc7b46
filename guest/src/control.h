/*
 * Control-port message framing (PROTOCOL.md section 3): encoding and an
 * incremental decoder over a byte stream. Pure: no syscalls (test/).
 */
#ifndef VMM_CONTROL_H
#define VMM_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "control_types.h"

struct control_message {
    uint16_t type;
    const uint8_t *payload; /* valid until the decoder is used again */
    size_t length;
};

/* Writes one message into buf; returns its size, or 0 if it does not fit or the payload is too long. */
size_t control_encode(uint8_t *buf, size_t cap, uint16_t type, const void *payload, size_t length);

size_t control_encode_started(uint8_t *buf, size_t cap, uint32_t pid);
size_t control_encode_exited(uint8_t *buf, size_t cap, int32_t code, int32_t signal);
/* The message is cut at CONTROL_MAX_PAYLOAD bytes (never inside a UTF-8 sequence). */
size_t control_encode_error(uint8_t *buf, size_t cap, const char *message);

/* Exec messages: each payload starts with the exec's u32 id. OUTPUT data
 * longer than fits is cut (the caller sends the rest in another message). */
size_t control_encode_exec_started(uint8_t *buf, size_t cap, uint32_t id, uint32_t pid);
size_t control_encode_exec_output(uint8_t *buf, size_t cap, uint32_t id, uint8_t stream, const void *data, size_t n);
size_t control_encode_exec_exited(uint8_t *buf, size_t cap, uint32_t id, int32_t code, int32_t signal);
size_t control_encode_exec_error(uint8_t *buf, size_t cap, uint32_t id, const char *message);
/* Most EXEC_OUTPUT data one message holds. */
#define CONTROL_EXEC_OUTPUT_MAX (CONTROL_MAX_PAYLOAD - CONTROL_EXEC_ID_SIZE - 1)

/* Payload readers for host messages: 0, or -1 for a payload of the wrong size. */
int control_parse_signal(const struct control_message *m, int32_t *signal);
int control_parse_winsize(const struct control_message *m, uint16_t *rows, uint16_t *columns);
/* EXEC (the process description follows the id) and EXEC_INPUT (the bytes
 * follow; none means end of input): *rest and *n point into the payload. */
int control_parse_exec_bytes(const struct control_message *m, uint32_t *id, const uint8_t **rest, size_t *n);
int control_parse_exec_signal(const struct control_message *m, uint32_t *id, int32_t *signal);
int control_parse_exec_winsize(const struct control_message *m, uint32_t *id, uint16_t *rows, uint16_t *columns);

/*
 * Decoder: append bytes with control_decoder_space + control_decoder_commit
 * (or control_decoder_push), then take messages with control_decoder_next.
 * A length field below 2 or above the maximum makes the stream unusable
 * (there is no way to find the next message boundary): the decoder then
 * stays in the error state.
 */
struct control_decoder {
    uint8_t buf[CONTROL_MAX_MESSAGE];
    size_t used;     /* bytes in buf */
    size_t consumed; /* bytes of buf already returned as messages */
    int broken;
};

void control_decoder_init(struct control_decoder *d);
uint8_t *control_decoder_space(struct control_decoder *d, size_t *available);
void control_decoder_commit(struct control_decoder *d, size_t n);
/* Copies as much of data as fits; returns how many bytes were taken. */
size_t control_decoder_push(struct control_decoder *d, const uint8_t *data, size_t n);

enum control_decode_result { CONTROL_NEED_MORE = 0, CONTROL_GOT_MESSAGE = 1, CONTROL_BAD_STREAM = -1 };
enum control_decode_result control_decoder_next(struct control_decoder *d, struct control_message *m);

#endif
